"""Advance replacement orders (docs/programmes.md §7, R-RMA-1..6)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fleetcare.core import programmes
from fleetcare.core.messages import format_date
from fleetcare.core.models import TimeStamped
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet


class OrderStatus(models.TextChoices):
    """R-RMA-1: requested → approved → shipped → delivered → awaiting return → returned →
    closed; side exits overdue → charged, destroyed on site, rejected."""

    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    AWAITING_RETURN = "awaiting_return", _("Awaiting return")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")
    OVERDUE = "overdue", _("Return overdue")
    CHARGED = "charged", _("Charged")
    DESTROYED = "destroyed", _("Destroyed on site")
    REJECTED = "rejected", _("Rejected")


class Cause(models.TextChoices):
    """What broke the unit. Spill and drop are covered only by DaaS extended cover;
    the rest of the accidental causes are never covered (R-DS-4)."""

    HARDWARE_FAULT = "hardware_fault", _("Hardware fault")
    SPILL = "spill", _("Liquid or food spill")
    DROP = "drop", _("Drop")
    FIRE = "fire", _("Fire")
    INTENTIONAL_DAMAGE = "intentional_damage", _("Intentional damage")
    NORMAL_WEAR = "normal_wear", _("Normal wear")
    COSMETIC = "cosmetic", _("Cosmetic change")
    THEFT = "theft", _("Theft")
    LOSS = "loss", _("Loss")


class ThresholdDecision(models.TextChoices):
    NONE = "", _("Not flagged")
    PENDING = "pending", _("Awaiting billing's decision")
    CHARGED = "charged", _("Charged")
    WAIVED = "waived", _("Waived")


class ServiceCentre(models.TextChoices):
    """Where defective units go back (R-RMA-3). The order stores the code; the name is
    shown in the reader's language."""

    NORTH_AMERICA = "north_america", _("Service centre North America")
    EMEA = "emea", _("Service centre EMEA")
    INTERNATIONAL = "international", _("Service centre International")


# The service centre of each DaaS region (rules.daas.region_of); None = anywhere else.
SERVICE_CENTRES = {
    "north_america": ServiceCentre.NORTH_AMERICA,
    "emea": ServiceCentre.EMEA,
    None: ServiceCentre.INTERNATIONAL,
}

SHIPPING_QUEUE = (OrderStatus.APPROVED,)
RETURNS_QUEUE = (OrderStatus.AWAITING_RETURN, OrderStatus.OVERDUE, OrderStatus.CHARGED)
OPEN_STATUSES = (
    OrderStatus.REQUESTED,
    OrderStatus.APPROVED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.AWAITING_RETURN,
    OrderStatus.OVERDUE,
    OrderStatus.RETURNED,
)


class ReplacementOrderQuerySet(TenantQuerySet):
    """R-TEN-1: a customer sees its account's orders; a partner only the DaaS orders of
    the subscriptions it sold; distributors and end users nothing."""

    def for_partner(self, scope: Scope) -> ReplacementOrderQuerySet:
        return self.filter(partner_id=scope.organisation_id)

    def for_distributor(self, scope: Scope) -> ReplacementOrderQuerySet:
        return self.none()

    def extended_cover_in_year(
        self,
        customer_id: int,
        year: int,
        exclude_pk: int | None = None,
        programme: Any = None,
    ) -> ReplacementOrderQuerySet:
        """R-DS-5: a customer's replacements authorised for extended cover in a calendar
        year (every state but rejected) under ``programme`` (a ``Programme``; default:
        the default per-device programme), for the causes its extended cover pays for."""
        if programme is None:
            programme = programmes.default_programme(programmes.ProgrammeKind.PER_DEVICE)
        qs = self.filter(
            account_id=customer_id,
            programme=programme.code,
            cause__in=programme.extended_cover_causes,
            requested_at__year=year,
        ).exclude(status=OrderStatus.REJECTED)
        return qs.exclude(pk=exclude_pk) if exclude_pk else qs

    def shipping_queue(self) -> ReplacementOrderQuerySet:
        return self.filter(status__in=SHIPPING_QUEUE)

    def returns_queue(self) -> ReplacementOrderQuerySet:
        return self.filter(status__in=RETURNS_QUEUE, onsite_destruction=False)

    def with_related(self) -> ReplacementOrderQuerySet:
        return self.select_related(
            "account",
            "partner",
            "product_model",
            "delivery_site",
            "case",
            "charge_document",
            "enterprise_contract",
            "subscribed_device__subscription",
        ).prefetch_related("product_model__prices")


