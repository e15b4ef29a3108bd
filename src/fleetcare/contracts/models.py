"""Poly+ Enterprise contracts (docs/programmes.md §4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fleetcare.core import programmes
from fleetcare.core.models import TimeStamped
from fleetcare.core.programmes import default_account_wide_code
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    RENEWED = "renewed", _("Renewed")
    CANCELLED = "cancelled", _("Cancelled")


# R-PE-5: how an adjustment's value is prorated over the rest of the term.
PRORATION_BASIS_CHOICES = [("monthly", _("Monthly")), ("daily", _("Daily"))]


class EnterpriseContractQuerySet(TenantQuerySet):
    def for_partner(self, scope: Scope) -> EnterpriseContractQuerySet:
        return self.none()  # P+E is not sold through certified DaaS partners

    def for_distributor(self, scope: Scope) -> EnterpriseContractQuerySet:
        return self.filter(distribution_partner_id=scope.organisation_id)

    def in_force(self, on) -> EnterpriseContractQuerySet:  # type: ignore[no-untyped-def]
        """In force on ``on``: active, or renewed (its next term is agreed) but not yet ended."""
        return self.filter(
            status__in=[ContractStatus.ACTIVE, ContractStatus.RENEWED],
            start_date__lte=on,
            end_date__gte=on,
        )


class EnterpriseContract(TimeStamped):
    """R-PE-1: one account, one term, one or more categories."""

    account = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="enterprise_contracts",
        verbose_name=_("account"),
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    start_date = models.DateField(_("term start"))
    end_date = models.DateField(_("term end"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    # R-PRG-1: an account-wide programme; default: the registry's default of that kind.
    programme_code = models.CharField(
        _("programme"), max_length=64, default=default_account_wide_code
    )
    distribution_partner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributed_contracts",
        verbose_name=_("distribution partner"),
    )
    csm = models.ForeignKey(
        "organisations.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="csm_contracts",
        verbose_name=_("customer success manager"),
    )
    professional_services_discount = models.DecimalField(
        _("professional-services discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    extra_csm_blocks = models.PositiveSmallIntegerField(
        _("extra CSM blocks (8 h a month each)"), default=0
    )
    technical_account_management = models.BooleanField(
        _("technical account management"), default=False
    )
    onsite_destruction = models.BooleanField(
        _("on-site destruction of replaced units"), default=False
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_term",
        verbose_name=_("previous term"),
    )
    proration_basis = models.CharField(
        _("proration basis"),
        max_length=8,
        blank=True,
        choices=PRORATION_BASIS_CHOICES,
        help_text=_("R-PE-5: empty = the programme's setting."),
    )
    upfront_order = models.ForeignKey(
        "billing.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("upfront order"),
    )
    renewal_quote = models.ForeignKey(
        "billing.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("renewal quote"),
        help_text=_("For a draft next term: the quote that proposes it."),
    )

    tenant_field = "account"
    objects = TenantManager.from_queryset(EnterpriseContractQuerySet)()

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("Poly+ Enterprise contract")
        verbose_name_plural = _("Poly+ Enterprise contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")), name="contract_term_order"
            )
        ]
        # The CSM's home: active contracts ending soon (portal.work, renewals).
        indexes = [models.Index(fields=["status", "end_date"], name="contract_status_end")]

    def __str__(self) -> str:
        return f"{self.reference} · {self.account}"

    @property
    def programme(self):  # type: ignore[no-untyped-def]
        """The programme's settings (``rules.programmes.Programme``)."""
        return programmes.programme(self.programme_code)


class ContractCategoryQuerySet(TenantQuerySet):
    def for_partner(self, scope: Scope) -> ContractCategoryQuerySet:
        return self.none()

    def for_distributor(self, scope: Scope) -> ContractCategoryQuerySet:
        return self.filter(contract__distribution_partner_id=scope.organisation_id)


class ContractCategory(models.Model):
    """R-PE-2: per category at term start: installed, growth, ordered, baseline."""

    contract = models.ForeignKey(
        EnterpriseContract, on_delete=models.CASCADE, related_name="categories"
    )
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, related_name="+")
    installed = models.PositiveIntegerField(_("installed"))
    growth = models.PositiveIntegerField(_("agreed growth"))
    ordered = models.PositiveIntegerField(_("ordered"))
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=4)
    unit_price = models.DecimalField(_("yearly unit price"), max_digits=12, decimal_places=2)

    tenant_field = "contract__account"
    objects = TenantManager.from_queryset(ContractCategoryQuerySet)()

    class Meta:
        ordering = ["contract_id", "category_id"]
        verbose_name = _("contract category")
        verbose_name_plural = _("contract categories")
        constraints = [
            models.UniqueConstraint(fields=["contract", "category"], name="uniq_contract_category")
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} · {self.category}"


