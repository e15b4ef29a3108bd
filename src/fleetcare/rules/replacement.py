"""Advance replacement dates and charges (R-RMA-2 .. R-RMA-4)."""

from __future__ import annotations

from datetime import date, datetime, time

from .calendars import Clock
from .money import Money

__all__ = [
    "delivery_target",
    "effective_approval_day",
    "is_return_overdue",
    "return_due",
    "unreturned_charge",
]


def effective_approval_day(approved_at: datetime, calendar: Clock, cutoff_hour: int) -> date:
    """R-RMA-2: the business day an approval counts on, in the delivery country's time.

    An approval at or after ``cutoff_hour`` local time, or on a non-business day,
    counts as the next business day.
    """
    if approved_at.tzinfo is None or approved_at.utcoffset() is None:
        raise ValueError("approved_at must be timezone-aware")
    if not 0 <= cutoff_hour <= 23:
        raise ValueError("cutoff_hour must be 0..23")
    local = approved_at.astimezone(calendar.tz)
    day = local.date()
    if not calendar.is_business_day(day) or local.time() >= time(cutoff_hour):
        return calendar.next_business_day(day)
    return day


def delivery_target(approved_at: datetime, calendar: Clock, cutoff_hour: int) -> date:
    """R-RMA-2: the next business day after the (effective) approval day.

    Approved Friday 10:00 → Monday; Friday 16:00 with a 15:00 cut-off → Tuesday.
    """
    return calendar.next_business_day(effective_approval_day(approved_at, calendar, cutoff_hour))


def is_delivery_late(delivery_target: date | None, today: date) -> bool:
    """R-RMA-2: a unit not yet delivered is late once its next-business-day target has
    passed."""
    return delivery_target is not None and delivery_target < today


def return_due(received_on: date, calendar: Clock, window_days: int = 10) -> date:
    """R-RMA-3: the defective unit is due back ``window_days`` business days after receipt."""
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    return calendar.add_business_days(received_on, window_days)


def is_return_overdue(
    received_on: date, today: date, calendar: Clock, window_days: int = 10
) -> bool:
    """R-RMA-4: overdue once the due date has passed without a return."""
    return today > return_due(received_on, calendar, window_days)


def unreturned_charge(list_price: Money) -> Money:
    """R-RMA-4: a unit not returned in time is charged at the model's list price."""
    if list_price.amount < 0:
        raise ValueError("list price must not be negative")
    return list_price.rounded()
