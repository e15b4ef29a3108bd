"""Yearly renewal (R-PE-6): the next term's proposal, its quote, acceptance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.billing import titles
from fleetcare.billing.services import create_document, in_language_of, issue_document
from fleetcare.contracts.models import (
    ContractStatus,
    EnterpriseContract,
)
from fleetcare.contracts.services.common import (
    FORECAST_HORIZON_MONTHS,
    HISTORY_MONTHS,
    band_of,
    default_end,
    programme_of,
    require_csm,
)
from fleetcare.contracts.services.creation import (
    CategoryInput,
    _issue_upfront_order,
    _upfront_lines,
    create_contract,
)
from fleetcare.contracts.services.proposal import forecast_explanation, unit_prices
from fleetcare.core.changelog import changelog, log_change
from fleetcare.fleet.services import (
    category_counts_at,
    monthly_category_history,
)
from fleetcare.rules import enterprise as pe
from fleetcare.rules.calendars import month_ends, month_start, previous_month_end


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
    *, actor: Any, contract: EnterpriseContract, on: date | None = None
) -> list[RenewalLine]:
    """R-PE-6 / R-PE-7: next term's installed = the count now (adjusted devices included),
    growth from the forecast, unit prices from the current price list of the contract's
    currency (a counted model not sold in it is refused, naming model and currency)."""
    require_csm(actor)
    on = min(on or timezone.localdate(), contract.end_date)
    counts = category_counts_at(on, [contract.account_id]).get(contract.account_id, {})
    last_month = previous_month_end(on)
    ends = month_ends(pe.add_months(month_start(last_month), 1 - HISTORY_MONTHS), last_month)
    history = monthly_category_history(contract.account_id, ends)
    band = band_of(contract)
    cats = list(contract.categories.select_related("category"))
    prices = unit_prices(
        contract.account_id, on, contract.currency, {cc.category.code for cc in cats}
    )
    out = []
    for cc in cats:
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
                prices.get(cc.category.code, cc.unit_price),
                fc.method,
                len(points),
            )
        )
    return out


@transaction.atomic
def create_renewal_quote(
    *,
    actor: Any,
    contract: EnterpriseContract,
    categories: list[CategoryInput] | None = None,
    on: date | None = None,
) -> EnterpriseContract:
    """A draft next term (``previous`` = this one) and its numbered renewal quote."""
    require_csm(actor)
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
            for r in propose_renewal(actor=actor, contract=contract, on=on)
        ]
    start = contract.end_date + timedelta(days=1)
    months = round((contract.end_date - contract.start_date).days / 30.44)
    nxt = create_contract(
        actor=actor,
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
        programme_code=contract.programme_code,
    )
    prog = programme_of(nxt)
    with in_language_of(nxt.distribution_partner or nxt.account):
        title = titles.PE_RENEWAL.message(
            reference=nxt.reference,
            start=nxt.start_date.isoformat(),
            end=nxt.end_date.isoformat(),
        )
    lines = _upfront_lines(nxt, prog)
    doc = create_document(
        kind="quote",
        purpose="pe_renewal_quote",
        programme=nxt.programme_code,
        account=nxt.account,
        addressed_to=nxt.distribution_partner,
        currency=nxt.currency,
        title=title,
        lines=lines,
        actor=actor,
        source_key=f"pe-renewal:{nxt.pk}",
        period=(nxt.start_date, nxt.end_date),
    )
    issue_document(doc, actor=actor)
    nxt.renewal_quote = doc
    nxt.save(update_fields=["renewal_quote", "updated_at"])
    log_change(nxt, "contract.renewal_quoted", actor=actor)
    return nxt


@transaction.atomic
def accept_renewal(*, actor: Any, contract: EnterpriseContract) -> EnterpriseContract:
    """Accepting the renewal quote starts the new term: it becomes active (with its upfront
    order, billed before it starts) and the previous term is marked renewed."""
    require_csm(actor)
    nxt = EnterpriseContract.objects.select_for_update().get(pk=contract.pk)
    if (
        nxt.status != ContractStatus.DRAFT
        or nxt.previous_id is None
        or nxt.renewal_quote_id is None
    ):
        raise ValidationError(_("Only a quoted renewal (a draft next term) can be accepted."))
    prev = EnterpriseContract.objects.select_for_update().get(pk=nxt.previous_id)
    with changelog(prev, "contract.renewed", actor=actor):
        prev.status = ContractStatus.RENEWED
        prev.save(update_fields=["status", "updated_at"])
    with changelog(nxt, "contract.renewal_accepted", actor=actor):
        nxt.status = ContractStatus.ACTIVE
        nxt.save(update_fields=["status", "updated_at"])
        _issue_upfront_order(nxt, actor)
    return nxt
