"""The wording of a case's timeline, written when shown, in the reader's language.

A :class:`~fleetcare.support.models.CaseEvent` stores its ``kind`` (the code) and
``data`` (the parameters: enum codes, usernames, ISO dates, references); ``body`` only
holds what a person typed (a reply, a note, an escalation's reason). :func:`lines`
turns an event into the sentences shown on the case page and in e-mails, in the active
language and time zone: "Status changed from New to Waiting on customer", never
``new → waiting_on_customer``. Rows written before this existed may still carry a
sentence in ``body``; it is shown as it was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from fleetcare.core import programmes
from fleetcare.core.messages import Definition, choice, define

from .entitlement_messages import explain_not_entitled
from .models import (
    MILESTONE_LABELS,
    CaseStatus,
    Channel,
    EngineeringRefKind,
    Entitlement,
    EventKind,
    PartnerIncidentStatus,
    PartnerIncidentUpdateKind,
    Severity,
)

__all__ = ["lines"]


def _milestone(value: Any) -> str:
    return str(MILESTONE_LABELS.get(str(value), value or ""))


def _programme(value: Any) -> str:
    return programmes.programme_name(str(value)) if value else ""


_status = choice(CaseStatus)
_severity = choice(Severity)

OPENED = define(
    "support.event.opened", _("Opened through the %(channel)s channel."), channel=choice(Channel)
)
STATUS = define(
    "support.event.status",
    _("Status changed from %(from)s to %(to)s."),
    **{"from": _status, "to": _status},
)
STATUS_SET = define("support.event.status_set", _("Status set to %(to)s."), to=_status)
SEVERITY = define(
    "support.event.severity",
    _("Severity changed from %(from)s to %(to)s."),
    **{"from": _severity, "to": _severity},
)
ASSIGNED = define("support.event.assigned", _("Assigned to %(owner)s."))
UNASSIGNED = define("support.event.unassigned", _("No longer assigned to anyone."))
ENTITLED_CONTRACT = define(
    "support.event.entitled_contract",
    _("Entitled by %(programme)s contract %(ref)s until %(until)s."),
    programme=_programme,
)
ENTITLED_TERM = define(
    "support.event.entitled_term",
    _("Entitled by %(programme)s subscription %(ref)s until %(until)s."),
    programme=_programme,
)
NOT_ENTITLED = define("support.event.not_entitled", _("Not entitled: paid support offered."))
BREACH_WARNING = define(
    "support.event.breach_warning",
    _("The %(milestone)s deadline is at %(due)s: %(minutes_left)s min left on the case's clock."),
    milestone=_milestone,
)
BREACH = define(
    "support.event.breach",
    _("The %(milestone)s deadline passed at %(due)s."),
    milestone=_milestone,
)
ESCALATED = define("support.event.escalated", _("Escalated to level %(level)s."))
ESCALATED_TO = define(
    "support.event.escalated_to",
    _("Escalated to level %(level)s, escalation manager %(owner)s."),
)
ESCALATION_FIELDS: dict[str, Definition] = {
    "owner": define("support.event.escalation_owner", _("Escalation manager: %(value)s")),
    "specialist": define(
        "support.event.escalation_specialist", _("Escalated to specialist %(value)s")
    ),
    "actions": define("support.event.escalation_actions", _("Actions taken: %(value)s")),
    "workaround": define("support.event.workaround", _("Workaround: %(value)s")),
    "fix": define("support.event.fix", _("Fix: %(value)s")),
}
DEESCALATED = define("support.event.deescalated", _("The escalation was closed."))
ENGINEERING_REF = define(
    "support.event.engineering_ref",
    _("%(ref_kind)s %(reference)s recorded."),
    ref_kind=choice(EngineeringRefKind),
)
INCIDENT_OPENED = define("support.event.incident_opened", _("Incident opened with %(partner)s."))
INCIDENT_OPENED_TICKET = define(
    "support.event.incident_opened_ticket", _("Incident opened with %(partner)s (%(ticket)s).")
)
INCIDENT_UPDATE = define(
    "support.event.incident_update",
    _("%(update_kind)s from %(partner)s: %(text)s"),
    update_kind=choice(PartnerIncidentUpdateKind),
)
INCIDENT_RESULT = define("support.event.incident_result", _("Result from %(partner)s: %(text)s"))
INCIDENT_FINDINGS = define(
    "support.event.incident_findings",
    _(
        "%(partner)s did not open an incident. Our findings: %(text)s\n"
        "Please contact %(partner)s directly about its environment."
    ),
)
INCIDENT_STATUS = define(
    "support.event.incident_status",
    _("Incident status: %(status)s."),
    status=choice(PartnerIncidentStatus),
)


def _partner_name(data: Mapping[str, Any]) -> str:
    from .models import CloudPartner

    name = data.get("partner_name")
    if name:
        return str(name)
    code = data.get("partner")
    if not code:
        return ""
    found = CloudPartner.objects.filter(code=code).values_list("name", flat=True).first()
    return found or str(code)


def _entitlement(data: Mapping[str, Any]) -> list[str]:
    kind = data.get("entitlement")
    if kind == Entitlement.ACCOUNT_WIDE:
        return [ENTITLED_CONTRACT.render(data)]
    if kind == Entitlement.PER_DEVICE:
        return [ENTITLED_TERM.render(data)]
    reason = explain_not_entitled(data.get("reason", ""), data.get("reason_params") or {})
    return [reason or NOT_ENTITLED.render()]


def _incident(data: Mapping[str, Any]) -> list[str]:
    params = {**data, "partner": _partner_name(data)}
    kind = data.get("update_kind")
    if not kind:
        return [(INCIDENT_OPENED_TICKET if data.get("ticket") else INCIDENT_OPENED).render(params)]
    if "text" not in data:  # an update written before its text was kept apart
        return []
    if kind == PartnerIncidentUpdateKind.RESULT:
        return [INCIDENT_RESULT.render(params)]
    if kind == PartnerIncidentUpdateKind.FINDINGS:
        return [INCIDENT_FINDINGS.render(params)]
    out = [INCIDENT_UPDATE.render(params)]
    if data.get("status"):
        out.append(INCIDENT_STATUS.render(params))
    return out


def lines(kind: str, data: Mapping[str, Any] | None) -> list[str]:
    """The sentences describing an event of ``kind`` with ``data``, in the active
    language (empty when the event is only what its author typed)."""
    data = data or {}
    if kind == EventKind.CREATED:
        return [OPENED.render(data)] if data.get("channel") else []
    if kind == EventKind.STATUS:
        if data.get("from"):
            return [STATUS.render(data)]
        return [STATUS_SET.render(data)] if data.get("to") else []
    if kind == EventKind.SEVERITY:
        return [SEVERITY.render(data)] if data.get("to") else []
    if kind == EventKind.ASSIGNED:
        return [ASSIGNED.render(data) if data.get("owner") else UNASSIGNED.render()]
    if kind == EventKind.ENTITLEMENT:
        return _entitlement(data) if "entitlement" in data else []
    if kind == EventKind.BREACH_WARNING:
        return [BREACH_WARNING.render(data)]
    if kind == EventKind.BREACH:
        return [BREACH.render(data)]
    if kind == EventKind.ESCALATED:
        if "level" not in data:
            return []
        return [(ESCALATED_TO if data.get("owner") else ESCALATED).render(data)]
    if kind in (EventKind.ESCALATION_UPDATE, EventKind.REPLY):
        return [
            ESCALATION_FIELDS[key].render({"value": data[key]})
            for key in ESCALATION_FIELDS
            if data.get(key)
            and (kind == EventKind.ESCALATION_UPDATE or key in ("workaround", "fix"))
        ]
    if kind == EventKind.DEESCALATED:
        return [DEESCALATED.render()]
    if kind == EventKind.ENGINEERING_REF:
        return [ENGINEERING_REF.render(data)] if data.get("reference") else []
    if kind == EventKind.PARTNER_INCIDENT:
        return _incident(data)
    return []


def text(event: Any) -> str:
    """All an event says, in the active language: its sentences, then what was typed."""
    return "\n".join([*lines(event.kind, event.data), *([event.body] if event.body else [])])
