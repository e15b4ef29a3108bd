"""Escalations (R-SUP-3): levels, owner, specialist, actions, fix or workaround, engineering references."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.changelog import changelog, log_change
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import User
from fleetcare.support.models import (
    Case,
    CaseStatus,
    EngineeringReference,
    EngineeringRefKind,
    Escalation,
    EscalationStatus,
    EventKind,
)
from fleetcare.support.notifications import notify, queue_recipient
from fleetcare.support.permissions import may_own_escalation
from fleetcare.support.services.common import (
    _event,
    _lock,
    _require_agent,
    _require_escalation_manager,
)


@transaction.atomic
def escalate(
    case: Case,
    *,
    actor: Any,
    level: int,
    reason: str,
    owner: User | None = None,
    now: datetime | None = None,
) -> Escalation:
    now = now or timezone.now()
    _require_agent(actor)
    case = _lock(get_visible_or_404(Case, actor, pk=case.pk))
    errors: dict[str, list[str]] = {}
    if not isinstance(level, int) or not 1 <= level <= 3:
        errors["level"] = [_("The level is 1, 2 or 3.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the escalation.")]
    if owner is not None and not may_own_escalation(owner):
        errors["owner"] = [_("%(u)s is not an escalation manager.") % {"u": owner}]
    if not case.is_open:
        errors["case"] = [_("A solved or closed case is not escalated; reopen it first.")]
    if errors:
        raise ValidationError(errors)
    current = case.escalations.filter(status=EscalationStatus.OPEN).first()
    with changelog(case, "support.case_escalated", actor=actor):
        if current is not None:
            if level <= current.level:
                raise ValidationError(
                    {
                        "level": _("The case is already escalated at level %(l)s.")
                        % {"l": current.level}
                    }
                )
            current.level = level
            current.reason = f"{current.reason}\n{reason.strip()}"
            if owner is not None:
                current.owner = owner
            current.save()
            esc = current
        else:
            esc = Escalation.objects.create(
                case=case, level=level, reason=reason.strip(), owner=owner, escalated_at=now
            )
        case.escalation_level = level
        case.save()
        _event(
            case,
            EventKind.ESCALATED,
            actor,
            now,
            body=reason.strip(),
            internal=True,
            level=level,
            owner=owner.username if owner else None,
        )
    notify("escalated", case, [esc.owner or queue_recipient()], escalation=esc)
    return esc


@transaction.atomic
def update_escalation(
    escalation: Escalation,
    *,
    actor: Any,
    owner: User | None = None,
    specialist: str | None = None,
    actions: str | None = None,
    workaround: str | None = None,
    fix: str | None = None,
    now: datetime | None = None,
) -> Escalation:
    """The escalation manager takes it, records the specialist, actions, workaround, fix."""
    now = now or timezone.now()
    _require_escalation_manager(actor)
    esc = get_visible_or_404(
        Escalation.objects.select_for_update(of=("self",)), actor, pk=escalation.pk
    )
    if esc.status != EscalationStatus.OPEN:
        raise ValidationError({"escalation": _("This escalation is closed.")})
    if owner is not None and not may_own_escalation(owner):
        raise ValidationError({"owner": _("%(u)s is not an escalation manager.") % {"u": owner}})
    with changelog(esc, "support.escalation_updated", actor=actor):
        changed = {}
        if owner is not None or esc.owner_id is None:
            esc.owner = owner or actor
            changed["owner"] = esc.owner.username
        for field, value in (
            ("specialist", specialist),
            ("actions", actions),
            ("workaround", workaround),
            ("fix", fix),
        ):
            if value is not None and value.strip() != getattr(esc, field):
                setattr(esc, field, value.strip())
                changed[field] = value.strip()
        if not changed:
            return esc
        esc.save()
        # The fields' labels are written when shown (support.timeline), in the reader's
        # language; the events keep the values only.
        _event(esc.case, EventKind.ESCALATION_UPDATE, actor, now, internal=True, **changed)
        public = {k: v for k, v in changed.items() if k in ("workaround", "fix")}
        if public:
            _event(esc.case, EventKind.REPLY, actor, now, **public)
    return esc


@transaction.atomic
def deescalate(
    case: Case, *, actor: Any, note: str = "", now: datetime | None = None
) -> Escalation:
    """De-escalate when solved (R-SUP-3)."""
    now = now or timezone.now()
    _require_escalation_manager(actor)
    case = _lock(get_visible_or_404(Case, actor, pk=case.pk))
    esc = case.escalations.filter(status=EscalationStatus.OPEN).first()
    if esc is None:
        raise ValidationError({"case": _("The case is not escalated.")})
    if case.status not in (CaseStatus.SOLVED, CaseStatus.CLOSED):
        raise ValidationError({"case": _("De-escalate once the case is solved.")})
    with changelog(esc, "support.case_deescalated", actor=actor):
        esc.status = EscalationStatus.DEESCALATED
        esc.deescalated_at = now
        esc.save()
        case.escalation_level = 0
        case.save()
        _event(case, EventKind.DEESCALATED, actor, now, body=note.strip(), internal=True)
    return esc


@transaction.atomic
def add_engineering_reference(
    case: Case,
    *,
    actor: Any,
    kind: str,
    reference: str,
    title: str = "",
    now: datetime | None = None,
) -> EngineeringReference:
    now = now or timezone.now()
    _require_agent(actor)
    case = get_visible_or_404(Case, actor, pk=case.pk)
    if kind not in EngineeringRefKind.values:
        raise ValidationError({"kind": _("The kind is bug or feature.")})
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Give the engineering reference.")})
    if EngineeringReference.objects.filter(case=case, kind=kind, reference=reference).exists():
        raise ValidationError({"reference": _("%(r)s is already on the case.") % {"r": reference}})
    ref = EngineeringReference.objects.create(
        case=case, kind=kind, reference=reference, title=title.strip()[:200], added_by=actor
    )
    _event(
        case,
        EventKind.ENGINEERING_REF,
        actor,
        now,
        ref_kind=kind,
        reference=reference,
        title=ref.title,
    )
    log_change(ref, "support.engineering_reference", actor=actor)
    return ref
