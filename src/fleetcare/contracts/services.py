"""Poly+ Enterprise use cases (R-PE-1..8): propose, create, adjust, renew.

Every figure comes from :mod:`fleetcare.rules.enterprise` with the programme's
settings (:func:`fleetcare.rules.programmes.load_programme`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fleetcare.billing.services import LineSpec, create_document, in_language_of, issue_document
from fleetcare.catalog.models import Category, ProductModel
from fleetcare.core.models import log_change, snapshot
from fleetcare.fleet.services import (
    category_counts_at,
    latest_model_counts,
    monthly_category_history,
)
from fleetcare.rules import enterprise as pe
from fleetcare.rules.calendars import month_ends, month_start, next_month_start, previous_month_end
from fleetcare.rules.money import round_money
from fleetcare.rules.programmes import Programme, load_programme

from .models import (
    OPEN_ADJUSTMENT_STATUSES,
    Adjustment,
    AdjustmentStatus,
    BaselineChange,
    ContractCategory,
    ContractStatus,
    EnterpriseContract,
)

CONTRACT_ROLES = {"csm", "vendor_admin"}
PO_ROLES = {"csm", "vendor_admin", "billing"}
HISTORY_MONTHS = 24
FORECAST_HORIZON_MONTHS = 12


def programme_of(contract: EnterpriseContract | None = None) -> Programme:
    return load_programme(contract.programme_code if contract else "poly_plus_enterprise")


def band_of(contract: EnterpriseContract | None = None) -> Decimal:
    band = programme_of(contract).band
    return band if band is not None else pe.DEFAULT_BAND


def basis_of(contract: EnterpriseContract) -> str:
    return contract.proration_basis or programme_of(contract).proration_basis


def require_csm(user: Any, roles: set[str] = CONTRACT_ROLES) -> None:
    if not (
        getattr(user, "is_superuser", False)
        or (getattr(user, "is_vendor_staff", False) and user.role in roles)
    ):
        raise PermissionDenied(_("Only a customer success manager may do this."))


def default_end(start: date, months: int) -> date:
    return pe.term_end(start, months)


# --------------------------------------------------------------------------- proposal


@dataclass
class CategoryProposal:
    code: str
    name: str
    installed: int
    growth: int
    growth_low: int
    growth_high: int
    method: str
    explanation: str
    unit_price: Decimal
    ordered: int
    baseline: Decimal
    baseline_shown: int
    history: list[int]
    history_months: int = 0  # monthly points the forecast was computed from

    @property
    def explanation_display(self) -> str:
        return forecast_explanation(
            self.method, self.history_months, self.growth, self.growth_low, self.growth_high
        )


@dataclass
class Proposal:
    account_id: int
    start_date: date
    end_date: date
    currency: str
    categories: list[CategoryProposal] = field(default_factory=list)
    quote_only: list[tuple[str, str, int]] = field(default_factory=list)  # sku, name, count
    end_of_support: list[tuple[str, str, int]] = field(default_factory=list)


def forecast_explanation(method: str, months: int, growth: int, low: int, high: int) -> str:
    """R-PE-7: why the forecast proposes this growth, in the active language. The rule's
    ``explanation`` is English (kept as it is in the API); the pages show this."""
    values = {
        "months": months,
        "growth": growth,
        "horizon": FORECAST_HORIZON_MONTHS,
        "low": low,
        "high": high,
    }
    if method == "linear_trend":
        return (
            _(
                "Linear trend over %(months)s months: +%(growth)s over %(horizon)s months "
                "(range %(low)s–%(high)s)."
            )
            % values
        )
    if method == "damped_holt":
        return (
            _(
                "Damped Holt trend over %(months)s months: +%(growth)s over %(horizon)s months "
                "(range %(low)s–%(high)s)."
            )
            % values
        )
    if months == 0:
        return _("No history: no trend to extend, growth 0.")
    return _("One month of history only: no trend to extend, growth 0.")


def _unit_prices(account_id: int, on: date) -> dict[str, Decimal]:
    """Proposed yearly unit price per category: the models' P+E prices weighted by count."""
    counts = latest_model_counts(account_id, on)
    totals: dict[str, list[Decimal]] = {}
    for m in ProductModel.objects.filter(pk__in=counts).select_related("category"):
        if m.pe_yearly_price is None:
            continue
        t = totals.setdefault(m.category.code, [Decimal(0), Decimal(0)])
        t[0] += m.pe_yearly_price * counts[m.pk]
        t[1] += counts[m.pk]
    fallback: dict[str, list[Decimal]] = {}
    for code, price in ProductModel.objects.filter(pe_yearly_price__isnull=False).values_list(
        "category__code", "pe_yearly_price"
    ):
        f = fallback.setdefault(code, [Decimal(0), Decimal(0)])
        f[0] += price
        f[1] += 1
    out = {code: round_money(s / n) for code, (s, n) in fallback.items() if n}
    out.update({code: round_money(s / n) for code, (s, n) in totals.items() if n})
    return out


