"""Request and response schemas of the support API."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Schema

from fleetcare.support import clocks, services, timeline
from fleetcare.support.models import (
    Case,
    CaseStatus,
)


class CaseOut(Schema):
    id: int
    reference: str
    account_id: int
    account: str = Field(..., alias="account.name")
    requester: str = Field(..., alias="requester.username")
    opened_by_partner_id: int | None
    product_model_id: int
    product_model: str = Field(..., alias="product_model.name")
    device_id: int | None
    severity: str
    status: str
    channel: str
    subject: str
    owner_id: int | None
    entitlement: str = Field(..., description="account_wide, per_device or none")
    programme_code: str = Field(..., description="The entitling programme; empty: none")
    entitled_until: date | None
    enterprise_contract_id: int | None
    daas_device_id: int | None
    paid_support_offered: bool
    entitlement_note: str
    opened_at: datetime
    first_responded_at: datetime | None
    solved_at: datetime | None
    first_response_due: datetime | None
    next_update_due: datetime | None
    solution_due: datetime | None
    earliest_due: datetime | None
    earliest_milestone: str
    clock_paused: bool
    breached: bool
    escalation_level: int

    @staticmethod
    def resolve_clock_paused(obj: Case) -> bool:
        return obj.status == CaseStatus.WAITING_ON_CUSTOMER

    @staticmethod
    def resolve_breached(obj: Case) -> bool:
        return services.is_breached_now(obj, timezone.now())


class CaseDetail(CaseOut):
    description: str
    clock_time_zone: str = Field(
        ..., description="The clock's zone: the partner's for DaaS business hours, else UTC"
    )
    earliest_due_local: datetime | None = Field(
        ..., description="earliest_due in the clock's time zone (with its offset)"
    )

    @staticmethod
    def resolve_clock_time_zone(obj: Case) -> str:
        return clocks.clock_zone(clocks.clock_of(obj)).key

    @staticmethod
    def resolve_earliest_due_local(obj: Case) -> datetime | None:
        return clocks.in_clock_zone(obj.earliest_due, clocks.clock_of(obj))


class QueueCaseOut(CaseOut):
    time_left_minutes: float | None
    clock: str
    clock_time_zone: str = Field(
        ..., description="The clock's zone: the partner's for DaaS business hours, else UTC"
    )
    earliest_due_local: datetime | None = Field(
        ..., description="earliest_due in the clock's time zone (with its offset)"
    )

    @staticmethod
    def resolve_clock_time_zone(obj: Case) -> str:
        return clocks.clock_zone(clocks.clock_of(obj)).key

    @staticmethod
    def resolve_earliest_due_local(obj: Case) -> datetime | None:
        return clocks.in_clock_zone(obj.earliest_due, clocks.clock_of(obj))

    @staticmethod
    def resolve_time_left_minutes(obj: Case) -> float | None:
        left = clocks.time_left_minutes(obj, timezone.now())
        return None if left is None else round(left, 1)

    @staticmethod
    def resolve_clock(obj: Case) -> str:
        return clocks.describe(clocks.clock_of(obj))


class CaseIn(Schema):
    product_model_id: int
    severity: str = Field(..., description="S1 (critical) … S4 (question)")
    subject: str
    description: str
    account_id: int | None = Field(None, description="Required for agents and partners")
    device_id: int | None = None
    requester_id: int | None = Field(None, description="Agents entering a phone case")
    channel: str = Field("api", description="api, portal, or phone (agents)")


class EventOut(Schema):
    id: int
    kind: str
    at: datetime
    author: str | None
    body: str = Field(description="What a person typed (a reply, a note); '' for a system event")
    text: str = Field(
        description="The event in the request's language: its sentences, then the body"
    )
    internal: bool
    data: dict = Field(description="The event's parameters (codes, references, ISO dates)")
    attachments: list[int]

    @staticmethod
    def resolve_text(obj) -> str:  # type: ignore[no-untyped-def]
        return timeline.text(obj)

    @staticmethod
    def resolve_author(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.author.username if obj.author_id else None

    @staticmethod
    def resolve_attachments(obj) -> list[int]:  # type: ignore[no-untyped-def]
        return [a.pk for a in obj.attachments.all()]


class ReplyIn(Schema):
    body: str
    internal: bool = False
    status: str | None = None


class StatusIn(Schema):
    status: str
    note: str = ""


class AssignIn(Schema):
    owner_id: int | None


class SeverityIn(Schema):
    severity: str


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int


class EscalateIn(Schema):
    level: int = Field(..., ge=1, le=3)
    reason: str
    owner_id: int | None = None


class EscalationUpdateIn(Schema):
    owner_id: int | None = None
    specialist: str | None = None
    actions: str | None = None
    workaround: str | None = None
    fix: str | None = None


class EscalationOut(Schema):
    id: int
    case_id: int
    level: int
    reason: str
    owner_id: int | None
    status: str
    specialist: str
    actions: str
    workaround: str
    fix: str
    escalated_at: datetime
    deescalated_at: datetime | None


class EngineeringRefIn(Schema):
    kind: str = Field(..., description="bug or feature")
    reference: str
    title: str = ""


class EngineeringRefOut(Schema):
    id: int
    kind: str
    reference: str
    title: str


class IncidentIn(Schema):
    cloud_partner: str = Field(..., description="Cloud partner code")
    partner_ticket: str = ""
    findings: str = ""


class IncidentUpdateIn(Schema):
    kind: str = Field(..., description="status, joint_call, result or findings")
    body: str
    partner_ticket: str | None = None
    status: str | None = None


class IncidentOut(Schema):
    id: int
    case_id: int
    cloud_partner: str = Field(..., alias="cloud_partner.code")
    partner_ticket: str
    status: str
    findings: str
    result: str
    authorisation_id: int


class AuthorisationOut(Schema):
    id: int
    account_id: int
    cloud_partner: str = Field(..., alias="cloud_partner.code")
    document_name: str
    valid_from: date
    valid_to: date | None
    signed_by: str


class CloudPartnerOut(Schema):
    id: int
    code: str
    name: str
    contact: str | None = Field(None, description="Vendor staff only")
    escalation_procedure: str | None = Field(None, description="Vendor staff only")
    authorised: bool | None = Field(
        None,
        description="Customers: whether their signed authorisation for this partner is on "
        "file today (R-SUP-4)",
    )
    authorised_until: date | None = Field(
        None, description="Customers: the end of that authorisation (null: open-ended)"
    )


class CloudPartnerIn(Schema):
    name: str
    code: str = Field("", description="Lower-case code used by the API; from the name if empty")
    contact: str = ""
    escalation_procedure: str = ""


class CloudPartnerPatch(Schema):
    name: str | None = None
    contact: str | None = None
    escalation_procedure: str | None = None


class CaseReplacementOut(Schema):
    id: int
    reference: str
    status: str
    delivery_target: date | None
    carrier: str
    tracking_number: str
    return_due: date | None


class CaseReplacementsOut(Schema):
    may_raise: bool = Field(..., description="Whether you may raise a replacement from this case")
    reason: str = Field("", description="Why not, when you may not")
    orders: list[CaseReplacementOut]
