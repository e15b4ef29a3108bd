"""What every app shares: timestamps, the change log (written by core.changelog) and
reference series (taken by core.numbering)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet


class VendorOnlyQuerySet(TenantQuerySet):
    """Operational records only vendor staff see."""

    def for_vendor(self, scope: Scope) -> VendorOnlyQuerySet:
        return self.all()

    def for_customer(self, scope: Scope) -> VendorOnlyQuerySet:
        return self.none()

    for_partner = for_distributor = for_end_user = for_customer


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ChangeLogEntry(models.Model):
    """Who changed what, when, with the state before and after (DESIGN: conventions)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = TenantManager.from_queryset(VendorOnlyQuerySet)()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class ReferenceSeries(models.Model):
    """The last reference number taken in a series (replacement orders, DaaS subscriptions,
    cases). Locked (SELECT … FOR UPDATE) while the next one is taken: see core.numbering."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    last_value = models.PositiveBigIntegerField(_("last value"), default=0)

    objects = TenantManager.from_queryset(VendorOnlyQuerySet)()

    class Meta:
        verbose_name = _("reference series")
        verbose_name_plural = _("reference series")

    def __str__(self) -> str:
        return f"{self.code} → {self.last_value}"


class JobRun(models.Model):
    """Last run of each periodic job, for operators (jobs are idempotent anyway)."""

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    runs = models.PositiveIntegerField(default=0)

    objects = TenantManager.from_queryset(VendorOnlyQuerySet)()

    def __str__(self) -> str:
        return self.name
