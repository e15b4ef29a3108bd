"""Service-level clocks of a case (R-SUP-2), computed with ``fleetcare.rules``.

The clock of each severity is the entitling programme's setting (R-PRG-1): the 24x7
clock, or business hours on the calendar its ``support_calendar`` names — the
partner's (R-DS-6: the partner's country and its first site's subdivision and time
zone) or the customer's own (the account's first site). Pauses are the intervals the
case spent waiting on the customer, rebuilt from its status history.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from fleetcare.core import programmes
from fleetcare.rules import service_levels
from fleetcare.rules.calendars import Calendar24x7, Clock, Pause, calendar_for
from fleetcare.rules.programmes import BY_CUSTOMER, BY_PARTNER

from .models import Case, CaseStatus, Entitlement

_24X7 = Calendar24x7()
_UTC = ZoneInfo("UTC")


def programme_of(case: Case):  # type: ignore[no-untyped-def]
    """The entitling programme's settings; None when the case is not entitled."""
    if case.entitlement == Entitlement.NONE:
        return None
    return case.programme


def organisation_calendar(organisation: Any) -> Clock:
    """An organisation's business calendar (R-CAL-1): its country and its first site's
    subdivision and time zone.

    Uses ``organisation.sites.all()`` so a prefetched list costs no query."""
    sites = sorted(organisation.sites.all(), key=lambda s: s.pk)
    site = sites[0] if sites else None
    if site is not None:
        return calendar_for(
            site.country or organisation.country,
            site.subdivision or None,
            site.time_zone or None,
        )
    return calendar_for(organisation.country)


# R-DS-6: the partner's business calendar.
partner_calendar = organisation_calendar


def calendar_prefetches() -> tuple[str, ...]:
    """What a list of cases prefetches so each case's clock costs no query: the
    partners' sites, and the accounts' sites once a programme runs on the customer's
    calendar."""
    out = ["opened_by_partner__sites"]
    if programmes.codes(support_calendar="customer"):
        out.append("account__sites")
    return tuple(out)


def support_calendar(case: Case, programme: Any) -> Clock | None:
    """The business calendar the programme's ``support_calendar`` names for this case:
    the partner that opened it, or the customer's own; None for round the clock (or a
    partner-calendar case no partner opened)."""
    if programme.support_calendar == BY_PARTNER and case.opened_by_partner_id:
        return partner_calendar(case.opened_by_partner)
    if programme.support_calendar == BY_CUSTOMER:
        return organisation_calendar(case.account)
    return None


def clock_of(case: Case) -> Clock | None:
    """The clock the case's service levels run on; None when not entitled."""
    programme = programme_of(case)
    if programme is None:
        return None
    calendar = support_calendar(case, programme)
    try:
        return service_levels.clock_for(programme, case.severity, calendar)
    except ValueError:
        return _24X7


def pauses_from_history(changes: Iterable[Any], now: datetime) -> list[Pause]:
    """Intervals spent in ``waiting_on_customer`` (R-SUP-2); an open one ends at ``now``."""
    pauses: list[Pause] = []
    started: datetime | None = None
    for change in sorted(changes, key=lambda c: (c.at, c.pk or 0)):
        if change.status == CaseStatus.WAITING_ON_CUSTOMER:
            if started is None:
                started = change.at
        elif started is not None:
            if change.at > started:
                pauses.append((started, change.at))
            started = None
    if started is not None and now > started:
        pauses.append((started, now))
    return pauses


def met_milestones(case: Case) -> set[str]:
    met: set[str] = set()
    if case.first_responded_at:
        met.add("first_response")
    if case.status in (CaseStatus.SOLVED, CaseStatus.CLOSED):
        met.update(service_levels.MILESTONES)
    return met