class BaselineChangeQuerySet(TenantQuerySet):
    def for_partner(self, scope: Scope) -> BaselineChangeQuerySet:
        return self.none()

    def for_distributor(self, scope: Scope) -> BaselineChangeQuerySet:
        return self.filter(
            contract_category__contract__distribution_partner_id=scope.organisation_id
        )


class BaselineChange(models.Model):
    """Baseline history of a contract category: ordered and baseline in force from a date."""

    contract_category = models.ForeignKey(
        ContractCategory, on_delete=models.CASCADE, related_name="baseline_changes"
    )
    effective_from = models.DateField(_("in force from"))
    ordered = models.PositiveIntegerField(_("ordered"))
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=4)
    reason = models.CharField(_("reason"), max_length=16)  # term_start / adjustment
    adjustment = models.ForeignKey(
        "Adjustment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_field = "contract_category__contract__account"
    objects = TenantManager.from_queryset(BaselineChangeQuerySet)()

    class Meta:
        ordering = ["contract_category_id", "effective_from", "id"]
        verbose_name = _("baseline change")
        verbose_name_plural = _("baseline changes")

    def __str__(self) -> str:
        return f"{self.contract_category} from {self.effective_from}: {self.ordered}"


class AdjustmentStatus(models.TextChoices):
    DETECTED = "detected", _("Detected")
    QUOTED = "quoted", _("Quoted")
    PO_RECEIVED = "po_received", _("Purchase order received")
    APPLIED = "applied", _("Applied")
    # Not the contract's "Cancelled" (terminated): an adjustment is called off.
    CANCELLED = "cancelled", pgettext_lazy("adjustment status", "Cancelled")


OPEN_ADJUSTMENT_STATUSES = (
    AdjustmentStatus.DETECTED,
    AdjustmentStatus.QUOTED,
    AdjustmentStatus.PO_RECEIVED,
)


class AdjustmentQuerySet(ContractCategoryQuerySet):
    def open(self) -> AdjustmentQuerySet:
        return self.filter(status__in=OPEN_ADJUSTMENT_STATUSES)


class Adjustment(TimeStamped):
    """R-PE-5: a mid-term adjustment of one contract category."""

    contract = models.ForeignKey(
        EnterpriseContract, on_delete=models.CASCADE, related_name="adjustments"
    )
    contract_category = models.ForeignKey(
        ContractCategory, on_delete=models.CASCADE, related_name="adjustments"
    )
    month = models.DateField(
        _("adjustment month"), help_text=_("First day of the month it is made in.")
    )
    counted_on = models.DateField(
        _("counted on"), help_text=_("The month end whose count triggered it.")
    )
    count = models.PositiveIntegerField(_("count"))
    previous_ordered = models.PositiveIntegerField(_("ordered before"))
    added = models.PositiveIntegerField(_("added"))
    new_ordered = models.PositiveIntegerField(_("new ordered"))
    new_baseline = models.DecimalField(_("new baseline"), max_digits=12, decimal_places=4)
    unit_price = models.DecimalField(_("yearly unit price"), max_digits=12, decimal_places=2)
    basis = models.CharField(_("proration basis"), max_length=8, choices=PRORATION_BASIS_CHOICES)
    fraction = models.DecimalField(_("fraction of the term"), max_digits=12, decimal_places=8)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.DETECTED,
    )
    quote = models.ForeignKey(
        "billing.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quote"),
    )
    purchase_order_number = models.CharField(_("purchase order number"), max_length=64, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    tenant_field = "contract__account"
    objects = TenantManager.from_queryset(AdjustmentQuerySet)()

    class Meta:
        ordering = ["-month", "id"]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        # The CSM's home: open adjustments, oldest month first (portal.work).
        indexes = [models.Index(fields=["status", "month"], name="adjustment_status_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_category", "month"],
                condition=~models.Q(status="cancelled"),
                name="uniq_live_adjustment_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} · {self.contract_category.category} · {self.month:%Y-%m}"

    @property
    def new_baseline_shown(self) -> int:
        from decimal import ROUND_CEILING

        return int(self.new_baseline.to_integral_value(rounding=ROUND_CEILING))
