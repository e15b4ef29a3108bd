"""Device-as-a-Service subscriptions (docs/programmes.md §5)."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from fleetcare.core import programmes
from fleetcare.core.models import TimeStamped
from fleetcare.core.programmes import default_per_device_code
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class SubscriptionQuerySet(TenantQuerySet):
    def for_partner(self, scope: Scope) -> SubscriptionQuerySet:
        return self.filter(partner_id=scope.organisation_id)

    def for_distributor(self, scope: Scope) -> SubscriptionQuerySet:
        """The distributor delivering a subscription's devices sees it (R-DS-2)."""
        return self.filter(distributor_id=scope.organisation_id)


class Subscription(TimeStamped):
    """A certified partner's DaaS subscription for one of its customers."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    # Empty when the programme is sold by the vendor itself (its ``sold_by``).
    partner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="daas_subscriptions_sold",
        verbose_name=_("certified partner"),
    )
    customer = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="daas_subscriptions",
        verbose_name=_("customer"),
    )
    site = models.ForeignKey(
        "organisations.Site",
        on_delete=models.PROTECT,
        related_name="daas_subscriptions",
        verbose_name=_("customer site"),
    )
    distributor = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="daas_deliveries",
        verbose_name=_("delivering distributor"),
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"), default=36)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.ACTIVE,
    )
    # R-PRG-1: a per-device programme; default: the registry's default of that kind.
    programme_code = models.CharField(
        _("programme"), max_length=64, default=default_per_device_code
    )

    tenant_field = "customer"
    objects = TenantManager.from_queryset(SubscriptionQuerySet)()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("DaaS subscription")
        verbose_name_plural = _("DaaS subscriptions")

    def __str__(self) -> str:
        return f"{self.reference} · {self.customer}"

    @property
    def programme(self):  # type: ignore[no-untyped-def]
        """The programme's settings (``rules.programmes.Programme``)."""
        return programmes.programme(self.programme_code)


class SubscribedDeviceQuerySet(TenantQuerySet):
    def for_partner(self, scope: Scope) -> SubscribedDeviceQuerySet:
        return self.filter(subscription__partner_id=scope.organisation_id)

    def for_distributor(self, scope: Scope) -> SubscribedDeviceQuerySet:
        return self.filter(subscription__distributor_id=scope.organisation_id)

    def under_contract(
        self, customer_id: int, on: date, programme_code: str | None = None
    ) -> SubscribedDeviceQuerySet:
        """R-DS-5: a customer's devices under contract at a date: enrolled, term not
        ended, not replaced (the replacement counts in its place); of one programme
        when ``programme_code`` is given."""
        qs = (
            self
            if programme_code is None
            else self.filter(subscription__programme_code=programme_code)
        )
        return (
            qs.filter(
                subscription__customer_id=customer_id,
                subscription__status=SubscriptionStatus.ACTIVE,
                enrolled_on__lte=on,
            )
            .filter(models.Q(term_end__isnull=True) | models.Q(term_end__gte=on))
            .filter(replaced_by__isnull=True)
        )


class SubscribedDevice(models.Model):
    """One device under a DaaS subscription, with its own term (R-DS-2)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="devices")
    device = models.ForeignKey(
        "fleet.Device",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="daas_enrolments",
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel", on_delete=models.PROTECT, related_name="+"
    )
    monthly_price = models.DecimalField(_("monthly price"), max_digits=12, decimal_places=2)
    extended_cover = models.BooleanField(_("extended cover"), default=False)
    enrolled_on = models.DateField(_("enrolled on"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
    )

    tenant_field = "subscription__customer"
    objects = TenantManager.from_queryset(SubscribedDeviceQuerySet)()

    class Meta:
        ordering = ["subscription_id", "id"]
        verbose_name = _("subscribed device")
        verbose_name_plural = _("subscribed devices")

    def __str__(self) -> str:
        return f"{self.subscription.reference} · {self.product_model.name}"
