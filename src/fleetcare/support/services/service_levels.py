"""The service-level job (R-SUP-2): breach warnings and breaches, idempotent."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.functional import lazy

from fleetcare.rules import service_levels
from fleetcare.support import clocks
from fleetcare.support.models import (
    MILESTONE_LABELS,
    Case,
    CaseStatus,
    EventKind,
)
from fleetcare.support.notifications import notify, queue_recipient
from fleetcare.support.services.common import _event


def _milestone_deadlines(case: Case) -> list[tuple[str, str, datetime]]:
    """(key, milestone, deadline) of the open milestones; the update key carries its
    deadline so each new update window is warned/breached once."""
    met = clocks.met_milestones(case)
    out = []
    if "first_response" not in met and case.first_response_due:
        out.append(("first_response", "first_response", case.first_response_due))
    if "update" not in met and case.next_update_due and case.first_responded_at:
        out.append((f"update@{case.next_update_due.isoformat()}", "update", case.next_update_due))
    if "solution" not in met and case.solution_due:
        out.append(("solution", "solution", case.solution_due))
    return out


def mark_breaches(now: datetime) -> dict[str, int]:
    """Mark breached milestones and warn before them (idempotent: each milestone is
    warned once and marked once)."""
    breached = warned = 0
    cases = (
        Case.objects.open()
        .exclude(status=CaseStatus.WAITING_ON_CUSTOMER)
        .filter(earliest_due__isnull=False)
        .select_related("owner", "requester", "account", "product_model", "opened_by_partner")
        .prefetch_related(*clocks.calendar_prefetches())
        .order_by("earliest_due", "id")
    )
    for case in list(cases):
        clock = clocks.clock_of(case)
        if clock is None:
            continue
        for key, milestone, due in _milestone_deadlines(case):
            if key in case.breached_milestones:
                continue
            if service_levels.is_breached(due, now):
                with transaction.atomic():
                    locked = Case.objects.select_for_update().get(pk=case.pk)
                    if key in locked.breached_milestones:
                        continue
                    locked.breached_milestones = [*locked.breached_milestones, key]
                    locked.save(update_fields=["breached_milestones", "updated_at"])
                    _event(
                        locked,
                        EventKind.BREACH,
                        None,
                        now,
                        internal=True,
                        milestone=milestone,
                        due=due.isoformat(),
                    )
                    notify(
                        "breach_warning",
                        case,
                        [case.owner, queue_recipient()],
                        breached=True,
                        milestone_label=MILESTONE_LABELS[milestone],
                        due=due,
                        left="",
                    )
                breached += 1
                continue
            if key in case.warned_milestones:
                continue
            target = clocks.target_minutes(case, milestone) or 0
            left = clock.business_minutes_between(now, due)
            share = clocks.programme_of(case).breach_warning_share
            if service_levels.needs_breach_warning(left, target, share):
                with transaction.atomic():
                    locked = Case.objects.select_for_update().get(pk=case.pk)
                    if key in locked.warned_milestones:
                        continue
                    locked.warned_milestones = [*locked.warned_milestones, key]
                    locked.save(update_fields=["warned_milestones", "updated_at"])
                    _event(
                        locked,
                        EventKind.BREACH_WARNING,
                        None,
                        now,
                        internal=True,
                        milestone=milestone,
                        due=due.isoformat(),
                        minutes_left=round(left),
                    )
                    notify(
                        "breach_warning",
                        case,
                        [case.owner, queue_recipient()],
                        breached=False,
                        milestone_label=MILESTONE_LABELS[milestone],
                        due=due,
                        # written when each e-mail is rendered, in its language
                        left=lazy(clocks.format_minutes, str)(left),
                    )
                warned += 1
    return {"breached": breached, "warned": warned}


def is_breached_now(case: Case, now: datetime) -> bool:
    return bool(case.breached_milestones) or (
        case.earliest_due is not None and case.earliest_due < now
    )
