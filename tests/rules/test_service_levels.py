"""R-SUP-2: service-level deadlines on the programme's clock."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fleetcare.rules.calendars import BusinessCalendar
from fleetcare.rules.programmes import load_programme
from fleetcare.rules.service_levels import (
    Deadlines,
    deadlines,
    earliest_open_deadline,
    is_breached,
    targets,
    time_left,
)

PE = load_programme("poly_plus_enterprise")
DAAS = load_programme("device_as_a_service")
PARIS = ZoneInfo("Europe/Paris")
FR = BusinessCalendar("FR", tz="Europe/Paris")


def test_r_sup_2_default_targets() -> None:
    assert [targets(PE, s).first_response_minutes for s in ("S1", "S2", "S3", "S4")] == [
        30,
        60,
        240,
        1440,
    ]
    assert [targets(DAAS, s).first_response_minutes for s in ("S1", "S2", "S3", "S4")] == [
        120,
        240,
        480,
        960,
    ]
    assert targets(PE, "S1").clock == "24x7"
    assert targets(DAAS, "S1").clock == "business_hours"


def test_r_sup_2_pe_runs_24x7_through_the_night_and_holidays() -> None:
    opened = datetime(2026, 12, 24, 23, 45, tzinfo=UTC)
    d = deadlines(opened, PE, "S1", FR)  # the calendar is ignored on a 24x7 clock
    assert d.first_response == datetime(2026, 12, 25, 0, 15, tzinfo=UTC)
    assert d.update == opened + timedelta(minutes=120)
    assert d.solution == opened + timedelta(hours=24)


def test_r_sup_2_daas_runs_on_partner_business_hours() -> None:
    opened = datetime(2026, 5, 7, 16, 0, tzinfo=PARIS)  # Thursday; 8 May is a holiday
    d = deadlines(opened, DAAS, "S1", FR)
    assert d.first_response == datetime(2026, 5, 11, 10, 0, tzinfo=PARIS)
    with pytest.raises(ValueError):
        deadlines(opened, DAAS, "S1", None)


def test_r_sup_2_pauses_extend_deadlines() -> None:
    opened = datetime(2026, 6, 1, 9, 0, tzinfo=PARIS)
    waiting = [
        (datetime(2026, 6, 1, 9, 30, tzinfo=PARIS), datetime(2026, 6, 1, 10, 30, tzinfo=PARIS))
    ]
    plain = deadlines(opened, DAAS, "S2", FR)
    paused = deadlines(opened, DAAS, "S2", FR, waiting)
    assert plain.first_response == datetime(2026, 6, 1, 13, 0, tzinfo=PARIS)
    assert paused.first_response == datetime(2026, 6, 1, 14, 0, tzinfo=PARIS)
    pe_paused = deadlines(opened, PE, "S2", None, waiting)
    assert pe_paused.first_response == datetime(2026, 6, 1, 11, 0, tzinfo=PARIS)


def test_r_sup_2_update_deadline_follows_last_update() -> None:
    opened = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    responded = opened + timedelta(minutes=20)
    updated = opened + timedelta(hours=3)
    d = deadlines(opened, PE, "S1", None, first_responded_at=responded, last_update_at=updated)
    assert d.update == updated + timedelta(minutes=120)
    d2 = deadlines(opened, PE, "S1", None, first_responded_at=responded)
    assert d2.update == responded + timedelta(minutes=120)


def test_r_sup_2_earliest_open_deadline_and_breach() -> None:
    t0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    d = Deadlines(t0 + timedelta(minutes=30), t0 + timedelta(hours=2), t0 + timedelta(hours=24))
    assert earliest_open_deadline(d, set()) == ("first_response", d.first_response)
    assert earliest_open_deadline(d, {"first_response"}) == ("update", d.update)
    assert earliest_open_deadline(d, {"first_response", "update", "solution"}) is None
    with pytest.raises(ValueError):
        earliest_open_deadline(d, {"bogus"})
    assert not is_breached(d.first_response, d.first_response)
    assert is_breached(d.first_response, d.first_response + timedelta(seconds=1))


def test_r_sup_2_time_left_in_the_clock() -> None:
    deadline = datetime(2026, 6, 8, 10, 0, tzinfo=PARIS)  # Monday 10:00
    friday = datetime(2026, 6, 5, 16, 0, tzinfo=PARIS)
    assert time_left(deadline, friday, FR) == 120
    assert time_left(deadline, datetime(2026, 6, 8, 11, 0, tzinfo=PARIS), FR) == -60


def test_r_sup_2_breach_warning_when_a_quarter_of_the_target_is_left():
    from decimal import Decimal

    from fleetcare.rules.programmes import load_programme
    from fleetcare.rules.service_levels import needs_breach_warning

    share = load_programme("poly_plus_enterprise").breach_warning_share
    assert share == Decimal("0.25")
    # S1 first response: 30 minutes; warn from 7.5 minutes left, not before, not once breached.
    assert not needs_breach_warning(8, 30, share)
    assert needs_breach_warning(7.5, 30, share)
    assert needs_breach_warning(0, 30, share)
    assert not needs_breach_warning(-1, 30, share)