def recompute(case: Case, now: datetime, changes: Iterable[Any] | None = None) -> None:
    """Store the three deadlines and the earliest open one on the case (not saved).

    While the case waits on the customer the clock is paused: deadlines shown are
    those if it resumed now, and ``earliest_due`` is empty (nothing can breach)."""
    programme = programme_of(case)
    if programme is None:
        case.first_response_due = case.next_update_due = case.solution_due = None
        case.earliest_due = None
        case.earliest_milestone = ""
        case.clock_paused_since = None
        return
    if changes is None:
        changes = list(case.status_changes.all())
    changes = sorted(changes, key=lambda c: (c.at, c.pk or 0))
    pauses = pauses_from_history(changes, now)
    clock = clock_of(case)
    calendar = None if isinstance(clock, Calendar24x7) else clock
    d = service_levels.deadlines(
        case.opened_at,
        programme,
        case.severity,
        calendar,
        pauses,
        first_responded_at=case.first_responded_at,
        last_update_at=case.last_update_at,
        solved_at=case.solved_at,
    )
    case.first_response_due = d.first_response
    case.next_update_due = d.update
    case.solution_due = d.solution
    paused = case.status == CaseStatus.WAITING_ON_CUSTOMER
    case.clock_paused_since = None
    if paused:
        waiting = [c.at for c in changes if c.status == CaseStatus.WAITING_ON_CUSTOMER]
        case.clock_paused_since = waiting[-1] if waiting else now
    earliest = None if paused else service_levels.earliest_open_deadline(d, met_milestones(case))
    case.earliest_due = earliest[1] if earliest else None
    case.earliest_milestone = earliest[0] if earliest else ""


def time_left_minutes(case: Case, now: datetime) -> float | None:
    """Working minutes to the earliest open deadline on the case's clock (negative:
    overdue); None when nothing is running."""
    if case.earliest_due is None:
        return None
    clock = clock_of(case)
    if clock is None:
        return None
    return service_levels.time_left(case.earliest_due, now, clock)


def target_minutes(case: Case, milestone: str) -> int | None:
    programme = programme_of(case)
    if programme is None:
        return None
    t = service_levels.targets(programme, case.severity)
    return {
        "first_response": t.first_response_minutes,
        "update": t.update_minutes,
        "solution": t.solution_minutes,
    }[milestone]


def format_minutes(minutes: float | None) -> str:
    """``1 d 2 h 05 min`` style (days of 24 h of the clock's working minutes)."""
    if minutes is None:
        return ""
    sign = "-" if minutes < 0 else ""
    # Overdue time rounds up, so a deadline missed by seconds reads "-1 min", not "-0 min".
    m = math.ceil(abs(minutes)) if minutes < 0 else int(minutes)
    days, rest = divmod(m, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if hours or days:
        parts.append(_("%(n)s h") % {"n": hours})
    parts.append(_("%(n)s min") % {"n": f"{mins:02d}" if parts else mins})
    return sign + " ".join(parts)


def clock_zone(clock: Clock | None) -> ZoneInfo:
    """The time zone a clock's deadlines are read in: the calendar's zone for a
    business-hours clock, UTC for the 24x7 clock."""
    if clock is None or isinstance(clock, Calendar24x7):
        return _UTC
    return clock.tz


def in_clock_zone(moment: datetime | None, clock: Clock | None) -> datetime | None:
    """``moment`` in the clock's local time (``zoneinfo``, daylight saving included)."""
    if moment is None:
        return None
    return moment.astimezone(clock_zone(clock))


def format_in_clock(moment: datetime | None, clock: Clock | None) -> str:
    """``2026-03-09 10:00 EDT`` on a business-hours clock, ``2026-03-09 14:00 UTC`` on
    the 24x7 clock; the abbreviation is the zone's at that instant."""
    local = in_clock_zone(moment, clock)
    if local is None:
        return ""
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or clock_zone(clock).key}"


def describe(clock: Clock | None) -> str:
    """``24x7`` or ``business hours CA-ON America/Toronto`` (the API's stable text)."""
    if clock is None:
        return ""
    if isinstance(clock, Calendar24x7):
        return "24x7"
    region = getattr(clock, "subdivision", None) or getattr(clock, "country", "")
    return f"business hours {region} {clock.tz.key}"


def label(clock: Clock | None) -> str:
    """ "24×7" or "business hours, CA-ON calendar (America/Toronto)", in the active
    language (pages and e-mails)."""
    if clock is None:
        return ""
    if isinstance(clock, Calendar24x7):
        return str(_("24×7"))
    country = getattr(clock, "country", "")
    sub = getattr(clock, "subdivision", None)
    region = f"{country}-{sub}" if sub and country and "-" not in sub else (sub or country)
    return str(
        _("business hours, %(region)s calendar (%(zone)s)")
        % {"region": region, "zone": clock.tz.key}
    )
