"""What every support use case shares: who is an agent, the case lock, timeline events, the clock refresh and the recipients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from fleetcare.core.tenancy import scope_of
from fleetcare.organisations.models import Role
from fleetcare.support import clocks
from fleetcare.support.models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    StatusChange,
)
from fleetcare.support.notifications import queue_recipient

AGENT_ROLES = {
    Role.VENDOR_ADMIN,
    Role.SUPPORT_AGENT,
    Role.ESCALATION_MANAGER,
    Role.SERVICE_OPERATIONS,
}


ESCALATION_ROLES = {Role.VENDOR_ADMIN, Role.ESCALATION_MANAGER}


def is_agent(user: Any) -> bool:
    return scope_of(user).is_vendor and (
        getattr(user, "role", None) in AGENT_ROLES or getattr(user, "is_superuser", False)
    )


def _require_agent(user: Any) -> None:
    if not is_agent(user):
        raise PermissionDenied(_("Only support agents may do this."))


def _require_escalation_manager(user: Any) -> None:
    if not (
        scope_of(user).is_vendor
        and (getattr(user, "role", None) in ESCALATION_ROLES or user.is_superuser)
    ):
        raise PermissionDenied(_("Only escalation managers may do this."))


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("opened_by_partner")
        .get(pk=case.pk)
    )


def _event(
    case: Case,
    kind: str,
    actor: Any,
    at: datetime,
    body: str = "",
    internal: bool = False,
    **data: Any,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=at,
        body=body,
        internal=internal,
        data=data,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _refresh_clock(case: Case, now: datetime) -> None:
    clocks.recompute(case, now)


def _set_status(case: Case, status: str, actor: Any, now: datetime) -> bool:
    if case.status == status:
        return False
    old = case.status
    case.status = status
    StatusChange.objects.create(case=case, status=status, at=now, actor=_user_or_none(actor))
    if status == CaseStatus.SOLVED:
        case.solved_at = now
    elif status == CaseStatus.CLOSED:
        case.closed_at = now
        case.solved_at = case.solved_at or now
    elif old in (CaseStatus.SOLVED, CaseStatus.CLOSED):
        case.solved_at = None
        case.closed_at = None
    _event(case, EventKind.STATUS, actor, now, **{"from": old, "to": status})
    return True


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _customer_recipients(case: Case) -> list[Any]:
    return [case.requester]


def _staff_recipients(case: Case) -> list[Any]:
    return [case.owner] if case.owner_id else [queue_recipient()]


def _may_work_as_requester_side(user: Any, case: Case) -> bool:
    scope = scope_of(user)
    if scope.is_customer and scope.role != Role.END_USER:
        return case.account_id == scope.organisation_id
    if scope.is_partner:
        return case.opened_by_partner_id == scope.organisation_id
    return False


def _name(user: Any) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "")
