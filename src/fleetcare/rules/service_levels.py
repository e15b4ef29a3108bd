"""Service-level clocks (R-SUP-2), after Zammad's escalation model.

Three deadlines per case: first response, update, solution. P+E runs on a 24x7
clock, DaaS on the partner's business-hours clock (R-DS-6); the clock of each
severity is a programme setting. Pauses (waiting on the customer) push deadlines
out by the paused working time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .calendars import Calendar24x7, Clock, Pause
from .programmes import Programme, Severity

__all__ = [
    "MILESTONES",
    "Deadlines",
    "SlaTargets",
    "clock_for",
    "deadlines",
    "earliest_open_deadline",
    "is_breached",
    "targets",
    "time_left",
]

MILESTONES = ("first_response", "update", "solution")


@dataclass(frozen=True, slots=True)
class SlaTargets:
    """R-SUP-2: targets in minutes of the given clock."""

    clock: str
    first_response_minutes: int
    update_minutes: int
    solution_minutes: int


@dataclass(frozen=True, slots=True)
class Deadlines:
    """R-SUP-2: the three deadlines (aware UTC datetimes)."""

    first_response: datetime
    update: datetime
    solution: datetime

    def as_dict(self) -> dict[str, datetime]:
        """Milestone name → deadline."""
        return {
            "first_response": self.first_response,
            "update": self.update,
            "solution": self.solution,
        }


def targets(programme: Programme, severity: Severity) -> SlaTargets:
    """R-SUP-2: the programme's targets for a severity (S1..S4)."""
    try:
        level = programme.service_levels[severity]
    except KeyError:
        raise ValueError(f"unknown severity {severity!r}") from None
    return SlaTargets(
        level.clock, level.first_response_minutes, level.update_minutes, level.solution_minutes
    )


_ROUND_THE_CLOCK = Calendar24x7()


def clock_for(programme: Programme, severity: Severity, calendar: Clock | None) -> Clock:
    """R-SUP-2: the 24x7 clock or the given business calendar, per programme setting."""
    if targets(programme, severity).clock == "24x7":
        return _ROUND_THE_CLOCK
    if calendar is None:
        raise ValueError(
            f"{programme.code} {severity} runs on business hours: a calendar is needed"
        )
    return calendar


def deadlines(
    opened_at: datetime,
    programme: Programme,
    severity: Severity,
    calendar: Clock | None,
    pauses: Sequence[Pause] = (),
    first_responded_at: datetime | None = None,
    last_update_at: datetime | None = None,
    solved_at: datetime | None = None,
) -> Deadlines:
    """R-SUP-2: first-response, update and solution deadlines on the programme's clock.

    First response and solution count from ``opened_at``; the next update is due
    ``update_minutes`` after the last update (or the first response, or the
    opening). Working time inside ``pauses`` does not count. ``solved_at`` does
    not move deadlines; it is accepted so callers pass a case's facts uniformly.
    """
    del solved_at
    t = targets(programme, severity)
    clock = clock_for(programme, severity, calendar)
    update_from = last_update_at or first_responded_at or opened_at
    return Deadlines(
        clock.add_business_minutes(opened_at, t.first_response_minutes, pauses),
        clock.add_business_minutes(update_from, t.update_minutes, pauses),
        clock.add_business_minutes(opened_at, t.solution_minutes, pauses),
    )


def earliest_open_deadline(
    deadlines: Deadlines, met: set[str] | frozenset[str] = frozenset()
) -> tuple[str, datetime] | None:
    """R-SUP-2: the earliest deadline whose milestone is not in ``met`` (the escalation
    time); None when all are met."""
    unknown = set(met) - set(MILESTONES)
    if unknown:
        raise ValueError(f"unknown milestones: {sorted(unknown)}")
    open_ = [(when, name) for name, when in deadlines.as_dict().items() if name not in met]
    if not open_:
        return None
    when, name = min(open_)
    return name, when


def is_breached(deadline: datetime, at: datetime) -> bool:
    """R-SUP-2: breached when the instant is after the deadline."""
    return at > deadline


def needs_breach_warning(minutes_left: float, target_minutes: float, share: Decimal) -> bool:
    """R-SUP-2: an open deadline is close when at most ``share`` of its target is left
    (on its own clock); a breached one is not "close", it is breached."""
    return 0 <= minutes_left <= float(target_minutes) * float(share)


def time_left(
    deadline: datetime, now: datetime, calendar: Clock, pauses: Sequence[Pause] = ()
) -> float:
    """R-SUP-2: working minutes from ``now`` to ``deadline`` on the clock; negative once
    breached (working minutes overdue)."""
    if now <= deadline:
        return calendar.business_minutes_between(now, deadline, pauses)
    return -calendar.business_minutes_between(deadline, now, pauses)