def propose_contract(
    *, user: Any, account: Any, start_date: date | None = None, months: int | None = None
) -> Proposal:
    """R-PE-2 / R-PE-7: installed from the fleet, growth from the forecast, per category."""
    require_csm(user)
    prog = programme_of()
    start = start_date or timezone.localdate()
    end = default_end(start, months or prog.default_term_months)
    counted_on = min(start, timezone.localdate())
    counts = category_counts_at(counted_on, [account.pk]).get(account.pk, {})
    last_month = previous_month_end(counted_on)
    ends = month_ends(pe.add_months(month_start(last_month), 1 - HISTORY_MONTHS), last_month)
    history = monthly_category_history(account.pk, ends)
    prices = _unit_prices(account.pk, counted_on)
    band = band_of()
    proposal = Proposal(account.pk, start, end, account.currency)
    names = {c.code: str(c) for c in Category.objects.all()}
    for code in prog.covered_categories:
        cc = counts.get(code)
        installed = cc.count if cc else 0
        series = history.get(code, [])
        while series and series[0] == 0:
            series = series[1:]  # months before the first snapshot are not history
        points = series + ([installed] if not series or series[-1] != installed else [])
        fc = pe.forecast_growth(points, FORECAST_HORIZON_MONTHS)
        ordered = pe.ordered(installed, fc.growth)
        if installed == 0 and fc.growth == 0:
            continue
        proposal.categories.append(
            CategoryProposal(
                code,
                names.get(code, code),
                installed,
                fc.growth,
                fc.low,
                fc.high,
                fc.method,
                fc.explanation,
                prices.get(code, Decimal("0.00")),
                ordered,
                pe.baseline(ordered, band),
                pe.baseline_shown(ordered, band),
                series,
                len(points),
            )
        )
    for cc in counts.values():
        for sku, name, n, why in cc.not_counted:
            (proposal.quote_only if why == "quote_only" else proposal.end_of_support).append(
                (sku, name, n)
            )
    return proposal


# --------------------------------------------------------------------------- creation


@dataclass
class CategoryInput:
    code: str
    installed: int
    growth: int
    unit_price: Decimal


def _reference(account: Any, start: date) -> str:
    base = f"PE-{account.account_number or account.pk}-{start:%Y%m%d}"[:28]
    ref, i = base, 1
    while EnterpriseContract.objects.filter(reference=ref).exists():
        i += 1
        ref = f"{base}-{i}"
    return ref


def _validate_categories(categories: list[CategoryInput], prog: Programme) -> dict[str, Category]:
    errors: list[str] = []
    if not categories:
        errors.append(_("Choose at least one category."))
    seen: set[str] = set()
    cats = {c.code: c for c in Category.objects.filter(code__in=[c.code for c in categories])}
    for i, c in enumerate(categories):
        where = f"categories[{i}] ({c.code})"
        if c.code in seen:
            errors.append(f"{where}: " + _("listed twice"))
        seen.add(c.code)
        if c.code in prog.quote_only_classes or (c.code in cats and cats[c.code].quote_only):
            errors.append(f"{where}: " + _("a quote-only class needs a quote line of its own"))
        elif c.code not in prog.covered_categories or c.code not in cats:
            errors.append(f"{where}: " + _("not a category the programme covers"))
        if c.installed < 0 or c.growth < 0:
            errors.append(f"{where}: " + _("installed and growth must not be negative"))
        if c.unit_price is None or Decimal(c.unit_price) < 0:
            errors.append(f"{where}: " + _("the unit price must not be negative"))
    if errors:
        raise ValidationError({"categories": errors})
    return cats