class ReplacementOrder(TimeStamped):
    """An advance replacement: the new unit ships before the defective one comes back."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    case = models.ForeignKey(
        "support.Case",
        on_delete=models.PROTECT,
        related_name="replacement_orders",
        verbose_name=_("case"),
    )
    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="replacement_orders",
        verbose_name=_("account"),
    )
    # R-PRG-1: the code of the entitling programme (its contract's or subscription's).
    programme = models.CharField(_("programme"), max_length=64, blank=True)
    partner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_replacement_orders",
        verbose_name=_("certified partner"),
    )
    enterprise_contract = models.ForeignKey(
        "contracts.EnterpriseContract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement_orders",
        verbose_name=_("Poly+ Enterprise contract"),
    )
    subscribed_device = models.ForeignKey(
        "daas.SubscribedDevice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement_orders",
        verbose_name=_("DaaS subscribed device"),
    )
    faulty_device = models.ForeignKey(
        "fleet.Device",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement_orders",
        verbose_name=_("faulty device"),
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product model"),
    )
    replacement_model = models.ForeignKey(
        "catalog.ProductModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replacement model"),
        help_text=_("Same model unless specified."),
    )
    cause = models.CharField(_("cause"), max_length=24, choices=Cause.choices)
    fault_description = models.TextField(_("fault found"), blank=True)
    delivery_site = models.ForeignKey(
        "organisations.Site",
        on_delete=models.PROTECT,
        related_name="replacement_orders",
        verbose_name=_("delivery site"),
    )
    service_centre = models.CharField(
        _("service centre"), max_length=100, choices=ServiceCentre.choices
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.REQUESTED
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivery_target = models.DateField(_("delivery target"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    replacement_serial = models.CharField(_("replacement serial number"), max_length=64, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    return_due = models.DateField(_("return due on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    replacement_device = models.OneToOneField(
        "fleet.Device",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacement_order",
        verbose_name=_("replacement device"),
    )
    replacement_subscribed_device = models.OneToOneField(
        "daas.SubscribedDevice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacement_order",
        verbose_name=_("replacement subscribed device"),
    )
    charge_document = models.ForeignKey(
        "billing.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unreturned_orders",
        verbose_name=_("unreturned-unit charge"),
    )

    # R-DS-5: computed on every request for extended cover, flagged for billing.
    threshold_rate = models.DecimalField(
        _("yearly replacement rate (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    threshold_flag = models.BooleanField(_("over the yearly threshold"), default=False)
    threshold_decision = models.CharField(
        _("billing decision"),
        max_length=8,
        choices=ThresholdDecision.choices,
        blank=True,
        default=ThresholdDecision.NONE,
    )
    threshold_document = models.ForeignKey(
        "billing.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threshold_orders",
        verbose_name=_("over-threshold charge"),
    )

    # R-RMA-6: on-site destruction
    onsite_destruction = models.BooleanField(_("on-site destruction"), default=False)
    destroyed_on = models.DateField(_("destroyed on"), null=True, blank=True)
    destroyed_by = models.CharField(_("destroyed by"), max_length=200, blank=True)
    destruction_certificate_number = models.CharField(
        _("certificate number"), max_length=80, blank=True
    )
    destruction_certificate = models.FileField(
        _("certificate of destruction"),
        upload_to="replacements/certificates/%Y/",
        max_length=255,
        blank=True,
    )

    tenant_field = "account"
    objects = TenantManager.from_queryset(ReplacementOrderQuerySet)()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("replacement order")
        verbose_name_plural = _("replacement orders")
        indexes = [
            models.Index(fields=["status", "return_due"]),
            models.Index(fields=["account", "status"]),
            models.Index(fields=["threshold_flag", "threshold_decision"]),
            models.Index(fields=["requested_at", "id"], name="replacement_requested"),
            models.Index(
                fields=["reference"],
                opclasses=["varchar_pattern_ops"],
                name="replacement_ref_prefix",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def programme_settings(self):  # type: ignore[no-untyped-def]
        """The programme's settings (``rules.programmes.Programme``)."""
        return programmes.programme(self.programme)

    @property
    def programme_name(self) -> str:
        return programmes.programme_name(self.programme)

    @property
    def currency(self) -> str:
        """R-MON-1: the currency of the order's contract or subscription (the account's when
        it has neither); its charges are priced from that currency's price list."""
        if self.enterprise_contract_id:
            return self.enterprise_contract.currency
        if self.subscribed_device_id:
            return self.subscribed_device.subscription.currency
        return self.account.currency

    @property
    def is_extended_cover_cause(self) -> bool:
        return self.cause in (Cause.SPILL, Cause.DROP)

    def _list_price_text(self) -> str:
        from django.core.exceptions import ValidationError

        from fleetcare.core.currency import format_money

        try:
            return format_money(self.product_model.list_price_in(self.currency), self.currency)
        except ValidationError as exc:
            return exc.messages[0]

    def _return_window_days(self) -> int:
        try:
            return int(self.programme_settings.return_window_business_days)
        except Exception:  # an order without a programme: the usual window
            return 10

    @property
    def late_consequence(self) -> str:
        """What happens if the defective unit is not back in time (R-RMA-4)."""
        if self.onsite_destruction:
            return str(_("No return expected: the unit is destroyed on site."))
        params = {
            "centre": self.get_service_centre_display(),
            "price": self._list_price_text(),
        }
        if self.return_due is None:  # not delivered yet: the window, not a date
            return str(
                _(
                    "If the defective unit is not received at %(centre)s within %(days)s "
                    "business days of delivery, a charge at the model's list price (%(price)s) is "
                    "raised. A late return before the charge is invoiced cancels it."
                )
                % {**params, "days": self._return_window_days()}
            )
        return str(
            _(
                "If the defective unit is not received at %(centre)s by %(due)s, a charge "
                "at the model's list price (%(price)s) is raised. A late return "
                "before the charge is invoiced cancels it."
            )
            % {**params, "due": format_date(self.return_due)}
        )
