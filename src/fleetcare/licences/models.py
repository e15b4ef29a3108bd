"""Software licences and entitlements that come with the programmes (R-POR-1).

A licence is an entitlement of one account with a quantity: the device-management
premium tier of the account (every active device of the account uses a seat), or a
software licence for one model (each active device of that model uses a seat). Used
and free counts are computed from the fleet when read, never stored.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from fleetcare.core.models import TimeStamped
from fleetcare.core.tenancy import TenantManager, TenantQuerySet
from fleetcare.rules import software as rules


class LicenceKind(models.TextChoices):
    PREMIUM_TIER = "premium_tier", _("Device-management premium tier")
    MODEL_SOFTWARE = "model_software", _("Software licence for a model")


class LicenceSource(models.TextChoices):
    VENDOR = "vendor", _("Entered by the vendor")
    FILE = "file", _("Licence file imported with the fleet")
    API = "api", _("API")


class LicenceState(models.TextChoices):
    VALID = rules.VALID, _("Valid")
    EXPIRED = rules.EXPIRED, _("Expired")
    NOT_YET_VALID = rules.NOT_YET_VALID, _("Not yet valid")


class LicenceQuerySet(TenantQuerySet):
    def with_counts(self) -> LicenceQuerySet:
        """Annotate ``used``: the account's active devices (of the licence's model, for a
        model licence), one correlated count each, served by the fleet's partial index on
        active devices (account, model, firmware)."""
        from fleetcare.fleet.models import Device, DeviceStatus

        active = Device.objects.filter(
            account_id=OuterRef("account_id"), status=DeviceStatus.ACTIVE
        ).order_by()
        per_model = (
            active.filter(product_model_id=OuterRef("product_model_id"))
            .values("account_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        per_account = active.values("account_id").annotate(n=Count("*")).values("n")
        return self.annotate(
            used=Case(
                When(
                    kind=LicenceKind.MODEL_SOFTWARE,
                    then=Coalesce(Subquery(per_model, output_field=IntegerField()), Value(0)),
                ),
                default=Coalesce(Subquery(per_account, output_field=IntegerField()), Value(0)),
                output_field=IntegerField(),
            )
        )

    def in_state(self, state: str, on: date) -> LicenceQuerySet:
        if state == rules.VALID:
            return self.filter(valid_from__lte=on).filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=on)
            )
        if state == rules.EXPIRED:
            return self.filter(valid_until__lt=on)
        if state == rules.NOT_YET_VALID:
            return self.filter(valid_from__gt=on)
        return self

    def search(self, q: str | None) -> LicenceQuerySet:
        if not q:
            return self
        return self.filter(
            Q(reference__icontains=q)
            | Q(product_name__icontains=q)
            | Q(product_model__sku__icontains=q)
            | Q(product_model__name__icontains=q)
            | Q(account__name__icontains=q)
        )


class Licence(TimeStamped):
    """R-POR-1: a software entitlement of an account, with a quantity of seats."""

    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="licences",
        verbose_name=_("account"),
    )
    reference = models.CharField(
        _("licence number"),
        max_length=64,
        unique=True,
        help_text=_("The vendor's licence number or key reference, unique."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LicenceKind.choices)
    product_name = models.CharField(
        _("software"), max_length=200, help_text=_("The software the licence is for.")
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("model"),
        help_text=_("A model licence: the model whose devices use its seats."),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=LicenceSource.choices, default=LicenceSource.VENDOR
    )

    tenant_field = "account"
    partner_scope = "daas"
    objects = TenantManager.from_queryset(LicenceQuerySet)()

    class Meta:
        ordering = ["account_id", "kind", "reference"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="licence_validity_order",
            ),
            models.CheckConstraint(
                condition=~Q(kind=LicenceKind.MODEL_SOFTWARE) | Q(product_model__isnull=False),
                name="licence_model_software_has_model",
            ),
        ]
        indexes = [models.Index(fields=["account", "kind", "reference"])]

    def __str__(self) -> str:
        return f"{self.reference} · {self.product_name}"

    def state(self, on: date) -> str:
        return rules.licence_state(self.valid_from, self.valid_until, on)

    @property
    def used_count(self) -> int:
        return int(getattr(self, "used", 0) or 0)

    @property
    def free_count(self) -> int:
        return rules.free_seats(self.quantity, self.used_count)

    @property
    def over_count(self) -> int:
        return rules.over_used(self.quantity, self.used_count)
