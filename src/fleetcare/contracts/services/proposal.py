"""Proposing a contract (R-PE-2, R-PE-7): installed counts, the explained growth forecast, unit prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.catalog.models import Category, ProductModel, ProductPrice
from fleetcare.contracts.services.common import (
    FORECAST_HORIZON_MONTHS,
    HISTORY_MONTHS,
    band_of,
    default_end,
    programme_of,
    require_csm,
)
from fleetcare.core.currency import clean_currency
from fleetcare.fleet.services import (
    category_counts_at,
    latest_model_counts,
    monthly_category_history,
)
from fleetcare.rules import enterprise as pe
from fleetcare.rules.calendars import month_ends, month_start, previous_month_end
from fleetcare.rules.money import round_money


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


def unit_prices(
    account_id: int, on: date, currency: str, categories: set[str] | None = None
) -> dict[str, Decimal]:
    """Proposed yearly unit price per category, from the ``currency`` price list (R-CAT-1):
    the counted models' P+E prices weighted by count; a category with no counted model
    takes the plain mean of its models' prices in that list.

    A counted model of a covered category that the vendor does not sell in ``currency``
    is a refusal (``MissingPrice`` naming the model and currency), never another
    currency's price. Models without a P+E price (quote-only) are not counted here."""
    counts = latest_model_counts(account_id, on)
    covered = set(programme_of().covered_categories) if categories is None else categories
    totals: dict[str, list[Decimal]] = {}
    models = ProductModel.objects.filter(pk__in=counts, category__code__in=covered)
    for m in models.select_related("category").prefetch_related("prices").order_by("sku"):
        entry = m.price_in(currency)  # refuses when the model is not sold in the currency
        if entry.pe_yearly_price is None:
            continue
        t = totals.setdefault(m.category.code, [Decimal(0), Decimal(0)])
        t[0] += entry.pe_yearly_price * counts[m.pk]
        t[1] += counts[m.pk]
    fallback: dict[str, list[Decimal]] = {}
    for code, price in ProductPrice.objects.filter(
        currency=currency.upper(), pe_yearly_price__isnull=False
    ).values_list("product_model__category__code", "pe_yearly_price"):
        f = fallback.setdefault(code, [Decimal(0), Decimal(0)])
        f[0] += price
        f[1] += 1
    out = {code: round_money(s / n) for code, (s, n) in fallback.items() if n}
    out.update({code: round_money(s / n) for code, (s, n) in totals.items() if n})
    return out


def propose_contract(
    *,
    actor: Any,
    account: Any,
    start_date: date | None = None,
    months: int | None = None,
    currency: str | None = None,
) -> Proposal:
    """R-PE-2 / R-PE-7: installed from the fleet, growth from the forecast, per category;
    unit prices from the price list of ``currency`` (default: the account's)."""
    require_csm(actor)
    currency = clean_currency(currency or account.currency)
    prog = programme_of()
    start = start_date or timezone.localdate()
    end = default_end(start, months or prog.default_term_months)
    counted_on = min(start, timezone.localdate())
    counts = category_counts_at(counted_on, [account.pk]).get(account.pk, {})
    last_month = previous_month_end(counted_on)
    ends = month_ends(pe.add_months(month_start(last_month), 1 - HISTORY_MONTHS), last_month)
    history = monthly_category_history(account.pk, ends)
    prices = unit_prices(account.pk, counted_on, currency)
    band = band_of()
    proposal = Proposal(account.pk, start, end, currency)
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
