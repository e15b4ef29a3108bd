"""Mid-term adjustments (R-PE-5): detected, quoted to the distribution partner, purchase order, applied or cancelled."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fleetcare.billing import titles
from fleetcare.billing.services import LineSpec, create_document, in_language_of, issue_document
from fleetcare.contracts.models import (
    OPEN_ADJUSTMENT_STATUSES,
    Adjustment,
    AdjustmentStatus,
    BaselineChange,
    ContractCategory,
    ContractStatus,
    EnterpriseContract,
)
from fleetcare.contracts.permissions import can_record_purchase_order
from fleetcare.contracts.services.common import (
    band_of,
    basis_of,
    require_csm,
    service_sku,
)
from fleetcare.contracts.services.creation import in_force_figures
from fleetcare.core.changelog import changelog, log_change
from fleetcare.fleet.services import (
    category_counts_at,
)
from fleetcare.rules import enterprise as pe
from fleetcare.rules.calendars import next_month_start, previous_month_end
from fleetcare.webhooks import payloads as webhook_events


def open_adjustment(
    contract: EnterpriseContract,
    cc: ContractCategory,
    counted_on: date,
    count: int,
    ordered_now: int,
    *,
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
    log_change(obj, "adjustment.detected", actor=actor)
    return obj


def detect_adjustments(now_date: date, *, actor: Any = None) -> list[Adjustment]:
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
                adj = open_adjustment(contract, cc, last_month_end, count, ordered_now, actor=actor)
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
def quote_adjustment(*, actor: Any, adjustment: Adjustment) -> Adjustment:
    """R-PE-5 / R-MON-2: the numbered quote, addressed to the distribution partner on the
    customer's behalf, with the prorated value."""
    require_csm(actor)
    adj = _locked(adjustment)
    if adj.status != AdjustmentStatus.DETECTED:
        _refuse(adj, "quote")
    contract = adj.contract
    if contract.distribution_partner is None:
        raise ValidationError(
            _("The contract has no distribution partner to address the quote to: set one first.")
        )
    with changelog(adj, "adjustment.quoted", actor=actor):
        period_end = contract.end_date
        description = titles.LINE_PE_ADJUSTMENT.message(
            category=adj.contract_category.category.code,
            added=adj.added,
            count=adj.count,
            counted_on=adj.counted_on.isoformat() if adj.counted_on else None,
            ordered=adj.previous_ordered,
            start=adj.month.isoformat(),
            end=period_end.isoformat(),
            basis=adj.basis,
        )
        title = titles.PE_ADJUSTMENT.message(
            reference=contract.reference,
            month=adj.month.isoformat(),
            account=contract.account.name,
        )
        line = LineSpec(
            description,
            adj.added,
            adj.unit_price,
            adj.fraction,
            service_sku(adj.contract_category.category.code),
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
            programme=contract.programme_code,
            account=contract.account,
            addressed_to=contract.distribution_partner,
            currency=contract.currency,
            title=title,
            lines=[line],
            actor=actor,
            source_key=f"pe-adjustment:{adj.pk}",
            period=(adj.month, period_end),
        )
        issue_document(doc, actor=actor)
        adj.quote = doc
        adj.status = AdjustmentStatus.QUOTED
        adj.save(update_fields=["quote", "status", "updated_at"])
    webhook_events.adjustment("adjustment.quoted", adj)
    return adj


@transaction.atomic
def record_purchase_order(*, actor: Any, adjustment: Adjustment, number: str) -> Adjustment:
    require_csm(actor, can_record_purchase_order)
    adj = _locked(adjustment)
    if adj.status != AdjustmentStatus.QUOTED:
        _refuse(adj, "purchase_order")
    number = (number or "").strip()
    if not number:
        raise ValidationError({"purchase_order_number": _("Enter the purchase order number.")})
    with changelog(adj, "adjustment.po_received", actor=actor):
        adj.purchase_order_number = number[:64]
        adj.status = AdjustmentStatus.PO_RECEIVED
        adj.save(update_fields=["purchase_order_number", "status", "updated_at"])
    return adj


@transaction.atomic
def apply_adjustment(*, actor: Any, adjustment: Adjustment) -> Adjustment:
    """New ordered and baseline in force from the first day of the adjustment month."""
    require_csm(actor)
    adj = _locked(adjustment)
    if adj.status != AdjustmentStatus.PO_RECEIVED:
        _refuse(adj, "apply")
    with changelog(adj, "adjustment.applied", actor=actor):
        cc = ContractCategory.objects.select_for_update().get(pk=adj.contract_category_id)
        with changelog(cc, "contract_category.adjusted", actor=actor):
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
    return adj


@transaction.atomic
def cancel_adjustment(*, actor: Any, adjustment: Adjustment, reason: str = "") -> Adjustment:
    require_csm(actor)
    adj = _locked(adjustment)
    if adj.status not in OPEN_ADJUSTMENT_STATUSES:
        _refuse(adj, "cancel")
    with changelog(adj, "adjustment.cancelled", actor=actor):
        adj.status = AdjustmentStatus.CANCELLED
        adj.cancel_reason = (reason or "").strip()[:300]
        adj.save(update_fields=["status", "cancel_reason", "updated_at"])
        if adj.quote is not None and adj.quote.status == "issued":
            from fleetcare.billing.services import void_document

            with in_language_of(adj.quote.addressed_to):
                reason = _("Adjustment cancelled. %(reason)s") % {"reason": adj.cancel_reason}
            void_document(adj.quote, actor=actor, reason=reason.strip())
    return adj