def _upfront_lines(contract: EnterpriseContract, prog: Programme, recipient: Any) -> list[LineSpec]:
    """The upfront lines per category, described in the recipient's language."""
    g = prog.upfront_growth_share if prog.upfront_growth_share is not None else Decimal("0.5")
    lines = []
    for cc in contract.categories.select_related("category"):
        with in_language_of(recipient):
            name = str(cc.category)
            installed_text = _("%(category)s: installed devices, %(start)s – %(end)s") % {
                "category": name,
                "start": contract.start_date,
                "end": contract.end_date,
            }
            growth_text = _("%(category)s: agreed growth, share billed upfront %(share)s %%") % {
                "category": name,
                "share": f"{g * 100:.0f}",
            }
        if cc.installed:
            lines.append(
                LineSpec(
                    installed_text,
                    cc.installed,
                    cc.unit_price,
                    Decimal(1),
                    cc.category.code,
                )
            )
        if cc.growth:
            lines.append(
                LineSpec(
                    growth_text,
                    cc.growth,
                    cc.unit_price,
                    g,
                    cc.category.code,
                )
            )
        expected = pe.upfront_amount(cc.installed, cc.growth, cc.unit_price, g)
        got = sum((ln.amount for ln in lines if ln.sku == cc.category.code), Decimal(0))
        if got != expected:  # R-PE-3 is per category; the lines must add up to it
            raise ValidationError(
                _("Upfront lines for %(category)s give %(got)s, rule gives %(expected)s.")
                % {"category": str(cc.category), "got": got, "expected": expected}
            )
    return lines


@transaction.atomic
def create_contract(
    *,
    user: Any,
    account: Any,
    start_date: date,
    end_date: date | None = None,
    currency: str | None = None,
    categories: list[CategoryInput],
    distribution_partner: Any = None,
    professional_services_discount: Decimal = Decimal(0),
    extra_csm_blocks: int = 0,
    technical_account_management: bool = False,
    onsite_destruction: bool = False,
    proration_basis: str = "",
    previous: Any = None,
    status: str = ContractStatus.ACTIVE,
) -> EnterpriseContract:
    """R-PE-1..3, R-PE-8: a contract with its categories and, when active, its upfront order
    (a numbered document)."""
    require_csm(user)
    prog = programme_of()
    end_date = end_date or default_end(start_date, prog.default_term_months)
    errors: dict[str, Any] = {}
    if account.kind != "customer":
        errors["account"] = _("A contract covers a customer account.")
    if end_date <= start_date:
        errors["end_date"] = _("The term must end after it starts.")
    if distribution_partner is not None and distribution_partner.kind != "distribution_partner":
        errors["distribution_partner"] = _("Choose a distribution partner.")
    if not (0 <= Decimal(professional_services_discount) <= 100):
        errors["professional_services_discount"] = _("A percentage between 0 and 100.")
    if proration_basis not in ("", "monthly", "daily"):
        errors["proration_basis"] = _("monthly or daily.")
    overlapping = EnterpriseContract.objects.filter(
        account=account,
        status__in=[ContractStatus.ACTIVE],
        start_date__lte=end_date,
        end_date__gte=start_date,
    )
    if previous is not None:
        overlapping = overlapping.exclude(pk=previous.pk)
    if status == ContractStatus.ACTIVE and overlapping.exists():
        errors["start_date"] = _("The account already has an active contract in that term.")
    if errors:
        raise ValidationError(errors)
    cats = _validate_categories(categories, prog)
    band = band_of()
    contract = EnterpriseContract.objects.create(
        account=account,
        reference=_reference(account, start_date),
        start_date=start_date,
        end_date=end_date,
        currency=(currency or account.currency).upper(),
        status=status,
        distribution_partner=distribution_partner,
        csm=user,
        professional_services_discount=professional_services_discount,
        extra_csm_blocks=extra_csm_blocks,
        technical_account_management=technical_account_management,
        onsite_destruction=onsite_destruction,
        proration_basis=proration_basis,
        previous=previous,
    )
    for c in categories:
        ordered = pe.ordered(c.installed, c.growth)
        cc = ContractCategory.objects.create(
            contract=contract,
            category=cats[c.code],
            installed=c.installed,
            growth=c.growth,
            ordered=ordered,
            baseline=pe.baseline(ordered, band),
            unit_price=Decimal(c.unit_price),
        )
        BaselineChange.objects.create(
            contract_category=cc,
            effective_from=start_date,
            ordered=ordered,
            baseline=cc.baseline,
            reason="term_start",
        )
    log_change(contract, "contract.created", user)
    if status == ContractStatus.ACTIVE:
        _issue_upfront_order(contract, user)
    return contract


