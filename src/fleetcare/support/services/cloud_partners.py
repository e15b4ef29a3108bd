"""Cloud-partner incidents (R-SUP-4): partners, the customer's signed authorisation, incidents and their updates."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fleetcare.core.changelog import changelog, log_change
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation
from fleetcare.support import clocks
from fleetcare.support.models import (
    Case,
    CaseStatus,
    CloudPartner,
    CloudPartnerAuthorisation,
    EventKind,
    PartnerIncident,
    PartnerIncidentStatus,
    PartnerIncidentUpdate,
    PartnerIncidentUpdateKind,
)
from fleetcare.support.notifications import notify
from fleetcare.support.permissions import can_manage_cloud_partners, can_record_authorisation
from fleetcare.support.services.attachments import validate_uploads
from fleetcare.support.services.common import (
    _event,
    _lock,
    _name,
    _require_agent,
    _set_status,
    _user_or_none,
)

CLOUD_PARTNER_FIELDS = ("name", "contact", "escalation_procedure")


def may_manage_cloud_partners(user: Any) -> bool:
    """Vendor support staff (agents, escalation managers, vendor admins) keep the list."""
    return can_manage_cloud_partners(user)


def require_cloud_partner_manager(user: Any) -> None:
    require(
        user,
        can_manage_cloud_partners,
        None,
        _(
            "Only support agents, escalation managers and vendor administrators "
            "manage cloud partners."
        ),
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
    *,
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
    log_change(partner, "support.cloud_partner_created", actor=actor)
    return partner


@transaction.atomic
def update_cloud_partner(
    partner: CloudPartner, *, actor: Any, **changes: str | None
) -> CloudPartner:
    """Edit a cloud partner's name, contact and escalation procedure notes (``None``
    leaves a field as it is)."""
    require_cloud_partner_manager(actor)
    unknown = set(changes) - set(CLOUD_PARTNER_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    partner = CloudPartner.objects.select_for_update().get(pk=partner.pk)
    with changelog(partner, "support.cloud_partner_updated", actor=actor):
        values = {f: getattr(partner, f) for f in CLOUD_PARTNER_FIELDS}
        values.update({f: v for f, v in changes.items() if v is not None})
        clean = _clean_cloud_partner(values, exclude_pk=partner.pk)
        for field, value in clean.items():
            setattr(partner, field, value)
        partner.save()
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
    *,
    actor: Any,
    account: Organisation,
    cloud_partner: CloudPartner,
    document: Any,
    valid_from: date,
    valid_to: date | None = None,
    signed_by: str = "",
) -> CloudPartnerAuthorisation:
    """Put the customer's signed authorisation on file (agents, or the customer's admin)."""
    require(
        actor,
        can_record_authorisation,
        account,
        _("Only agents or the customer's administrator record this."),
    )
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
    log_change(auth, "support.cloud_authorisation_recorded", actor=actor)
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
    *,
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
    with changelog(case, "support.case_status", actor=actor):
        _event(
            case,
            EventKind.PARTNER_INCIDENT,
            actor,
            now,
            incident=incident.pk,
            partner=cloud_partner.code,
            partner_name=cloud_partner.name,
            ticket=incident.partner_ticket,
        )
        if case.status in (CaseStatus.NEW, CaseStatus.IN_PROGRESS):
            _set_status(case, CaseStatus.WAITING_ON_PARTNER, actor, now)
            clocks.recompute(case, now)
            case.save()
        log_change(incident, "support.partner_incident_opened", actor=actor)
    return incident


@transaction.atomic
def update_partner_incident(
    incident: PartnerIncident,
    *,
    actor: Any,
    kind: str,
    body: str,
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
    with changelog(incident, "support.partner_incident_updated", actor=actor):
        if partner_ticket is not None and partner_ticket.strip():
            incident.partner_ticket = partner_ticket.strip()[:64]
            if incident.status == PartnerIncidentStatus.REQUESTED and status is None:
                status = PartnerIncidentStatus.OPEN
        case = incident.case
        # The result and the findings are told to the customer; the sentences are
        # written when shown (support.timeline), in the reader's language.
        public = kind in (PartnerIncidentUpdateKind.RESULT, PartnerIncidentUpdateKind.FINDINGS)
        if kind == PartnerIncidentUpdateKind.RESULT:
            incident.result = body.strip()
            status = status or PartnerIncidentStatus.RESOLVED
        elif kind == PartnerIncidentUpdateKind.FINDINGS:
            incident.findings = body.strip()
            status = status or PartnerIncidentStatus.REFUSED
        if status is not None:
            incident.status = status
        incident.save()
        update = PartnerIncidentUpdate.objects.create(
            incident=incident, kind=kind, at=now, body=body.strip(), author=actor
        )
        event = _event(
            case,
            EventKind.PARTNER_INCIDENT,
            actor,
            now,
            internal=not public,
            incident=incident.pk,
            partner=incident.cloud_partner.code,
            partner_name=incident.cloud_partner.name,
            update_kind=kind,
            status=incident.status,
            text=update.body,
        )
        if public:
            locked = _lock(case)
            if locked.status == CaseStatus.WAITING_ON_PARTNER:
                _set_status(locked, CaseStatus.IN_PROGRESS, actor, now)
            locked.last_update_at = now
            locked.first_responded_at = locked.first_responded_at or now
            clocks.recompute(locked, now)
            locked.save()
            notify("reply", locked, [locked.requester], event=event, author=_name(actor))
    return update
