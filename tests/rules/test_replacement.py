"""R-RMA-2..4: replacement delivery target, return due date, unreturned charge."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fleetcare.rules.calendars import calendar_for
from fleetcare.rules.money import Money
from fleetcare.rules.replacement import (
    delivery_target,
    effective_approval_day,
    is_delivery_late,
    is_return_overdue,
    return_due,
    unreturned_charge,
)

LONDON = ZoneInfo("Europe/London")
GB = calendar_for("GB")


def test_r_rma_2_before_cutoff_next_business_day() -> None:
    approved = datetime(2026, 6, 5, 10, 0, tzinfo=LONDON)  # Friday
    assert delivery_target(approved, GB, 15) == date(2026, 6, 8)


def test_r_rma_2_after_cutoff_counts_as_next_business_day() -> None:
    approved = datetime(2026, 6, 5, 15, 0, tzinfo=LONDON)  # Friday at the cut-off
    assert effective_approval_day(approved, GB, 15) == date(2026, 6, 8)
    assert delivery_target(approved, GB, 15) == date(2026, 6, 9)
    assert delivery_target(datetime(2026, 6, 5, 14, 59, tzinfo=LONDON), GB, 15) == date(2026, 6, 8)


def test_r_rma_2_cutoff_is_local_time_of_the_delivery_country() -> None:
    # 14:30 UTC on 3 June 2026 is 15:30 BST in London (after cut-off) ...
    approved = datetime(2026, 6, 3, 14, 30, tzinfo=UTC)
    assert delivery_target(approved, GB, 15) == date(2026, 6, 5)
    # ... but 10:30 in New York (before cut-off)
    assert delivery_target(approved, calendar_for("US"), 15) == date(2026, 6, 4)


def test_r_rma_2_weekend_and_holiday_approval() -> None:
    saturday = datetime(2026, 6, 6, 9, 0, tzinfo=LONDON)
    assert delivery_target(saturday, GB, 15) == date(2026, 6, 9)
    christmas_eve_late = datetime(2026, 12, 24, 16, 0, tzinfo=LONDON)
    assert delivery_target(christmas_eve_late, GB, 15) == date(2026, 12, 30)
    with pytest.raises(ValueError):
        delivery_target(datetime(2026, 6, 5, 10, 0), GB, 15)


def test_r_rma_3_return_due_10_business_days_after_receipt() -> None:
    assert return_due(date(2026, 12, 18), GB) == date(2027, 1, 6)
    assert return_due(date(2026, 6, 1), GB) == date(2026, 6, 15)
    assert return_due(date(2026, 6, 24), calendar_for("CA", "QC"), 10) == date(2026, 7, 9)
    assert not is_return_overdue(date(2026, 6, 1), date(2026, 6, 15), GB)
    assert is_return_overdue(date(2026, 6, 1), date(2026, 6, 16), GB)


def test_r_rma_4_unreturned_unit_charged_at_list_price() -> None:
    assert unreturned_charge(Money.of("349.995", "EUR")) == Money(Decimal("350.00"), "EUR")
    assert unreturned_charge(Money.of("199", "USD")).currency == "USD"


def test_r_rma_2_a_delivery_is_late_only_once_its_target_has_passed():
    target = date(2026, 12, 1)
    assert not is_delivery_late(target, date(2026, 12, 1))  # due today: not yet late
    assert is_delivery_late(target, date(2026, 12, 2))
    assert not is_delivery_late(None, date(2026, 12, 2))  # not approved yet: no target