def _issue_upfront_order(contract: EnterpriseContract, user: Any) -> None:
    prog = programme_of(contract)
    with in_language_of(contract.account):
        title = _("Poly+ Enterprise %(reference)s: upfront order") % {
            "reference": contract.reference
        }
    lines = _upfront_lines(contract, prog, contract.account)
    doc = create_document(
        kind="order",
        purpose="pe_upfront_order",
        programme="pe",
        account=contract.account,
        currency=contract.currency,
        title=title,
        lines=lines,
        actor=user,
        source_key=f"pe-upfront:{contract.pk}",
        period=(contract.start_date, contract.end_date),
    )
    issue_document(doc, user)
    contract.upfront_order = doc
    contract.save(update_fields=["upfront_order", "updated_at"])


# --------------------------------------------------------------------------- in force


def in_force_figures(contract: EnterpriseContract, on: date) -> dict[int, BaselineChange]:
    """Ordered and baseline in force on ``on`` per contract category id (baseline history)."""
    out: dict[int, BaselineChange] = {}
    for bc in BaselineChange.objects.filter(
        contract_category__contract=contract, effective_from__lte=on
    ).order_by("effective_from", "id"):
        out[bc.contract_category_id] = bc
    return out


# --------------------------------------------------------------------------- adjustments


def open_adjustment(
    contract: EnterpriseContract,
    cc: ContractCategory,
    counted_on: date,
    count: int,
    ordered_now: int,
    actor: Any = None,
) -> Adjustment | None:
    """R-PE-5: a detected adjustment for the month after ``counted_on`` (idempotent)."""
    band = band_of(contract)
    month = next_month_start(counted_on)
    if month > contract.end_date:
        return None
    if Adjustment.objects.filter(
        contract_category=cc, status__in=OPEN_ADJUSTMENT_STATUSES
    ).exists():
        return None
    if (
        Adjustment.objects.filter(contract_category=cc, month=month)
        .exclude(status=AdjustmentStatus.CANCELLED)
        .exists()
    ):
        return None
    adj = pe.adjustment(count, ordered_now, band)
    basis = basis_of(contract)
    exact = pe.proration_fraction_exact(contract.start_date, contract.end_date, month, basis)
    fraction = pe.proration_fraction(contract.start_date, contract.end_date, month, basis)
    try:
        with transaction.atomic():
            obj = Adjustment.objects.create(
                contract=contract,
                contract_category=cc,
                month=month,
                counted_on=counted_on,
                count=count,
                previous_ordered=ordered_now,
                added=adj.added,
                new_ordered=adj.new_ordered,
                new_baseline=adj.new_baseline,
                unit_price=cc.unit_price,
                basis=basis,
                fraction=round(fraction, 8),
                amount=pe.adjustment_amount(adj.added, cc.unit_price, exact),
            )
    except IntegrityError:
        return None
    log_change(obj, "adjustment.detected", actor)
    return obj


