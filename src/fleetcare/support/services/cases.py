"""Opening and working a case (R-SUP-1, R-DS-6): entitlement, replies, status, assignment, severity, the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.changelog import changelog, log_change
from fleetcare.core.numbering import SUPPORT_CASE, next_reference
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.organisations.models import Organisation, User
from fleetcare.support import clocks
from fleetcare.support.entitlement import check_may_open, resolve_entitlement
from fleetcare.support.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    Entitlement,
    EventKind,
    Severity,
    StatusChange,
)
from fleetcare.support.notifications import notify
from fleetcare.support.permissions import can_reply, can_write_internal_note
from fleetcare.support.services.attachments import _store_attachment, validate_uploads
from fleetcare.support.services.common import (
    _event,
    _lock,
    _name,
    _require_agent,
    _set_status,
    _staff_recipients,
    _user_or_none,
    is_agent,
)
from fleetcare.webhooks import payloads as webhook_events


@dataclass
class OpenCaseInput:
    product_model: Any
    severity: str
    subject: str
    description: str
    account: Organisation | None = None
    device: Any = None
    channel: str = Channel.PORTAL
    requester: User | None = None


def _next_reference() -> str:
    """The next CASE- reference, from its locked series (inside the caller's transaction)."""
    return next_reference(SUPPORT_CASE)


@transaction.atomic
def open_case(
    *,
    actor: Any,
    data: OpenCaseInput,
    attachments: list[Any] | None = None,
    now: datetime | None = None,
) -> Case:
    """R-SUP-1, R-DS-6: open a case, resolve its entitlement, start its clock."""
    now = now or timezone.now()
    scope = scope_of(actor)
    errors: dict[str, list[str]] = {}
    if data.severity not in Severity.values:
        errors.setdefault("severity", []).append(
            _("%(value)s is not a severity (S1, S2, S3 or S4).") % {"value": data.severity}
        )
    if not (data.subject or "").strip():
        errors.setdefault("subject", []).append(_("A subject is required."))
    if not (data.description or "").strip():
        errors.setdefault("description", []).append(_("A description is required."))
    if data.channel not in Channel.values:
        errors.setdefault("channel", []).append(_("Unknown channel."))
    if data.channel == Channel.PHONE and not scope.is_vendor:
        errors.setdefault("channel", []).append(_("Only agents enter phone cases."))
    if data.channel == Channel.PHONE and scope.is_vendor and data.requester is None:
        # Never the agent: the customer's person who called is the one notified.
        errors.setdefault("requester", []).append(
            _("Choose the requester: the person of the account who called.")
        )
    account = data.account
    if account is None:
        if scope.is_customer:
            account = actor.organisation
        elif data.device is not None:
            account = data.device.account
        else:
            errors.setdefault("account", []).append(_("Name the account of the case."))
    device = data.device
    if device is not None and account is not None and device.account_id != account.pk:
        errors.setdefault("device", []).append(_("This device does not belong to the account."))
    if device is not None and device.product_model_id != data.product_model.pk:
        errors.setdefault("device", []).append(
            _("This device is a %(model)s, not the product model given.")
            % {"model": device.product_model.name}
        )
    if errors:
        raise ValidationError(errors)
    assert account is not None

    today = timezone.localtime(now).date()
    result = resolve_entitlement(account, data.product_model, device, today)
    check_may_open(actor, account, result, device)
    if attachments:
        validate_uploads(attachments)

    requester = data.requester or actor
    if (
        scope.is_vendor
        and data.requester is not None
        and data.requester.organisation_id not in (account.pk, getattr(result.partner, "pk", None))
    ):
        raise ValidationError(
            {"requester": _("The requester must belong to the account or its partner.")}
        )
    partner = result.partner if result.kind == Entitlement.PER_DEVICE else None
    case = Case(
        reference=_next_reference(),
        account=account,
        requester=requester,
        opened_by_partner=partner,
        product_model=data.product_model,
        device=device,
        severity=data.severity,
        status=CaseStatus.NEW,
        channel=data.channel,
        subject=data.subject.strip()[:200],
        description=data.description.strip(),
        entitlement=result.kind,
        programme_code=result.programme_code,
        enterprise_contract=result.contract,
        daas_device=result.daas_device,
        entitled_until=result.until,
        entitlement_reason=result.reason,
        entitlement_params=result.params,
        paid_support_offered=result.kind == Entitlement.NONE,
        opened_at=now,
    )
    case.save()
    change = StatusChange.objects.create(
        case=case, status=CaseStatus.NEW, at=now, actor=_user_or_none(actor)
    )
    clocks.recompute(case, now, [change])
    case.save()
    event = _event(case, EventKind.CREATED, actor, now, body=case.description, channel=case.channel)
    _event(case, EventKind.ENTITLEMENT, None, now, **_entitlement_params(case))
    for upload in attachments or []:
        _store_attachment(case, upload, actor, event)
    log_change(case, "support.case_opened", actor=actor)
    webhook_events.case("case.created", case)
    notify("created", case, [case.requester, *_staff_recipients(case)])
    return case


def _entitlement_params(case: Case) -> dict[str, Any]:
    """The entitlement event's parameters (support.timeline writes the sentence)."""
    ref = ""
    if case.entitlement == Entitlement.ACCOUNT_WIDE and case.enterprise_contract:
        ref = case.enterprise_contract.reference
    elif case.entitlement == Entitlement.PER_DEVICE and case.daas_device:
        ref = case.daas_device.subscription.reference
    return {
        "entitlement": case.entitlement,
        "programme": case.programme_code,
        "ref": ref,
        "until": case.entitled_until.isoformat() if case.entitled_until else None,
        "reason": case.entitlement_reason,
        "reason_params": case.entitlement_params,
    }


@transaction.atomic
def add_reply(
    case: Case,
    *,
    actor: Any,
    body: str,
    internal: bool = False,
    attachments: list[Any] | None = None,
    new_status: str | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """A public reply or an internal note (agents only). An agent's public reply is the
    first response / an update (R-SUP-2); a customer's reply resumes a paused case."""
    now = now or timezone.now()
    case = get_visible_or_404(Case, actor, pk=case.pk)
    agent = is_agent(actor)
    require(actor, can_reply, case, _("You may not reply on this case."))
    if internal:
        require(actor, can_write_internal_note, case, _("Only agents write internal notes."))
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a message.")})
    if new_status is not None and new_status not in CaseStatus.values:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": new_status}})
    if attachments:
        validate_uploads(attachments)
    case = _lock(case)
    action = "support.case_note" if internal else "support.case_reply"
    with changelog(case, action, actor=actor):
        event = _event(
            case,
            EventKind.NOTE if internal else EventKind.REPLY,
            actor,
            now,
            body=body.strip(),
            internal=internal,
        )
        for upload in attachments or []:
            _store_attachment(case, upload, actor, event)
        if agent and not internal:
            if case.first_responded_at is None:
                case.first_responded_at = now
            case.last_update_at = now
            if new_status is None and case.status == CaseStatus.NEW:
                new_status = CaseStatus.IN_PROGRESS
        elif not agent:
            if new_status is None and case.status in (
                CaseStatus.WAITING_ON_CUSTOMER,
                CaseStatus.SOLVED,
            ):
                new_status = CaseStatus.IN_PROGRESS
            if new_status is not None and new_status not in (
                CaseStatus.IN_PROGRESS,
                CaseStatus.CLOSED,
            ):
                raise PermissionDenied(_("You may only reopen or close your case."))
        if new_status is not None:
            _set_status(case, new_status, actor, now)
        clocks.recompute(case, now)
        case.save()
    if not internal:
        webhook_events.case(
            "case.solved" if new_status == CaseStatus.SOLVED else "case.updated", case
        )
        if agent:
            notify("reply", case, [case.requester], event=event, author=_name(actor))
        else:
            notify("reply", case, _staff_recipients(case), event=event, author=_name(actor))
    if new_status == CaseStatus.SOLVED:
        notify("solved", case, [case.requester], note="")
    return event


@transaction.atomic
def change_status(
    case: Case, *, actor: Any, status: str, note: str = "", now: datetime | None = None
) -> Case:
    """Move a case through its states (R-SUP-2 pauses while waiting on the customer)."""
    now = now or timezone.now()
    case = get_visible_or_404(Case, actor, pk=case.pk)
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": status}})
    if not is_agent(actor):
        require(actor, can_reply, case, _("You may not change this case."))
        if status not in (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS):
            raise PermissionDenied(_("You may only reopen or close your case."))
    case = _lock(case)
    with changelog(case, "support.case_status", actor=actor):
        if not _set_status(case, status, actor, now):
            return case
        if note.strip():
            _event(case, EventKind.REPLY, actor, now, body=note.strip())
        clocks.recompute(case, now)
        case.save()
    webhook_events.case("case.solved" if status == CaseStatus.SOLVED else "case.updated", case)
    if status == CaseStatus.SOLVED:
        notify("solved", case, [case.requester], note=note.strip())
    return case


@transaction.atomic
def assign(case: Case, *, actor: Any, owner: User | None, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    _require_agent(actor)
    case = _lock(get_visible_or_404(Case, actor, pk=case.pk))
    if owner is not None and not is_agent(owner):
        raise ValidationError({"owner": _("%(u)s is not a support agent.") % {"u": owner}})
    with changelog(case, "support.case_assigned", actor=actor):
        case.owner = owner
        case.save()
        _event(
            case,
            EventKind.ASSIGNED,
            actor,
            now,
            internal=True,
            owner=owner.username if owner else None,
        )
    return case


@transaction.atomic
def change_severity(case: Case, *, actor: Any, severity: str, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    _require_agent(actor)
    if severity not in Severity.values:
        raise ValidationError({"severity": _("%(v)s is not a severity.") % {"v": severity}})
    case = _lock(get_visible_or_404(Case, actor, pk=case.pk))
    if case.severity == severity:
        return case
    with changelog(case, "support.case_severity", actor=actor):
        _event(case, EventKind.SEVERITY, actor, now, **{"from": case.severity, "to": severity})
        case.severity = severity
        clocks.recompute(case, now)
        case.save()
    webhook_events.case("case.updated", case)
    return case


def queue_queryset(  # type: ignore[no-untyped-def]
    user: Any, mine: bool = False, severity: str | None = None, status: str | None = None
):
    """The agents' queue: open cases, earliest open deadline first (paused and
    not-entitled cases, which have none, last); constant number of queries.
    Optional filters: the agent's own cases, one severity, one open status."""
    errors: dict[str, list[str]] = {}
    if severity and severity not in Severity.values:
        errors["severity"] = [
            _("Unknown severity %(s)s (one of %(all)s).")
            % {"s": severity, "all": ", ".join(Severity.values)}
        ]
    if status and status not in OPEN_STATUSES:
        errors["status"] = [
            _("The queue holds open cases only; status is one of %(all)s.")
            % {"all": ", ".join(str(s) for s in OPEN_STATUSES)}
        ]
    if errors:
        raise ValidationError(errors)
    qs = (
        Case.objects.visible_to(user)
        .open()
        .select_related("account", "requester", "product_model", "opened_by_partner", "owner")
        .prefetch_related(*clocks.calendar_prefetches())
        .order_by(F("earliest_due").asc(nulls_last=True), "opened_at", "id")
    )
    if mine:
        qs = qs.filter(owner=user)
    if severity:
        qs = qs.filter(severity=severity)
    if status:
        qs = qs.filter(status=status)
    return qs


def case_replacements(case: Case, user: Any) -> dict[str, Any]:
    """The case's replacement orders the user may see (one query, whatever their
    number) and whether the user may raise one from it (R-RMA-1: vendor support staff
    or the DaaS partner, on an entitled case), with the reason when not."""
    from fleetcare.replacements.models import OrderStatus, ReplacementOrder
    from fleetcare.replacements.permissions import can_request_replacement

    orders = list(
        ReplacementOrder.objects.visible_to(user)
        .filter(case_id=case.pk)
        .only(
            "id",
            "reference",
            "status",
            "delivery_target",
            "carrier",
            "tracking_number",
            "return_due",
            "requested_at",
        )
        .order_by("-requested_at", "-id")
    )
    may_request = can_request_replacement(user, case)
    entitled = case.entitlement != Entitlement.NONE
    # One replacement per case is offered: once raised (and not rejected), no second.
    has_order = (
        ReplacementOrder.objects.filter(case_id=case.pk)
        .exclude(status=OrderStatus.REJECTED)
        .exists()
    )
    reason = ""
    if not may_request:
        reason = _("Your role may not raise a replacement order.")
    elif not entitled:
        reason = _(
            "The case is not entitled: an advance replacement needs a Poly+ Enterprise "
            "contract or a DaaS device term covering the product."
        )
    elif has_order:
        reason = _("This case already has a replacement order.")
    return {
        "replacement_orders": orders,
        "may_request_replacement": may_request,
        "may_raise_replacement": may_request and entitled and not has_order,
        "case_has_replacement": has_order,
        "replacement_refusal": reason,
    }


def timeline(case: Case, user: Any):
    qs = CaseEvent.objects.visible_to(user).filter(case=case).select_related("author")
    if not scope_of(user).is_vendor:
        qs = qs.filter(internal=False)
    return qs.prefetch_related("attachments").order_by("at", "id")
