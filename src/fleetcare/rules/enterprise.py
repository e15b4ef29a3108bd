"""Account-wide contract arithmetic, after Poly+ Enterprise (R-PE-2 .. R-PE-7).

Plain values in, plain values out: counts are ints, prices and fractions Decimals.
The band (+5 %), the upfront growth share ``g`` and the proration basis are settings
of the contract's ``account_wide`` programme file; the defaults here are only those
of the founding programme's file, for convenience in tests.
"""

from __future__ import annotations

import math
import warnings
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

import numpy as np

from .money import round_fraction, round_money

__all__ = [
    "DEFAULT_BAND",
    "Adjustment",
    "GrowthForecast",
    "MonthlyStatus",
    "ProrationBasis",
    "Renewal",
    "add_months",
    "adjustment",
    "adjustment_amount",
    "baseline",
    "baseline_shown",
    "forecast_growth",
    "monthly_status",
    "ordered",
    "proration_fraction",
    "proration_fraction_exact",
    "renewal",
    "upfront_amount",
]

DEFAULT_BAND = Decimal("0.05")
ProrationBasis = Literal["monthly", "daily"]


def _non_negative(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")


def ordered(installed: int, growth: int) -> int:
    """R-PE-2: ``ordered = installed + growth``."""
    _non_negative(installed=installed, growth=growth)
    return installed + growth


def baseline(ordered: int, band: Decimal = DEFAULT_BAND) -> Decimal:
    """R-PE-2: ``baseline = ordered x (1 + band)``, exact decimal (220 → 231.00)."""
    _non_negative(ordered=ordered)
    return Decimal(ordered) * (1 + band)


def baseline_shown(ordered: int, band: Decimal = DEFAULT_BAND) -> int:
    """R-PE-2: the baseline shown rounded up to a whole device (231 → 231, 242.55 → 243)."""
    return int(baseline(ordered, band).to_integral_value(rounding=ROUND_CEILING))


def upfront_amount(installed: int, growth: int, unit: Decimal, g: Decimal) -> Decimal:
    """R-PE-3: ``installed x unit + growth x unit x g``, half up to the cent."""
    _non_negative(installed=installed, growth=growth)
    return round_money(installed * unit + growth * unit * g)


@dataclass(frozen=True, slots=True)
class MonthlyStatus:
    """R-PE-4: one category's month-end count against ``ordered`` and the baseline."""

    count: int
    ordered: int
    baseline: Decimal
    increase_pct: Decimal | None  # over ordered, 2 decimals; None when ordered is 0
    adjustment_due: bool

    @property
    def status(self) -> str:
        """``"adjustment_due"`` or ``"within"``."""
        return "adjustment_due" if self.adjustment_due else "within"


def monthly_status(count: int, ordered: int, band: Decimal = DEFAULT_BAND) -> MonthlyStatus:
    """R-PE-4: an adjustment is due when ``count >= ordered x (1 + band)`` (and count > ordered).

    Ordered 220, baseline 231: 230 is within, 231 triggers.
    """
    _non_negative(count=count, ordered=ordered)
    base = baseline(ordered, band)
    pct = (
        None
        if ordered == 0
        else (Decimal(count - ordered) * 100 / ordered).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    )
    return MonthlyStatus(count, ordered, base, pct, count >= base and count > ordered)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """R-PE-5: devices added and the new ordered quantity and baseline."""

    added: int
    new_ordered: int
    new_baseline: Decimal

    @property
    def new_baseline_shown(self) -> int:
        """New baseline rounded up to a whole device."""
        return int(self.new_baseline.to_integral_value(rounding=ROUND_CEILING))


def adjustment(count: int, ordered: int, band: Decimal = DEFAULT_BAND) -> Adjustment:
    """R-PE-5: ``added = count - ordered``; new ordered = count; new baseline = count x 1.05.

    Raises ValueError when the count does not exceed ``ordered`` (nothing to add), so
    an adjustment never lowers the baseline.
    """
    _non_negative(count=count, ordered=ordered)
    if count <= ordered:
        raise ValueError(f"count {count} does not exceed ordered {ordered}: nothing to adjust")
    return Adjustment(count - ordered, count, baseline(count, band))


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, the day clamped to the month's end."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(d.day, monthrange(year, month + 1)[1]))


def term_end(start: date, months: int) -> date:
    """R-PE-1: a term of ``months`` months from ``start`` ends the day before the same
    day ``months`` later (2026-01-01 + 12 → 2026-12-31)."""
    if months <= 0:
        raise ValueError("months must be positive")
    return add_months(start, months) - timedelta(days=1)


def _months_in(start: date, end: date) -> Fraction:
    """Months in ``[start, end]`` counted from ``start``'s day: whole anchored months,
    then the remainder pro rata by the days of the month period it falls in."""
    if end < start:
        return Fraction(0)
    k = 0
    while add_months(start, k + 1) - timedelta(days=1) <= end:
        k += 1
    period_start = add_months(start, k)
    if period_start > end:
        return Fraction(k)
    period_days = (add_months(start, k + 1) - period_start).days
    return k + Fraction((end - period_start).days + 1, period_days)


def proration_fraction_exact(
    term_start: date, term_end: date, adjustment_month: date, basis: ProrationBasis = "monthly"
) -> Fraction:
    """R-PE-5 fraction as an exact rational; see :func:`proration_fraction`."""
    if term_end < term_start:
        raise ValueError("term ends before it starts")
    first = adjustment_month.replace(day=1)
    if first > term_end or adjustment_month < term_start.replace(day=1):
        raise ValueError(f"adjustment month {first:%Y-%m} is outside the term")
    billed_from = max(first, term_start)
    if basis == "daily":
        return Fraction((term_end - billed_from).days + 1, (term_end - term_start).days + 1)
    if basis == "monthly":
        return _months_in(billed_from, term_end) / _months_in(term_start, term_end)
    raise ValueError(f"unknown proration basis {basis!r}")


def proration_fraction(
    term_start: date, term_end: date, adjustment_month: date, basis: ProrationBasis = "monthly"
) -> Decimal:
    """R-PE-5: share of the term billed for devices added in ``adjustment_month``.

    Billing runs from the first day of the adjustment month (or the term start, when
    the term starts later in that month) to the term end, inclusive.

    * ``daily``: days billed ÷ days in the term.
    * ``monthly``: months billed ÷ months in the term. The term's months are counted
      from its start day (a term 2026-03-15 … 2027-03-14 is 12 months); the billed
      period's months are counted from the first of the adjustment month, in whole
      calendar months, and a final month that ends before its last day counts pro
      rata by its days (July 2026 … 2027-03-14 is 8 + 14/31 months).

    A full term gives exactly 1. The Decimal is the exact fraction to 28 digits; use
    :func:`adjustment_amount` for money (it rounds once, exactly).
    """
    f = proration_fraction_exact(term_start, term_end, adjustment_month, basis)
    return Decimal(f.numerator) / Decimal(f.denominator)


def adjustment_amount(added: int, unit: Decimal, fraction: Decimal | Fraction) -> Decimal:
    """R-PE-5: ``added x unit x fraction``, half up to the cent (11 x 60 x 6/12 = 330.00)."""
    _non_negative(added=added)
    if isinstance(fraction, Fraction):
        return round_fraction(added * Fraction(unit) * fraction)
    return round_money(added * unit * fraction)


@dataclass(frozen=True, slots=True)
class Renewal:
    """R-PE-6: the next term's figures for one category."""

    installed: int
    growth: int
    ordered: int
    baseline: Decimal


def renewal(current_count: int, new_growth: int, band: Decimal = DEFAULT_BAND) -> Renewal:
    """R-PE-6: next term ``installed`` = count at term end (adjusted devices included)."""
    o = ordered(current_count, new_growth)
    return Renewal(current_count, new_growth, o, baseline(o, band))


@dataclass(frozen=True, slots=True)
class GrowthForecast:
    """R-PE-7: proposed growth for the horizon, whole devices, with a range and a reason."""

    growth: int
    low: int
    high: int
    method: str
    explanation: str


def _whole(x: float) -> int:
    """Round up to a whole device, never below zero (float noise ignored)."""
    return max(0, math.ceil(round(x, 6)))


def _floor_whole(x: float) -> int:
    return max(0, math.floor(round(x, 6)))


def forecast_growth(history: list[int], horizon_months: int = 12) -> GrowthForecast:
    """R-PE-7: growth over the next ``horizon_months`` from monthly counts (oldest first).

    Under 10 points: least-squares linear trend, growth = slope x horizon, range
    ± 1.96 standard errors of the slope. From 10 points: damped additive Holt
    (statsmodels), growth = forecast at the horizon − last smoothed level, range
    ± 1.96 x residual sd x √horizon. Rounded up to whole devices, never negative.
    """
    if horizon_months <= 0:
        raise ValueError("horizon_months must be positive")
    n = len(history)
    if n < 2:
        why = "no history" if n == 0 else "one month of history only"
        return GrowthForecast(0, 0, 0, "none", f"{why}: no trend to extend, growth 0.")
    y = np.asarray(history, dtype=float)
    if n < 10:
        x = np.arange(n, dtype=float)
        slope, intercept = np.polyfit(x, y, 1)
        if n > 2:
            resid = y - (slope * x + intercept)
            se = math.sqrt(float(resid @ resid) / (n - 2) / float(((x - x.mean()) ** 2).sum()))
        else:
            se = 0.0
        raw = float(slope) * horizon_months
        spread = 1.96 * se * horizon_months
        growth, low, high = _whole(raw), _floor_whole(raw - spread), _whole(raw + spread)
        return GrowthForecast(
            growth,
            min(low, growth),
            max(high, growth),
            "linear_trend",
            f"Linear trend over {n} months: {slope:+.2f} devices/month, "
            f"+{growth} over {horizon_months} months (range {low}–{high}).",
        )
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(
            y, trend="add", damped_trend=True, initialization_method="estimated"
        ).fit()
        forecast = np.asarray(fit.forecast(horizon_months), dtype=float)
    level = float(np.asarray(fit.level, dtype=float)[-1])
    raw = float(forecast[-1]) - level
    resid = np.asarray(fit.resid, dtype=float)
    sd = float(resid.std(ddof=1)) if n > 2 else 0.0
    spread = 1.96 * sd * math.sqrt(horizon_months)
    growth, low, high = _whole(raw), _floor_whole(raw - spread), _whole(raw + spread)
    return GrowthForecast(
        growth,
        min(low, growth),
        max(high, growth),
        "damped_holt",
        f"Damped Holt trend over {n} months: +{growth} over {horizon_months} months "
        f"(range {low}–{high}).",
    )