def detect_adjustments(now_date: date, actor: Any = None) -> list[Adjustment]:
    """Month-end check (R-PE-4/5): for each active contract, the last completed month's count
    against the baseline in force; opens an adjustment where the count reached it."""
    last_month_end = previous_month_end(now_date)
    contracts = list(
        EnterpriseContract.objects.filter(
            status__in=[ContractStatus.ACTIVE, ContractStatus.RENEWED],
            start_date__lte=last_month_end,
            end_date__gt=last_month_end,
        ).prefetch_related("categories__category")
    )
    if not contracts:
        return []
    counts = category_counts_at(last_month_end, [c.account_id for c in contracts])
    opened = []
    for contract in contracts:
        figures = in_force_figures(contract, last_month_end)
        band = band_of(contract)
        for cc in contract.categories.all():
            bc = figures.get(cc.pk)
            ordered_now = bc.ordered if bc else cc.ordered
            count_cc = counts.get(contract.account_id, {}).get(cc.category.code)
            count = count_cc.count if count_cc else 0
            if pe.monthly_status(count, ordered_now, band).adjustment_due:
                adj = open_adjustment(contract, cc, last_month_end, count, ordered_now, actor)
                if adj is not None:
                    opened.append(adj)
    return opened


def _locked(adjustment: Adjustment) -> Adjustment:
    return (
        Adjustment.objects.select_for_update(of=("self",))
        .select_related(
            "contract__account", "contract__distribution_partner", "contract_category__category"
        )
        .get(pk=adjustment.pk)
    )


# An adjustment moved out of order: one complete sentence per action.
OUT_OF_ORDER = {
    "quote": gettext_lazy(
        "Cannot issue the quote: the adjustment is %(status)s; it must be detected."
    ),
    "purchase_order": gettext_lazy(
        "Cannot record the purchase order: the adjustment is %(status)s; it must be quoted."
    ),
    "apply": gettext_lazy(
        "Cannot apply: the adjustment is %(status)s; it must be purchase order received."
    ),
    "cancel": gettext_lazy(
        "Cannot cancel: the adjustment is %(status)s; it must be detected, quoted or awaiting "
        "its purchase order."
    ),
}


def _refuse(adj: Adjustment, action: str) -> None:
    raise ValidationError(str(OUT_OF_ORDER[action]) % {"status": adj.get_status_display().lower()})


@transaction.atomic
def quote_adjustment(*, user: Any, adjustment: Adjustment) -> Adjustment:
    """R-PE-5 / R-MON-2: the numbered quote, addressed to the distribution partner on the
    customer's behalf, with the prorated value."""
    require_csm(user)
    adj = _locked(adjustment)
    if adj.status != AdjustmentStatus.DETECTED:
        _refuse(adj, "quote")
    contract = adj.contract
    if contract.distribution_partner is None:
        raise ValidationError(
            _("The contract has no distribution partner to address the quote to: set one first.")
        )
    before = snapshot(adj)
    period_end = contract.end_date
    with in_language_of(contract.distribution_partner):
        description = _(
            "%(category)s: %(added)s devices added (%(count)s counted on %(counted_on)s, "
            "ordered %(ordered)s), billed %(start)s – %(end)s (%(basis)s proration)"
        ) % {
            "category": str(adj.contract_category.category),
            "added": adj.added,
            "count": adj.count,
            "counted_on": adj.counted_on,
            "ordered": adj.previous_ordered,
            "start": adj.month,
            "end": period_end,
            "basis": str(adj.get_basis_display()).lower(),
        }
        title = _(
            "Poly+ Enterprise %(reference)s: adjustment %(month)s on behalf of %(account)s"
        ) % {
            "reference": contract.reference,
            "month": f"{adj.month:%Y-%m}",
            "account": contract.account.name,
        }
    line = LineSpec(
        description,
        adj.added,
        adj.unit_price,
        adj.fraction,
        adj.contract_category.category.code,
    )
    if line.amount != adj.amount:  # factor stored to 8 places; keep the exact amount
        line = LineSpec(
            line.description,
            adj.added,
            adj.unit_price,
            Decimal(adj.amount) / (adj.added * adj.unit_price),
            line.sku,
        )
    doc = create_document(
        kind="quote",
        purpose="pe_adjustment_quote",
        programme="pe",
        account=contract.account,
        addressed_to=contract.distribution_partner,
        currency=contract.currency,
        title=title,
        lines=[line],
        actor=user,
        source_key=f"pe-adjustment:{adj.pk}",
        period=(adj.month, period_end),
    )
    issue_document(doc, user)
    adj.quote = doc
    adj.status = AdjustmentStatus.QUOTED
    adj.save(update_fields=["quote", "status", "updated_at"])
    log_change(adj, "adjustment.quoted", user, before=before)
    return adj


