"""R-PE-2..7: Poly+ Enterprise arithmetic, with SPEC section 11's worked numbers."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fleetcare.rules import enterprise as pe
from fleetcare.rules.programmes import load_programme

UNIT = Decimal("60.00")
G = Decimal("0.5")
TERM = (date(2026, 1, 1), date(2026, 12, 31))


# --- SPEC section 11 -----------------------------------------------------------------------


def test_r_pe_2_video_installed_200_growth_20_gives_ordered_220_baseline_231() -> None:
    assert pe.ordered(200, 20) == 220
    assert pe.baseline(220) == Decimal("231.00")
    assert pe.baseline_shown(220) == 231


def test_r_pe_3_upfront_200_x_60_plus_20_x_60_x_half_is_12600_00() -> None:
    programme = load_programme("poly_plus_enterprise")
    assert programme.upfront_growth_share == G
    assert pe.upfront_amount(200, 20, UNIT, G) == Decimal("12600.00")


def test_r_pe_4_ordered_220_count_230_within_231_triggers() -> None:
    within = pe.monthly_status(230, 220, Decimal("0.05"))
    assert not within.adjustment_due and within.status == "within"
    assert within.baseline == Decimal("231.00")
    assert within.increase_pct == Decimal("4.55")
    due = pe.monthly_status(231, 220, Decimal("0.05"))
    assert due.adjustment_due and due.status == "adjustment_due"
    assert due.increase_pct == Decimal("5.00")


def test_r_pe_5_adjustment_count_231_gives_added_11_new_baseline_242_55_shown_243() -> None:
    adj = pe.adjustment(231, 220, Decimal("0.05"))
    assert adj.added == 11
    assert adj.new_ordered == 231
    assert adj.new_baseline == Decimal("242.55")
    assert adj.new_baseline_shown == 243


def test_r_pe_5_adjustment_billed_monthly_330_00() -> None:
    fraction = pe.proration_fraction(*TERM, date(2026, 7, 1), "monthly")
    assert fraction == Decimal("0.5")
    assert pe.adjustment_amount(11, UNIT, fraction) == Decimal("330.00")


def test_r_pe_5_adjustment_billed_daily_332_71() -> None:
    exact = pe.proration_fraction_exact(*TERM, date(2026, 7, 15), "daily")
    assert exact == Fraction(184, 365)
    assert pe.adjustment_amount(11, UNIT, exact) == Decimal("332.71")
    fraction = pe.proration_fraction(*TERM, date(2026, 7, 1), "daily")
    assert pe.adjustment_amount(11, UNIT, fraction) == Decimal("332.71")


# --- other cases -------------------------------------------------------------------------


def test_r_pe_4_zero_ordered_and_negative_counts() -> None:
    assert pe.monthly_status(0, 0).adjustment_due is False
    assert pe.monthly_status(3, 0).adjustment_due is True
    assert pe.monthly_status(3, 0).increase_pct is None
    with pytest.raises(ValueError):
        pe.monthly_status(-1, 10)
    with pytest.raises(ValueError):
        pe.ordered(-1, 3)


def test_r_pe_5_adjustment_requires_an_increase() -> None:
    with pytest.raises(ValueError):
        pe.adjustment(220, 220)


def test_r_pe_5_mid_month_term_start() -> None:
    start, end = date(2026, 3, 15), date(2027, 3, 14)
    # the whole term is 12 months; adjusting in the start month bills the full term
    assert pe.proration_fraction(start, end, date(2026, 3, 1)) == 1
    # July 2026 .. 14 March 2027: 8 whole months + 14/31 of March
    assert pe.proration_fraction_exact(start, end, date(2026, 7, 1)) == (8 + Fraction(14, 31)) / 12
    assert pe.proration_fraction_exact(start, end, date(2027, 3, 1)) == Fraction(14, 31) / 12
    assert pe.proration_fraction_exact(start, end, date(2026, 7, 1), "daily") == Fraction(
        (end - date(2026, 7, 1)).days + 1, 365
    )
    with pytest.raises(ValueError):
        pe.proration_fraction(start, end, date(2027, 4, 1))
    with pytest.raises(ValueError):
        pe.proration_fraction(start, end, date(2026, 2, 1))


def test_r_pe_5_last_month_of_a_calendar_term() -> None:
    assert pe.proration_fraction_exact(*TERM, date(2026, 12, 1)) == Fraction(1, 12)
    assert pe.proration_fraction_exact(*TERM, date(2026, 12, 1), "daily") == Fraction(31, 365)


def test_r_pe_6_renewal_starts_from_the_count_then() -> None:
    r = pe.renewal(231, 15, Decimal("0.05"))
    assert (r.installed, r.growth, r.ordered) == (231, 15, 246)
    assert r.baseline == Decimal("258.30")


def test_add_months_clamps_to_month_end() -> None:
    assert pe.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert pe.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert pe.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert pe.add_months(date(2026, 3, 15), -3) == date(2025, 12, 15)


# --- R-PE-7 forecast -----------------------------------------------------------------------


def test_r_pe_7_forecast_empty_and_single_point() -> None:
    for history in ([], [120]):
        f = pe.forecast_growth(history)
        assert (f.growth, f.low, f.high, f.method) == (0, 0, 0, "none")
        assert f.explanation


def test_r_pe_7_forecast_linear_under_10_points() -> None:
    f = pe.forecast_growth([200, 202, 204, 206, 208, 210])
    assert f.method == "linear_trend"
    assert f.growth == 24
    assert f.low <= f.growth <= f.high
    assert "Linear trend over 6 months" in f.explanation and "\n" not in f.explanation
    # rounded up to whole devices
    assert pe.forecast_growth([100, 101, 101, 102], horizon_months=12).growth == 8


def test_r_pe_7_forecast_damped_holt_from_10_points() -> None:
    history = [200 + 3 * i + (i % 3) for i in range(14)]
    f = pe.forecast_growth(history)
    assert f.method == "damped_holt"
    assert 0 < f.growth <= 3 * 12 + 3
    assert f.low <= f.growth <= f.high
    assert f.explanation.startswith("Damped Holt")


def test_r_pe_7_forecast_never_negative() -> None:
    assert pe.forecast_growth([300, 290, 280, 270]).growth == 0
    f = pe.forecast_growth([300 - 5 * i for i in range(12)])
    assert f.growth == 0 and f.low == 0


# --- properties ----------------------------------------------------------------------------

term_starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@given(term_starts, st.integers(min_value=1, max_value=36), st.data())
def test_r_pe_5_proration_fraction_in_unit_interval_and_full_term_is_one(
    start: date, months: int, data: st.DataObject
) -> None:
    end = pe.add_months(start, months) - timedelta(days=1)
    for basis in ("monthly", "daily"):
        assert pe.proration_fraction_exact(start, end, start, basis) == 1
        month = data.draw(st.dates(min_value=start.replace(day=1), max_value=end))
        f = pe.proration_fraction_exact(start, end, month, basis)
        assert 0 < f <= 1
        # later adjustment months never bill more
        later = pe.add_months(month.replace(day=1), 1)
        if later <= end:
            assert pe.proration_fraction_exact(start, end, later, basis) < f


@given(
    st.integers(min_value=0, max_value=100_000),
    st.integers(min_value=1, max_value=10_000),
    st.decimals(min_value=0, max_value=Decimal("0.5"), places=3),
)
def test_r_pe_5_an_adjustment_never_lowers_the_baseline(
    ordered: int, extra: int, band: Decimal
) -> None:
    count = ordered + extra
    adj = pe.adjustment(count, ordered, band)
    assert adj.new_baseline >= pe.baseline(ordered, band)
    assert adj.new_ordered > ordered
    assert adj.added == extra


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_r_pe_4_due_exactly_from_the_baseline(ordered: int, count: int) -> None:
    assume(ordered > 0)
    status = pe.monthly_status(count, ordered)
    assert status.adjustment_due == (Decimal(count) >= Decimal(ordered) * Decimal("1.05"))


def test_r_pe_1_term_end_of_a_12_month_term():
    from datetime import date

    from fleetcare.rules.enterprise import term_end

    assert term_end(date(2026, 1, 1), 12) == date(2026, 12, 31)
    assert term_end(date(2026, 3, 15), 12) == date(2027, 3, 14)
