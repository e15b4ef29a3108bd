"""Support use cases (SPEC §6). Each function is one transaction, checks who may do
it, records the change (timeline + change log) and recomputes the service-level
clock of the case (R-SUP-2)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fleetcare.core.models import log_change, snapshot
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.organisations.models import Organisation, Role, User
from fleetcare.rules import service_levels

from . import clocks
from .entitlement import check_may_open, resolve_entitlement
from .models import (
    MILESTONE_LABELS,
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    CloudPartner,
    CloudPartnerAuthorisation,
    EngineeringReference,
    EngineeringRefKind,
    Entitlement,
    Escalation,
    EscalationStatus,
    EventKind,
    PartnerIncident,
    PartnerIncidentStatus,
    PartnerIncidentUpdate,
    PartnerIncidentUpdateKind,
    Severity,
    StatusChange,
)
from .notifications import notify, queue_recipient

AGENT_ROLES = {
    Role.VENDOR_ADMIN,
    Role.SUPPORT_AGENT,
    Role.ESCALATION_MANAGER,
    Role.SERVICE_OPERATIONS,
}
ESCALATION_ROLES = {Role.VENDOR_ADMIN, Role.ESCALATION_MANAGER}

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".zip": "application/zip",
}
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
}


# --- who -------------------------------------------------------------------------------


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


# --- attachments -----------------------------------------------------------------------


def sniff_content_type(name: str, head: bytes) -> str:
    """R-SUP-1 attachments: the type allowed by the extension AND confirmed by the bytes.

    Raises ValidationError naming the file and the problem."""
    ext = PurePath(name).suffix.lower()
    expected = ALLOWED_EXTENSIONS.get(ext)
    if expected is None:
        allowed = ", ".join(sorted(ALLOWED_EXTENSIONS))
        raise ValidationError(
            {
                "file": _("%(name)s: type %(ext)s is not allowed (allowed: %(allowed)s).")
                % {"name": name, "ext": ext or _("(none)"), "allowed": allowed}
            }
        )
    if expected == "text/plain":
        ok = b"\x00" not in head
        if ok:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                # a multi-byte character may be cut at the end of the sniffed head
                ok = exc.start >= len(head) - 3
    else:
        ok = any(head.startswith(m) for m in _MAGIC[expected])
    if not ok:
        raise ValidationError(
            {"file": _("%(name)s: the content is not a %(ext)s file.") % {"name": name, "ext": ext}}
        )
    return expected


def _store_attachment(case: Case, upload: Any, actor: Any, event: CaseEvent | None) -> Attachment:
    name = PurePath(getattr(upload, "name", "") or "file").name[:200]
    size = getattr(upload, "size", None)
    if size is None:
        raise ValidationError({"file": _("%(name)s: unknown size.") % {"name": name}})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s bytes; the limit is %(limit)s bytes (10 MB).")
                % {"name": name, "size": size, "limit": MAX_ATTACHMENT_BYTES}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniff_content_type(name, head)
    att = Attachment(
        case=case,
        event=event,
        original_name=name,
        content_type=content_type,
        size=size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    att.file.save(name, upload, save=False)
    att.save()
    return att


def validate_uploads(uploads: list[Any]) -> None:
    """Check every upload before anything is saved (names every bad file)."""
    errors: list[str] = []
    for upload in uploads:
        name = PurePath(getattr(upload, "name", "") or "file").name
        size = getattr(upload, "size", 0) or 0
        try:
            if size > MAX_ATTACHMENT_BYTES:
                raise ValidationError(
                    _("%(name)s is %(size)s bytes; the limit is %(limit)s bytes (10 MB).")
                    % {"name": name, "size": size, "limit": MAX_ATTACHMENT_BYTES}
                )
            upload.seek(0)
            head = upload.read(2048)
            upload.seek(0)
            sniff_content_type(name, head)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"file": errors})


# --- timeline & clock ------------------------------------------------------------------


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


# --- opening ---------------------------------------------------------------------------


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


def _next_reference(case: Case) -> str:
    return f"CASE-{case.pk:06d}"


@transaction.atomic
def open_case(
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
    partner = result.partner if result.kind == Entitlement.DAAS else None
    case = Case(
        reference=f"TMP-{uuid.uuid4().hex[:12]}",
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
        enterprise_contract=result.contract,
        daas_device=result.daas_device,
        entitled_until=result.until,
        entitlement_note=result.note[:300],
        paid_support_offered=result.kind == Entitlement.NONE,
        opened_at=now,
    )
    case.save()
    case.reference = _next_reference(case)
    change = StatusChange.objects.create(
        case=case, status=CaseStatus.NEW, at=now, actor=_user_or_none(actor)
    )
    clocks.recompute(case, now, [change])
    case.save()
    event = _event(case, EventKind.CREATED, actor, now, body=case.description, channel=case.channel)
    _event(
        case,
        EventKind.ENTITLEMENT,
        None,
        now,
        body=_entitlement_text(case),
        entitlement=case.entitlement,
        until=case.entitled_until.isoformat() if case.entitled_until else None,
    )
    for upload in attachments or []:
        _store_attachment(case, upload, actor, event)
    log_change(case, "support.case_opened", actor)
    notify("created", case, [case.requester, *_staff_recipients(case)])
    return case


def _entitlement_text(case: Case) -> str:
    if case.entitlement == Entitlement.PE:
        return _("Entitled by Poly+ Enterprise contract %(ref)s until %(until)s.") % {
            "ref": case.enterprise_contract.reference if case.enterprise_contract else "",
            "until": case.entitled_until,
        }
    if case.entitlement == Entitlement.DAAS:
        sub = case.daas_device.subscription if case.daas_device else None
        return _("Entitled by DaaS subscription %(ref)s until %(until)s.") % {
            "ref": sub.reference if sub else "",
            "until": case.entitled_until,
        }
    return case.entitlement_note or _("Not entitled: paid support offered.")


# --- working a case --------------------------------------------------------------------


def _may_work_as_requester_side(user: Any, case: Case) -> bool:
    scope = scope_of(user)
    if scope.is_customer and scope.role != Role.END_USER:
        return case.account_id == scope.organisation_id
    if scope.is_partner:
        return case.opened_by_partner_id == scope.organisation_id
    return False


@transaction.atomic
def add_reply(
    case: Case,
    actor: Any,
    body: str,
    *,
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
    if not agent and not _may_work_as_requester_side(actor, case):
        raise PermissionDenied(_("You may not reply on this case."))
    if internal and not agent:
        raise PermissionDenied(_("Only agents write internal notes."))
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a message.")})
    if new_status is not None and new_status not in CaseStatus.values:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": new_status}})
    if attachments:
        validate_uploads(attachments)
    case = _lock(case)
    before = snapshot(case)
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
        if new_status is not None and new_status not in (CaseStatus.IN_PROGRESS, CaseStatus.CLOSED):
            raise PermissionDenied(_("You may only reopen or close your case."))
    if new_status is not None:
        _set_status(case, new_status, actor, now)
    clocks.recompute(case, now)
    case.save()
    log_change(
        case, "support.case_note" if internal else "support.case_reply", actor, before=before
    )
    if not internal:
        if agent:
            notify("reply", case, [case.requester], event=event, author=_name(actor))
        else:
            notify("reply", case, _staff_recipients(case), event=event, author=_name(actor))
    if new_status == CaseStatus.SOLVED:
        notify("solved", case, [case.requester], note="")
    return event


def _name(user: Any) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "")


@transaction.atomic
def change_status(
    case: Case, actor: Any, status: str, note: str = "", now: datetime | None = None
) -> Case:
    """Move a case through its states (R-SUP-2 pauses while waiting on the customer)."""
    now = now or timezone.now()
    case = get_visible_or_404(Case, actor, pk=case.pk)
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": status}})
    if not is_agent(actor):
        if not _may_work_as_requester_side(actor, case):
            raise PermissionDenied(_("You may not change this case."))
        if status not in (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS):
            raise PermissionDenied(_("You may only reopen or close your case."))
    case = _lock(case)
    before = snapshot(case)
    if not _set_status(case, status, actor, now):
        return case
    if note.strip():
        _event(case, EventKind.REPLY, actor, now, body=note.strip())
    clocks.recompute(case, now)
    case.save()
    log_change(case, "support.case_status", actor, before=before)
    if status == CaseStatus.SOLVED:
        notify("solved", case, [case.requester], note=note.strip())
    return case


@transaction.atomic
def assign(case: Case, actor: Any, owner: User | None, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    _require_agent(actor)
    case = _lock(get_visible_or_404(Case, actor, pk=case.pk))
    if owner is not None and not is_agent(owner):
        raise ValidationError({"owner": _("%(u)s is not a support agent.") % {"u": owner}})
    before = snapshot(case)
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
    log_change(case, "support.case_assigned", actor, before=before)
    return case


@transaction.atomic
def change_severity(case: Case, actor: Any, severity: str, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    _require_agent(actor)
    if severity not in Severity.values:
        raise ValidationError({"severity": _("%(v)s is not a severity.") % {"v": severity}})
    case = _lock(get_visible_or_404(Case, actor, pk=case.pk))
    if case.severity == severity:
        return case
    before = snapshot(case)
    _event(case, EventKind.SEVERITY, actor, now, **{"from": case.severity, "to": severity})
    case.severity = severity
    clocks.recompute(case, now)
    case.save()
    log_change(case, "support.case_severity", actor, before=before)
    return case


@transaction.atomic
def add_attachments(case: Case, actor: Any, uploads: list[Any], now: datetime | None = None):
    now = now or timezone.now()
    case = get_visible_or_404(Case, actor, pk=case.pk)
    if not is_agent(actor) and not _may_work_as_requester_side(actor, case):
        raise PermissionDenied(_("You may not add files to this case."))
    if not uploads:
        raise ValidationError({"file": _("Choose a file.")})
    validate_uploads(uploads)
    event = _event(case, EventKind.ATTACHMENT, actor, now, body=", ".join(u.name for u in uploads))
    stored = [_store_attachment(case, u, actor, event) for u in uploads]
    log_change(case, "support.case_attachment", actor)
    return stored


def visible_attachment(user: Any, attachment_id: int) -> Attachment:
    """An attachment only for who may see its case (internal notes' files: staff only)."""
    att = get_visible_or_404(
        Attachment.objects.select_related("case", "event"), user, pk=attachment_id
    )
    get_visible_or_404(Case, user, pk=att.case_id)
    if att.event is not None and att.event.internal and not scope_of(user).is_vendor:
        from django.http import Http404

        raise Http404("No attachment matches the given query.")
    return att


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
        .prefetch_related("opened_by_partner__sites")
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
    from fleetcare.replacements.models import ReplacementOrder
    from fleetcare.replacements.services import REQUEST_ROLES

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
    scope = scope_of(user)
    role = getattr(user, "role", None)
    may_request = getattr(user, "is_superuser", False) or (
        role in REQUEST_ROLES and (scope.is_vendor or role == Role.PARTNER)
    )
    entitled = case.entitlement != Entitlement.NONE
    reason = ""
    if not may_request:
        reason = _("Your role may not raise a replacement order.")
    elif not entitled:
        reason = _(
            "The case is not entitled: an advance replacement needs a Poly+ Enterprise "
            "contract or a DaaS device term covering the product."
        )
    return {
        "replacement_orders": orders,
        "may_request_replacement": may_request,
        "may_raise_replacement": may_request and entitled,
        "replacement_refusal": reason,
    }


def timeline(case: Case, user: Any):
    qs = CaseEvent.objects.visible_to(user).filter(case=case).select_related("author")
    if not scope_of(user).is_vendor:
        qs = qs.filter(internal=False)
    return qs.prefetch_related("attachments").order_by("at", "id")


# --- escalations (R-SUP-3) -------------------------------------------------------------


@transaction.atomic
def escalate(
    case: Case,
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
    if owner is not None and owner.role not in ESCALATION_ROLES:
        errors["owner"] = [_("%(u)s is not an escalation manager.") % {"u": owner}]
    if not case.is_open:
        errors["case"] = [_("A solved or closed case is not escalated; reopen it first.")]
    if errors:
        raise ValidationError(errors)
    current = case.escalations.filter(status=EscalationStatus.OPEN).first()
    before = snapshot(case)
    if current is not None:
        if level <= current.level:
            raise ValidationError(
                {"level": _("The case is already escalated at level %(l)s.") % {"l": current.level}}
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
    log_change(case, "support.case_escalated", actor, before=before)
    notify("escalated", case, [esc.owner or queue_recipient()], escalation=esc)
    return esc


@transaction.atomic
def update_escalation(
    escalation: Escalation,
    actor: Any,
    *,
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
    if owner is not None and owner.role not in ESCALATION_ROLES:
        raise ValidationError({"owner": _("%(u)s is not an escalation manager.") % {"u": owner}})
    before = snapshot(esc)
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
    body = "\n".join(f"{k}: {v}" for k, v in changed.items())
    _event(esc.case, EventKind.ESCALATION_UPDATE, actor, now, body=body, internal=True, **changed)
    if "workaround" in changed or "fix" in changed:
        _event(
            esc.case,
            EventKind.REPLY,
            actor,
            now,
            body="\n".join(
                f"{_('Workaround') if k == 'workaround' else _('Fix')}: {v}"
                for k, v in changed.items()
                if k in ("workaround", "fix")
            ),
        )
    log_change(esc, "support.escalation_updated", actor, before=before)
    return esc


@transaction.atomic
def deescalate(case: Case, actor: Any, note: str = "", now: datetime | None = None) -> Escalation:
    """De-escalate when solved (R-SUP-3)."""
    now = now or timezone.now()
    _require_escalation_manager(actor)
    case = _lock(get_visible_or_404(Case, actor, pk=case.pk))
    esc = case.escalations.filter(status=EscalationStatus.OPEN).first()
    if esc is None:
        raise ValidationError({"case": _("The case is not escalated.")})
    if case.status not in (CaseStatus.SOLVED, CaseStatus.CLOSED):
        raise ValidationError({"case": _("De-escalate once the case is solved.")})
    before = snapshot(esc)
    esc.status = EscalationStatus.DEESCALATED
    esc.deescalated_at = now
    esc.save()
    case.escalation_level = 0
    case.save()
    _event(case, EventKind.DEESCALATED, actor, now, body=note.strip(), internal=True)
    log_change(esc, "support.case_deescalated", actor, before=before)
    return esc


@transaction.atomic
def add_engineering_reference(
    case: Case,
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
        body=f"{ref.get_kind_display()} {reference}",
        ref_kind=kind,
        reference=reference,
    )
    log_change(ref, "support.engineering_reference", actor)
    return ref


# --- cloud-partner incidents (R-SUP-4) -------------------------------------------------

CLOUD_PARTNER_ROLES = {Role.SUPPORT_AGENT, Role.ESCALATION_MANAGER, Role.VENDOR_ADMIN}
CLOUD_PARTNER_FIELDS = ("name", "contact", "escalation_procedure")


def may_manage_cloud_partners(user: Any) -> bool:
    """Vendor support staff (agents, escalation managers, vendor admins) keep the list."""
    return scope_of(user).is_vendor and (
        getattr(user, "role", None) in CLOUD_PARTNER_ROLES or getattr(user, "is_superuser", False)
    )


def require_cloud_partner_manager(user: Any) -> None:
    if not may_manage_cloud_partners(user):
        raise PermissionDenied(
            _(
                "Only support agents, escalation managers and vendor administrators "
                "manage cloud partners."
            )
        )


def _clean_cloud_partner(values: dict[str, str], exclude_pk: int | None = None) -> dict[str, str]:
    """Trimmed values; every problem at once as a ValidationError by field."""
    errors: dict[str, list[str]] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Give the cloud partner's name.")]
    elif len(name) > 120:
        errors["name"] = [_("The name is longer than 120 characters.")]
    else:
        clash = CloudPartner.objects.filter(name__iexact=name)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["name"] = [_("A cloud partner named %(name)s already exists.") % {"name": name}]
    contact = (values.get("contact") or "").strip()
    if len(contact) > 300:
        errors["contact"] = [_("The contact is longer than 300 characters.")]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "contact": contact,
        "escalation_procedure": (values.get("escalation_procedure") or "").strip(),
    }


@transaction.atomic
def create_cloud_partner(
    actor: Any,
    name: str,
    contact: str = "",
    escalation_procedure: str = "",
    code: str = "",
) -> CloudPartner:
    """R-SUP-4: a cloud partner the vendor may open incidents with. The code (used by
    the API) is derived from the name unless given; it never changes afterwards."""
    require_cloud_partner_manager(actor)
    errors: dict[str, list[str]] = {}
    try:
        clean = _clean_cloud_partner(
            {"name": name, "contact": contact, "escalation_procedure": escalation_procedure}
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    code = (code or "").strip().lower()
    if code:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", code):
            errors["code"] = [
                _(
                    "The code may only hold lower-case letters, digits, hyphens and "
                    "underscores (at most 40)."
                )
            ]
        elif CloudPartner.objects.filter(code=code).exists():
            errors["code"] = [_("The code %(code)s is already taken.") % {"code": code}]
    if errors:
        raise ValidationError(errors)
    if not code:
        base = (slugify(clean["name"]) or "partner")[:32]
        code, n = base, 1
        while CloudPartner.objects.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
    partner = CloudPartner.objects.create(code=code, **clean)
    log_change(partner, "support.cloud_partner_created", actor)
    return partner


@transaction.atomic
def update_cloud_partner(partner: CloudPartner, actor: Any, **changes: str | None) -> CloudPartner:
    """Edit a cloud partner's name, contact and escalation procedure notes (``None``
    leaves a field as it is)."""
    require_cloud_partner_manager(actor)
    unknown = set(changes) - set(CLOUD_PARTNER_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    partner = CloudPartner.objects.select_for_update().get(pk=partner.pk)
    before = snapshot(partner)
    values = {f: getattr(partner, f) for f in CLOUD_PARTNER_FIELDS}
    values.update({f: v for f, v in changes.items() if v is not None})
    clean = _clean_cloud_partner(values, exclude_pk=partner.pk)
    for field, value in clean.items():
        setattr(partner, field, value)
    partner.save()
    log_change(partner, "support.cloud_partner_updated", actor, before=before)
    return partner


def authorised_cloud_partner_ids(account_id: int, on: date) -> dict[int, date | None]:
    """{cloud partner id: valid to (None: open-ended)} of the authorisations on file
    for the account that cover ``on`` (one query)."""
    out: dict[int, date | None] = {}
    rows = CloudPartnerAuthorisation.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        account_id=account_id,
        valid_from__lte=on,
    ).values_list("cloud_partner_id", "valid_to")
    for partner_id, valid_to in rows:
        if partner_id in out and out[partner_id] is None:
            continue
        if valid_to is None or partner_id not in out:
            out[partner_id] = valid_to
        else:
            out[partner_id] = max(valid_to, out[partner_id])  # type: ignore[type-var]
    return out


@transaction.atomic
def record_authorisation(
    actor: Any,
    account: Organisation,
    cloud_partner: CloudPartner,
    document: Any,
    valid_from: date,
    valid_to: date | None = None,
    signed_by: str = "",
) -> CloudPartnerAuthorisation:
    """Put the customer's signed authorisation on file (agents, or the customer's admin)."""
    scope = scope_of(actor)
    if not (
        is_agent(actor)
        or (
            scope.is_customer
            and scope.role == Role.CUSTOMER_ADMIN
            and account.pk == scope.organisation_id
        )
    ):
        raise PermissionDenied(_("Only agents or the customer's administrator record this."))
    errors: dict[str, list[str]] = {}
    if document is None:
        errors["document"] = [_("Attach the signed authorisation.")]
    else:
        try:
            validate_uploads([document])
        except ValidationError as exc:
            errors["document"] = exc.messages
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("The end date is before the start date.")]
    if errors:
        raise ValidationError(errors)
    auth = CloudPartnerAuthorisation(
        account=account,
        cloud_partner=cloud_partner,
        valid_from=valid_from,
        valid_to=valid_to,
        signed_by=signed_by.strip()[:200],
        recorded_by=_user_or_none(actor),
        document_name=PurePath(document.name).name[:200],
    )
    auth.document.save(document.name, document, save=False)
    auth.save()
    after = {
        **snapshot(auth, [f.name for f in auth._meta.concrete_fields if f.name != "document"]),
        "document": auth.document.name,
    }
    log_change(auth, "support.cloud_authorisation_recorded", actor, after=after)
    return auth


def authorisation_on_file(
    account_id: int, cloud_partner: CloudPartner, on: date
) -> CloudPartnerAuthorisation | None:
    for auth in CloudPartnerAuthorisation.objects.filter(
        account_id=account_id, cloud_partner=cloud_partner, valid_from__lte=on
    ).order_by("-valid_from", "-id"):
        if auth.covers(on):
            return auth
    return None


@transaction.atomic
def open_partner_incident(
    case: Case,
    actor: Any,
    cloud_partner: CloudPartner,
    partner_ticket: str = "",
    findings: str = "",
    now: datetime | None = None,
) -> PartnerIncident:
    """R-SUP-4: only with the customer's signed authorisation on file for that partner."""
    now = now or timezone.now()
    _require_agent(actor)
    case = _lock(get_visible_or_404(Case, actor, pk=case.pk))
    auth = authorisation_on_file(case.account_id, cloud_partner, timezone.localtime(now).date())
    if auth is None:
        raise PermissionDenied(
            _(
                "No signed authorisation from %(account)s for %(partner)s is on file for today: "
                "record the customer's authorisation before opening an incident with the partner."
            )
            % {"account": case.account.name, "partner": cloud_partner.name}
        )
    incident = PartnerIncident.objects.create(
        case=case,
        cloud_partner=cloud_partner,
        authorisation=auth,
        partner_ticket=partner_ticket.strip()[:64],
        status=PartnerIncidentStatus.OPEN
        if partner_ticket.strip()
        else PartnerIncidentStatus.REQUESTED,
        findings=findings.strip(),
        opened_by=actor,
    )
    before = snapshot(case)
    _event(
        case,
        EventKind.PARTNER_INCIDENT,
        actor,
        now,
        body=_("Incident opened with %(p)s%(t)s.")
        % {
            "p": cloud_partner.name,
            "t": f" ({incident.partner_ticket})" if incident.partner_ticket else "",
        },
        incident=incident.pk,
        partner=cloud_partner.code,
        ticket=incident.partner_ticket,
    )
    if case.status in (CaseStatus.NEW, CaseStatus.IN_PROGRESS):
        _set_status(case, CaseStatus.WAITING_ON_PARTNER, actor, now)
        clocks.recompute(case, now)
        case.save()
    log_change(incident, "support.partner_incident_opened", actor)
    log_change(case, "support.case_status", actor, before=before)
    return incident


@transaction.atomic
def update_partner_incident(
    incident: PartnerIncident,
    actor: Any,
    kind: str,
    body: str,
    *,
    partner_ticket: str | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> PartnerIncidentUpdate:
    """Status updates, joint calls, the result reported to the customer, or — when the
    partner will not open one — the findings, pointing the customer to the partner."""
    now = now or timezone.now()
    _require_agent(actor)
    incident = get_visible_or_404(
        PartnerIncident.objects.select_related("case", "cloud_partner"), actor, pk=incident.pk
    )
    if kind not in PartnerIncidentUpdateKind.values:
        raise ValidationError({"kind": _("Unknown update kind %(k)s.") % {"k": kind}})
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the update.")})
    if status is not None and status not in PartnerIncidentStatus.values:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": status}})
    before = snapshot(incident)
    if partner_ticket is not None and partner_ticket.strip():
        incident.partner_ticket = partner_ticket.strip()[:64]
        if incident.status == PartnerIncidentStatus.REQUESTED and status is None:
            status = PartnerIncidentStatus.OPEN
    case = incident.case
    public_body = ""
    if kind == PartnerIncidentUpdateKind.RESULT:
        incident.result = body.strip()
        status = status or PartnerIncidentStatus.RESOLVED
        public_body = _("Result from %(p)s: %(b)s") % {
            "p": incident.cloud_partner.name,
            "b": body.strip(),
        }
    elif kind == PartnerIncidentUpdateKind.FINDINGS:
        incident.findings = body.strip()
        status = status or PartnerIncidentStatus.REFUSED
        public_body = _(
            "%(p)s did not open an incident. Our findings: %(b)s\n"
            "Please contact %(p)s directly about its environment."
        ) % {"p": incident.cloud_partner.name, "b": body.strip()}
    if status is not None:
        incident.status = status
    incident.save()
    update = PartnerIncidentUpdate.objects.create(
        incident=incident, kind=kind, at=now, body=body.strip(), author=actor
    )
    _event(
        case,
        EventKind.PARTNER_INCIDENT,
        actor,
        now,
        internal=not public_body,
        body=public_body or f"{update.get_kind_display()}: {body.strip()}",
        incident=incident.pk,
        update_kind=kind,
        status=incident.status,
    )
    if public_body:
        locked = _lock(case)
        if locked.status == CaseStatus.WAITING_ON_PARTNER:
            _set_status(locked, CaseStatus.IN_PROGRESS, actor, now)
        locked.last_update_at = now
        locked.first_responded_at = locked.first_responded_at or now
        clocks.recompute(locked, now)
        locked.save()
        notify("reply", locked, [locked.requester], event=_Body(public_body), author=_name(actor))
    log_change(incident, "support.partner_incident_updated", actor, before=before)
    return update


@dataclass
class _Body:
    body: str


# --- service-level job (R-SUP-2) -------------------------------------------------------


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
        .prefetch_related("opened_by_partner__sites")
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
                        left=clocks.format_minutes(left),
                    )
                warned += 1
    return {"breached": breached, "warned": warned}


def is_breached_now(case: Case, now: datetime) -> bool:
    return bool(case.breached_milestones) or (
        case.earliest_due is not None and case.earliest_due < now
    )


__all__ = [
    "OPEN_STATUSES",
    "OpenCaseInput",
    "add_attachments",
    "add_engineering_reference",
    "add_reply",
    "assign",
    "authorisation_on_file",
    "change_severity",
    "change_status",
    "create_cloud_partner",
    "deescalate",
    "escalate",
    "is_agent",
    "mark_breaches",
    "open_case",
    "record_authorisation",
    "timeline",
    "update_cloud_partner",
    "update_escalation",
    "update_partner_incident",
    "visible_attachment",
]