@transaction.atomic
def record_purchase_order(*, user: Any, adjustment: Adjustment, number: str) -> Adjustment:
    require_csm(user, PO_ROLES)
    adj = _locked(adjustment)
    if adj.status != AdjustmentStatus.QUOTED:
        _refuse(adj, "purchase_order")
    number = (number or "").strip()
    if not number:
        raise ValidationError({"purchase_order_number": _("Enter the purchase order number.")})
    before = snapshot(adj)
    adj.purchase_order_number = number[:64]
    adj.status = AdjustmentStatus.PO_RECEIVED
    adj.save(update_fields=["purchase_order_number", "status", "updated_at"])
    log_change(adj, "adjustment.po_received", user, before=before)
    return adj


@transaction.atomic
def apply_adjustment(*, user: Any, adjustment: Adjustment) -> Adjustment:
    """New ordered and baseline in force from the first day of the adjustment month."""
    require_csm(user)
    adj = _locked(adjustment)
    if adj.status != AdjustmentStatus.PO_RECEIVED:
        _refuse(adj, "apply")
    before = snapshot(adj)
    cc = ContractCategory.objects.select_for_update().get(pk=adj.contract_category_id)
    cc_before = snapshot(cc)
    cc.ordered = adj.new_ordered
    cc.baseline = adj.new_baseline
    cc.save(update_fields=["ordered", "baseline"])
    BaselineChange.objects.create(
        contract_category=cc,
        effective_from=adj.month,
        ordered=adj.new_ordered,
        baseline=adj.new_baseline,
        reason="adjustment",
        adjustment=adj,
    )
    adj.status = AdjustmentStatus.APPLIED
    adj.save(update_fields=["status", "updated_at"])
    log_change(cc, "contract_category.adjusted", user, before=cc_before)
    log_change(adj, "adjustment.applied", user, before=before)
    return adj


@transaction.atomic
def cancel_adjustment(*, user: Any, adjustment: Adjustment, reason: str = "") -> Adjustment:
    require_csm(user)
    adj = _locked(adjustment)
    if adj.status not in OPEN_ADJUSTMENT_STATUSES:
        _refuse(adj, "cancel")
    before = snapshot(adj)
    adj.status = AdjustmentStatus.CANCELLED
    adj.cancel_reason = (reason or "").strip()[:300]
    adj.save(update_fields=["status", "cancel_reason", "updated_at"])
    if adj.quote is not None and adj.quote.status == "issued":
        from fleetcare.billing.services import void_document

        with in_language_of(adj.quote.addressed_to):
            reason = _("Adjustment cancelled. %(reason)s") % {"reason": adj.cancel_reason}
        void_document(adj.quote, user, reason=reason.strip())
    log_change(adj, "adjustment.cancelled", user, before=before)
    return adj


# --------------------------------------------------------------------------- renewal


@dataclass
class RenewalLine:
    code: str
    name: str
    count: int
    growth: int
    growth_low: int
    growth_high: int
    explanation: str
    ordered: int
    baseline: Decimal
    unit_price: Decimal
    method: str = ""
    history_months: int = 0  # monthly points the forecast was computed from

    @property
    def explanation_display(self) -> str:
        return forecast_explanation(
            self.method, self.history_months, self.growth, self.growth_low, self.growth_high
        )


def propose_renewal(
    *, user: Any, contract: EnterpriseContract, on: date | None = None
) -> list[RenewalLine]:
    """R-PE-6 / R-PE-7: next term's installed = the count now (adjusted devices included),
    growth from the forecast."""
    require_csm(user)
    on = min(on or timezone.localdate(), contract.end_date)
    counts = category_counts_at(on, [contract.account_id]).get(contract.account_id, {})
    last_month = previous_month_end(on)
    ends = month_ends(pe.add_months(month_start(last_month), 1 - HISTORY_MONTHS), last_month)
    history = monthly_category_history(contract.account_id, ends)
    band = band_of(contract)
    out = []
    for cc in contract.categories.select_related("category"):
        count = counts[cc.category.code].count if cc.category.code in counts else 0
        series = list(history.get(cc.category.code, []))
        while series and series[0] == 0:
            series = series[1:]
        points = series + [count]
        fc = pe.forecast_growth(points, FORECAST_HORIZON_MONTHS)
        r = pe.renewal(count, fc.growth, band)
        out.append(
            RenewalLine(
                cc.category.code,
                str(cc.category),
                count,
                fc.growth,
                fc.low,
                fc.high,
                fc.explanation,
                r.ordered,
                r.baseline,
                cc.unit_price,
                fc.method,
                len(points),
            )
        )
    return out


