"""R-DS-1..5, R-DS-7: Device-as-a-Service rules."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcare.rules import daas
from fleetcare.rules.calendars import UnknownRegion
from fleetcare.rules.enterprise import add_months


def test_r_ds_5_extended_cover_150_voice_devices_3_within_4th_chargeable() -> None:
    for n in (1, 2, 3):
        status = daas.threshold_status(n, 150)
        assert not status.chargeable, n
    assert daas.threshold_status(3, 150).rate == Decimal("0.02")
    fourth = daas.threshold_status(4, 150, Decimal("0.02"))
    assert fourth.chargeable
    assert fourth.rate_pct == Decimal("2.67")


def test_r_ds_5_threshold_needs_devices() -> None:
    with pytest.raises(ValueError):
        daas.threshold_status(1, 0)


def test_r_ds_1_regions() -> None:
    assert daas.region_of("US") == "north_america"
    assert daas.region_of("ca") == "north_america"
    assert daas.region_of("FR") == "emea"
    assert daas.region_of("AE") == "emea"
    assert daas.region_of("ZA") == "emea"
    assert daas.region_of("JP") is None
    assert daas.region_of("BR") is None
    with pytest.raises(UnknownRegion):
        daas.region_of("XX")


def test_r_ds_2_device_term_and_replacement_keeps_it() -> None:
    assert daas.device_term(date(2026, 3, 10), 36) == (date(2026, 3, 10), date(2029, 3, 9))
    assert daas.device_term(date(2026, 1, 1), 12) == (date(2026, 1, 1), date(2026, 12, 31))
    term = daas.device_term(date(2026, 3, 10), 36)
    assert daas.replacement_term(*term) == term
    with pytest.raises(ValueError):
        daas.device_term(date(2026, 1, 1), 0)


def codes(problems: list[daas.Refusal]) -> set[str]:
    return {p.code for p in problems}


def test_r_ds_1_3_4_enrolment_accepts_a_good_one() -> None:
    assert (
        daas.enrolment_problems("GB", "voice", date(2027, 1, 1), date(2026, 6, 1), True, True) == []
    )
    assert daas.enrolment_problems("US", "video", None, date(2026, 6, 1), False, True) == []


def test_r_ds_1_3_4_enrolment_lists_every_reason() -> None:
    problems = daas.enrolment_problems(
        "JP", "video", date(2026, 5, 1), date(2026, 6, 1), extended_cover=True, at_enrolment=True
    )
    assert codes(problems) == {"region", "end_of_sale", "extended_cover_category"}
    assert all(p.message for p in problems)


def test_r_ds_3_end_of_sale_announcement_blocks_from_its_date() -> None:
    announced = date(2026, 6, 1)
    assert daas.enrolment_problems("DE", "voice", announced, date(2026, 5, 31), False, True) == []
    assert codes(daas.enrolment_problems("DE", "voice", announced, announced, False, True)) == {
        "end_of_sale"
    }


def test_r_ds_4_extended_cover_only_at_enrolment_and_only_voice() -> None:
    later = daas.enrolment_problems("FR", "voice", None, date(2026, 6, 1), True, False)
    assert codes(later) == {"extended_cover_not_at_enrolment"}
    both = daas.enrolment_problems("FR", "personal", None, date(2026, 6, 1), True, False)
    assert codes(both) == {"extended_cover_category", "extended_cover_not_at_enrolment"}
    assert codes(
        daas.enrolment_problems("XX", "media_engine", None, date(2026, 6, 1), False, True)
    ) == {
        "unknown_country",
        "category",
    }


def test_r_ds_4_causes() -> None:
    for cause in ("fire", "intentional_damage", "normal_wear", "cosmetic", "theft", "loss"):
        assert daas.is_excluded_cause(cause)
    assert not daas.is_excluded_cause("spill")
    assert daas.is_extended_cover_cause("spill") and daas.is_extended_cover_cause("drop")
    assert not daas.is_extended_cover_cause("fire")


def test_r_ds_7_partial_first_and_last_months_pro_rata_by_days() -> None:
    price = Decimal("25.00")
    start, end = daas.device_term(date(2026, 3, 10), 12)  # 10 Mar 2026 .. 9 Mar 2027
    assert daas.monthly_fee(price, date(2026, 3, 1), start, end) == Decimal("17.74")  # 22/31
    assert daas.monthly_fee(price, date(2026, 4, 1), start, end) == Decimal("25.00")
    assert daas.monthly_fee(price, date(2027, 3, 1), start, end) == Decimal("7.26")  # 9/31
    assert daas.monthly_fee(price, date(2027, 4, 1), start, end) == Decimal("0.00")
    assert daas.monthly_fee(price, date(2026, 2, 1), start, end) == Decimal("0.00")


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 1)).map(
        lambda d: d.replace(day=1)
    ),
    st.integers(min_value=1, max_value=60),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
)
def test_r_ds_7_fees_of_a_month_aligned_term_add_up(
    start: date, months: int, price: Decimal
) -> None:
    term_start, term_end = daas.device_term(start, months)
    total = sum(
        (
            daas.monthly_fee(price, add_months(start, k), term_start, term_end)
            for k in range(months)
        ),
        Decimal(0),
    )
    assert total == months * price
    assert daas.monthly_fee(price, term_end + timedelta(days=1), term_start, term_end) == 0


def test_r_ds_7_month_share_of_a_partial_first_month():
    from datetime import date

    from fleetcare.rules.daas import month_share

    share = month_share(date(2026, 3, 1), date(2026, 3, 10), date(2029, 3, 9))
    assert (share.first_day, share.last_day, share.active_days, share.days_in_month) == (
        date(2026, 3, 10),
        date(2026, 3, 31),
        22,
        31,
    )
    assert not share.full and share.fraction == Fraction(22, 31)
    assert month_share(date(2026, 2, 1), date(2026, 3, 10), date(2029, 3, 9)) is None
    assert month_share(date(2026, 4, 1), date(2026, 3, 10), date(2029, 3, 9)).full
