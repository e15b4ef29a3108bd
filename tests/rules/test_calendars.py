"""R-CAL-1: business calendars, holidays, clocks, bulk arithmetic."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcare.rules.calendars import (
    BusinessCalendar,
    Calendar24x7,
    UnknownRegion,
    add_business_days_bulk,
    calendar_for,
)

GB = calendar_for("GB")
US = calendar_for("US")
FR = calendar_for("FR")
PARIS = BusinessCalendar("FR", tz="Europe/Paris")
NEW_YORK = BusinessCalendar("US", tz="America/New_York")

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
calendars = st.sampled_from(
    [GB, US, FR, calendar_for("DE", "BY"), calendar_for("CA", "QC"), calendar_for("JP")]
)


# --- holidays ---------------------------------------------------------------------------


def test_r_cal_1_uk_christmas_and_boxing_day_on_a_weekend_are_observed() -> None:
    # 2021 and 2027: 25 Dec is a Saturday, 26 Dec a Sunday → Mon 27 and Tue 28 observed.
    for year in (2021, 2027):
        assert date(year, 12, 25).weekday() == 5
        assert not GB.is_business_day(date(year, 12, 27))
        assert not GB.is_business_day(date(year, 12, 28))
        assert GB.next_business_day(date(year, 12, 24)) == date(year, 12, 29)
    # 2026: Christmas a Friday, Boxing Day a Saturday → Monday 28 observed.
    assert GB.next_business_day(date(2026, 12, 24)) == date(2026, 12, 29)
    names = dict(GB.holidays_between(date(2027, 12, 1), date(2027, 12, 31)))
    assert "observed" in names[date(2027, 12, 27)].lower()


def test_r_cal_1_canada_day_and_a_quebec_only_holiday() -> None:
    ca, qc, on = calendar_for("CA"), calendar_for("CA", "QC"), calendar_for("CA", "ON")
    for cal in (ca, qc, on):
        assert not cal.is_business_day(date(2026, 7, 1))  # Canada Day, a Wednesday
    # Saint-Jean-Baptiste (24 June 2026, a Wednesday): Quebec only.
    assert not qc.is_business_day(date(2026, 6, 24))
    assert on.is_business_day(date(2026, 6, 24))
    assert qc.next_business_day(date(2026, 6, 23)) == date(2026, 6, 25)
    assert on.next_business_day(date(2026, 6, 23)) == date(2026, 6, 24)
    assert calendar_for("CA", "CA-QC") == qc


def test_r_cal_1_german_regional_holidays_bavaria_vs_berlin() -> None:
    by, be = calendar_for("DE", "BY"), calendar_for("DE", "BE")
    # Epiphany (Tue 6 Jan 2026): Bavaria, not Berlin.
    assert not by.is_business_day(date(2026, 1, 6))
    assert be.is_business_day(date(2026, 1, 6))
    # Women's Day (Fri 8 Mar 2024): Berlin, not Bavaria.
    assert not be.is_business_day(date(2024, 3, 8))
    assert by.is_business_day(date(2024, 3, 8))
    assert by.add_business_days(date(2026, 1, 5), 1) == date(2026, 1, 7)
    assert be.add_business_days(date(2026, 1, 5), 1) == date(2026, 1, 6)


def test_r_cal_1_us_independence_day_observed_on_friday() -> None:
    assert date(2026, 7, 4).weekday() == 5
    assert not US.is_business_day(date(2026, 7, 3))
    assert US.next_business_day(date(2026, 7, 2)) == date(2026, 7, 6)
    assert US.add_business_days(date(2026, 12, 28), 10) == date(2027, 1, 12)


def test_r_cal_1_french_may_holidays() -> None:
    may = [d for d, _ in FR.holidays_between(date(2026, 5, 1), date(2026, 5, 31))]
    assert may == [date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14), date(2026, 5, 25)]
    assert FR.next_business_day(date(2026, 4, 30)) == date(2026, 5, 4)  # 1 May a Friday
    assert FR.next_business_day(date(2026, 5, 7)) == date(2026, 5, 11)  # 8 May a Friday
    assert FR.next_business_day(date(2026, 5, 13)) == date(2026, 5, 15)  # Ascension
    assert FR.add_business_days(date(2026, 4, 30), 10) == date(2026, 5, 19)


def test_r_cal_1_unknown_country_or_subdivision_names_the_value() -> None:
    with pytest.raises(UnknownRegion, match="'XX'"):
        calendar_for("XX")
    with pytest.raises(UnknownRegion, match="'ZZ'"):
        calendar_for("DE", "ZZ")
    with pytest.raises(UnknownRegion, match="Mars/Base"):
        calendar_for("DE", tz="Mars/Base")
    assert calendar_for("de", "de-by") == calendar_for("DE", "BY")
    assert calendar_for("DE").tz == ZoneInfo("Europe/Berlin")
    assert calendar_for("CA", "QC").tz == ZoneInfo("America/Toronto")
    assert calendar_for("CA", "BC").tz == ZoneInfo("America/Vancouver")
    assert calendar_for("CA", "MB").tz == ZoneInfo("America/Winnipeg")
    assert calendar_for("US").tz == ZoneInfo("America/New_York")
    assert calendar_for("US", "CA", tz="America/Los_Angeles").tz == ZoneInfo("America/Los_Angeles")
    # a subdivision the holiday library does not split falls back to national holidays
    assert not calendar_for("FR", "21").is_business_day(date(2026, 5, 8))
    # ... or to its parent's: Glasgow City follows Scotland (2 January)
    assert not calendar_for("GB", "GLG").is_business_day(date(2026, 1, 2))
    assert calendar_for("GB", "ENG").is_business_day(date(2026, 1, 2))


def test_r_cal_1_zero_and_negative_business_days() -> None:
    sat = date(2026, 6, 6)
    assert GB.add_business_days(sat, 0) == date(2026, 6, 8)
    assert GB.add_business_days(date(2026, 6, 5), 0) == date(2026, 6, 5)
    assert GB.add_business_days(sat, 1) == date(2026, 6, 8)
    assert GB.add_business_days(sat, -1) == date(2026, 6, 5)


# --- properties ---------------------------------------------------------------------------


@given(calendars, days, st.integers(min_value=1, max_value=400))
def test_r_cal_1_n_business_days_after_is_a_later_business_day(
    cal: BusinessCalendar, d: date, n: int
) -> None:
    result = cal.add_business_days(d, n)
    assert result > d
    assert cal.is_business_day(result)
    # exactly n business days in (d, result]
    span = (result - d).days
    assert sum(cal.is_business_day(d + timedelta(days=i)) for i in range(1, span + 1)) == n


@given(calendars, days, days, st.integers(min_value=0, max_value=60))
def test_r_cal_1_adding_business_days_is_monotonic(
    cal: BusinessCalendar, a: date, b: date, n: int
) -> None:
    a, b = min(a, b), max(a, b)
    assert cal.add_business_days(a, n) <= cal.add_business_days(b, n)
    assert cal.add_business_days(a, n) <= cal.add_business_days(a, n + 1)


@settings(max_examples=50)
@given(
    calendars,
    st.lists(days, min_size=1, max_size=30),
    st.lists(st.integers(min_value=-300, max_value=300), min_size=30, max_size=30),
)
def test_r_cal_1_bulk_agrees_with_scalar(
    cal: BusinessCalendar, ds: list[date], ns: list[int]
) -> None:
    arr = np.array(ds, dtype="datetime64[D]")
    offsets = np.array(ns[: len(ds)], dtype=np.int64)
    got = add_business_days_bulk(arr, offsets, cal)
    assert [x.item() for x in got] == [
        cal.add_business_days(d, n) for d, n in zip(ds, offsets, strict=True)
    ]
    # scalar n
    got1 = add_business_days_bulk(arr, 10, cal)
    assert [x.item() for x in got1] == [cal.add_business_days(d, 10) for d in ds]


def test_r_cal_1_bulk_on_24x7_and_empty() -> None:
    arr = np.array(["2026-12-24"], dtype="datetime64[D]")
    assert add_business_days_bulk(arr, 2, Calendar24x7())[0] == np.datetime64("2026-12-26")
    assert add_business_days_bulk(arr[:0], 2, GB).size == 0


# --- clocks -------------------------------------------------------------------------------


def test_r_cal_1_business_hours_across_european_dst_change() -> None:
    # Clocks go forward in Paris on Sunday 29 March 2026 (UTC+1 → UTC+2).
    friday_16 = datetime(2026, 3, 27, 16, 0, tzinfo=ZoneInfo("Europe/Paris"))
    due = PARIS.add_business_minutes(friday_16, 120)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert due.tzinfo == UTC
    assert PARIS.business_minutes_between(friday_16, due) == 120
    # back on Sunday 25 October 2026 (UTC+2 → UTC+1)
    friday = datetime(2026, 10, 23, 16, 30, tzinfo=ZoneInfo("Europe/Paris"))
    due = PARIS.add_business_minutes(friday, 60)
    assert due == datetime(2026, 10, 26, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert due == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)


def test_r_cal_1_business_hours_across_north_american_dst_change() -> None:
    # Clocks go forward in New York on Sunday 8 March 2026 (UTC-5 → UTC-4).
    friday_16 = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)  # 16:00 EST
    due = NEW_YORK.add_business_minutes(friday_16, 120)
    assert due == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # Monday 10:00 EDT
    assert NEW_YORK.business_minutes_between(friday_16, due) == 120
    # a full business week across the change is 5 × 8 h
    monday = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("America/New_York"))
    next_monday = datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("America/New_York"))
    assert NEW_YORK.business_minutes_between(monday, next_monday) == 5 * 8 * 60
    # fall back on Sunday 1 November 2026 (UTC-4 → UTC-5)
    friday = datetime(2026, 10, 30, 20, 30, tzinfo=UTC)  # 16:30 EDT
    assert NEW_YORK.add_business_minutes(friday, 60) == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


def test_r_cal_1_business_minutes_skip_holidays_and_pauses() -> None:
    london = calendar_for("GB")
    start = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)  # Thu 16:00 GMT
    # Christmas Fri 25, weekend, Boxing Day observed Mon 28 → Tue 29
    assert london.add_business_minutes(start, 90) == datetime(2026, 12, 29, 9, 30, tzinfo=UTC)
    pause = (datetime(2026, 12, 29, 9, 0, tzinfo=UTC), datetime(2026, 12, 29, 12, 0, tzinfo=UTC))
    assert london.add_business_minutes(start, 90, [pause]) == datetime(
        2026, 12, 29, 12, 30, tzinfo=UTC
    )
    end = datetime(2026, 12, 29, 12, 30, tzinfo=UTC)
    assert london.business_minutes_between(start, end, [pause]) == 90
    assert london.business_minutes_between(end, start) == 0
    with pytest.raises(ValueError):
        london.add_business_minutes(datetime(2026, 1, 1), 10)


def test_r_cal_1_24x7_clock_has_no_gap_at_midnight() -> None:
    clock = Calendar24x7()
    late = datetime(2026, 12, 31, 23, 50, tzinfo=UTC)
    assert clock.add_business_minutes(late, 30) == datetime(2027, 1, 1, 0, 20, tzinfo=UTC)
    assert clock.business_minutes_between(late, datetime(2027, 1, 1, 0, 20, tzinfo=UTC)) == 30
    assert clock.is_business_day(date(2026, 12, 25))
    assert clock.next_business_day(date(2026, 12, 24)) == date(2026, 12, 25)
    pause = (datetime(2027, 1, 1, 0, 0, tzinfo=UTC), datetime(2027, 1, 1, 1, 0, tzinfo=UTC))
    assert clock.add_business_minutes(late, 30, [pause]) == datetime(2027, 1, 1, 1, 20, tzinfo=UTC)


def test_r_cal_1_custom_working_hours() -> None:
    cal = BusinessCalendar("AE", tz="Asia/Dubai", start=time(8), end=time(16))
    start = datetime(2026, 2, 2, 15, 0, tzinfo=ZoneInfo("Asia/Dubai"))  # Monday
    assert cal.add_business_minutes(start, 120) == datetime(
        2026, 2, 3, 9, 0, tzinfo=ZoneInfo("Asia/Dubai")
    )
    with pytest.raises(ValueError):
        BusinessCalendar("GB", start=time(17), end=time(9))
    with pytest.raises(ValueError):
        BusinessCalendar("GB", weekdays=())


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))


@settings(max_examples=150)
@given(
    st.sampled_from([PARIS, NEW_YORK, calendar_for("CA", "QC"), Calendar24x7()]),
    instants,
    st.integers(min_value=0, max_value=60 * 8 * 30),
    st.lists(st.tuples(instants, st.integers(min_value=1, max_value=3000)), max_size=3),
)
def test_r_cal_1_business_minutes_between_equals_what_adding_gives(
    cal: BusinessCalendar | Calendar24x7,
    start: datetime,
    minutes: int,
    raw_pauses: list[tuple[datetime, int]],
) -> None:
    pauses = [(s, s + timedelta(minutes=m)) for s, m in raw_pauses]
    end = cal.add_business_minutes(start, minutes, pauses)
    assert end >= start
    assert cal.business_minutes_between(start, end, pauses) == minutes
    assert cal.business_minutes_between(start, end) >= minutes


def test_month_boundaries():
    from datetime import date

    from fleetcare.rules.calendars import (
        month_end,
        month_ends,
        month_start,
        next_month_start,
        previous_month_end,
    )

    assert month_start(date(2026, 2, 17)) == date(2026, 2, 1)
    assert month_end(date(2024, 2, 3)) == date(2024, 2, 29)
    assert next_month_start(date(2026, 12, 31)) == date(2027, 1, 1)
    assert previous_month_end(date(2026, 3, 1)) == date(2026, 2, 28)
    assert month_ends(date(2025, 11, 5), date(2026, 2, 1)) == [
        date(2025, 11, 30),
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]