@transaction.atomic
def create_renewal_quote(
    *,
    user: Any,
    contract: EnterpriseContract,
    categories: list[CategoryInput] | None = None,
    on: date | None = None,
) -> EnterpriseContract:
    """A draft next term (``previous`` = this one) and its numbered renewal quote."""
    require_csm(user)
    contract = EnterpriseContract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError(_("Only an active contract can be renewed."))
    if (
        EnterpriseContract.objects.filter(previous=contract)
        .exclude(status=ContractStatus.CANCELLED)
        .exists()
    ):
        raise ValidationError(_("A renewal of this contract already exists."))
    if categories is None:
        categories = [
            CategoryInput(r.code, r.count, r.growth, r.unit_price)
            for r in propose_renewal(user=user, contract=contract, on=on)
        ]
    start = contract.end_date + timedelta(days=1)
    months = round((contract.end_date - contract.start_date).days / 30.44)
    nxt = create_contract(
        user=user,
        account=contract.account,
        start_date=start,
        end_date=default_end(start, months or programme_of(contract).default_term_months),
        currency=contract.currency,
        categories=categories,
        distribution_partner=contract.distribution_partner,
        professional_services_discount=contract.professional_services_discount,
        extra_csm_blocks=contract.extra_csm_blocks,
        technical_account_management=contract.technical_account_management,
        onsite_destruction=contract.onsite_destruction,
        proration_basis=contract.proration_basis,
        previous=contract,
        status=ContractStatus.DRAFT,
    )
    prog = programme_of(nxt)
    with in_language_of(nxt.distribution_partner or nxt.account):
        title = _("Poly+ Enterprise renewal %(reference)s (%(start)s – %(end)s)") % {
            "reference": nxt.reference,
            "start": nxt.start_date,
            "end": nxt.end_date,
        }
    lines = _upfront_lines(nxt, prog, nxt.distribution_partner or nxt.account)
    doc = create_document(
        kind="quote",
        purpose="pe_renewal_quote",
        programme="pe",
        account=nxt.account,
        addressed_to=nxt.distribution_partner,
        currency=nxt.currency,
        title=title,
        lines=lines,
        actor=user,
        source_key=f"pe-renewal:{nxt.pk}",
        period=(nxt.start_date, nxt.end_date),
    )
    issue_document(doc, user)
    nxt.renewal_quote = doc
    nxt.save(update_fields=["renewal_quote", "updated_at"])
    log_change(nxt, "contract.renewal_quoted", user)
    return nxt


@transaction.atomic
def accept_renewal(*, user: Any, contract: EnterpriseContract) -> EnterpriseContract:
    """Accepting the renewal quote starts the new term: it becomes active (with its upfront
    order, billed before it starts) and the previous term is marked renewed."""
    require_csm(user)
    nxt = EnterpriseContract.objects.select_for_update().get(pk=contract.pk)
    if (
        nxt.status != ContractStatus.DRAFT
        or nxt.previous_id is None
        or nxt.renewal_quote_id is None
    ):
        raise ValidationError(_("Only a quoted renewal (a draft next term) can be accepted."))
    prev = EnterpriseContract.objects.select_for_update().get(pk=nxt.previous_id)
    before_prev, before = snapshot(prev), snapshot(nxt)
    prev.status = ContractStatus.RENEWED
    prev.save(update_fields=["status", "updated_at"])
    nxt.status = ContractStatus.ACTIVE
    nxt.save(update_fields=["status", "updated_at"])
    _issue_upfront_order(nxt, user)
    log_change(prev, "contract.renewed", user, before=before_prev)
    log_change(nxt, "contract.renewal_accepted", user, before=before)
    return nxt
