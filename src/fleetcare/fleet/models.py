"""The fleet: devices of an account, without serial-number tracking (SPEC §3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fleetcare.core.models import TimeStamped
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    REPLACED = "replaced", _("Replaced")


class DeviceQuerySet(TenantQuerySet):
    def for_partner(self, scope: Scope) -> DeviceQuerySet:
        """A partner sees only the DaaS devices of customers it sold to (R-TEN-1)."""
        return self.filter(
            account_id__in=scope.served_customer_ids(),
            daas_enrolments__subscription__partner_id=scope.organisation_id,
        ).distinct()

    def active(self) -> DeviceQuerySet:
        return self.filter(status=DeviceStatus.ACTIVE)


class Device(TimeStamped):
    """R-FLT-1: a device of an account; a serial number is optional."""

    account = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="devices",
        verbose_name=_("account"),
    )
    site = models.ForeignKey(
        "organisations.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="devices",
        verbose_name=_("site"),
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel", on_delete=models.PROTECT, related_name="devices",
        verbose_name=_("product model"),
    )
    serial_number = models.CharField(_("serial number"), max_length=64, null=True, blank=True)
    firmware_version = models.CharField(_("firmware version"), max_length=40, blank=True)
    first_seen_on = models.DateField(_("first seen on"))
    last_seen_on = models.DateField(_("last seen on"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE
    )
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces",
        verbose_name=_("replaced by"),
    )

    tenant_field = "account"
    objects = TenantManager.from_queryset(DeviceQuerySet)()

    class Meta:
        ordering = ["account_id", "product_model_id", "id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(
                fields=["product_model", "serial_number"],
                condition=models.Q(serial_number__isnull=False),
                name="uniq_device_serial_per_model",
            )
        ]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        label = self.serial_number or f"#{self.pk}"
        return f"{self.product_model.name} {label}" if self.product_model_id else label
