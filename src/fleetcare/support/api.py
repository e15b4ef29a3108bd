"""Support cases under /api/v1/cases (SPEC §6)."""

from datetime import date, datetime

from django.http import FileResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fleetcare.api.errors import ProblemError
from fleetcare.api.pagination import PageNumber
from fleetcare.catalog.models import ProductModel
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.fleet.models import Device
from fleetcare.organisations.models import Organisation, User

from . import clocks, services
from .models import (
    Case,
    CaseStatus,
    CloudPartner,
    CloudPartnerAuthorisation,
    Escalation,
    PartnerIncident,
)

router = Router(tags=["support cases"])
ROUTER_PREFIX = "/cases"


# --- schemas ---------------------------------------------------------------------------


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
    entitlement: str
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


class CaseFilters(Schema):
    status: str | None = Field(None, description="new, in_progress, … or open")
    severity: str | None = None
    account_id: int | None = None
    entitlement: str | None = None


class EventOut(Schema):
    id: int
    kind: str
    at: datetime
    author: str | None
    body: str
    internal: bool
    data: dict
    attachments: list[int]

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


# --- helpers ---------------------------------------------------------------------------


def _case(request, case_id: int) -> Case:
    return get_visible_or_404(
        Case.objects.select_related("account", "requester", "product_model", "opened_by_partner"),
        request.user,
        pk=case_id,
    )


def _reload(request, case: Case) -> Case:
    return _case(request, case.pk)


def _agent_user(request, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return get_visible_or_404(User, request.user, pk=user_id)


def _list_qs(request):
    return Case.objects.visible_to(request.user).select_related(
        "account", "requester", "product_model", "opened_by_partner"
    )


# --- cases -----------------------------------------------------------------------------


@router.get("", response=list[CaseOut], summary="List the cases you may see")
@paginate(PageNumber)
def list_cases(request, filters: Query[CaseFilters]):
    qs = _list_qs(request)
    if filters.status == "open":
        qs = qs.open()
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.account_id:
        qs = qs.filter(account_id=filters.account_id)
    if filters.entitlement:
        qs = qs.filter(entitlement=filters.entitlement)
    return qs.order_by("-opened_at", "-id")


@router.get("/queue", response=list[QueueCaseOut], summary="Agents' queue: earliest deadline first")
@paginate(PageNumber)
def queue(
    request,
    mine: bool = False,
    severity: str | None = Query(None, description="S1 … S4"),
    status: str | None = Query(
        None, description="new, in_progress, waiting_on_customer or waiting_on_partner"
    ),
):
    if not services.is_agent(request.user):
        raise ProblemError(403, "Only support agents have a queue.")
    return services.queue_queryset(request.user, mine=mine, severity=severity, status=status)


@router.post("", response={201: CaseDetail}, summary="Open a case (R-SUP-1, R-DS-6)")
def open_case(request, payload: CaseIn):
    model = get_visible_or_404(ProductModel, request.user, pk=payload.product_model_id)
    account = None
    if payload.account_id is not None:
        account = get_visible_or_404(Organisation, request.user, pk=payload.account_id)
    device = None
    if payload.device_id is not None:
        device = get_visible_or_404(
            Device.objects.select_related("product_model"), request.user, pk=payload.device_id
        )
    requester = _agent_user(request, payload.requester_id)
    case = services.open_case(
        request.user,
        services.OpenCaseInput(
            product_model=model,
            severity=payload.severity,
            subject=payload.subject,
            description=payload.description,
            account=account,
            device=device,
            channel=payload.channel,
            requester=requester,
        ),
    )
    return Status(201, _reload(request, case))


@router.get("/escalations", response=list[EscalationOut], summary="Open escalations")
@paginate(PageNumber)
def list_escalations(request, mine: bool = False):
    qs = Escalation.objects.visible_to(request.user).filter(status="open")
    if mine:
        qs = qs.filter(owner=request.user)
    return qs.order_by("-level", "escalated_at", "id")


def _cloud_partner_out(partner: CloudPartner, vendor: bool, on_file=None) -> dict:  # type: ignore[no-untyped-def]
    out = {"id": partner.pk, "code": partner.code, "name": partner.name}
    if vendor:
        out.update(contact=partner.contact, escalation_procedure=partner.escalation_procedure)
    if on_file is not None:
        out.update(authorised=partner.pk in on_file, authorised_until=on_file.get(partner.pk))
    return out


@router.get(
    "/cloud-partners",
    response=list[CloudPartnerOut],
    summary="Cloud partners (R-SUP-4); customers see which they have authorised",
)
def list_cloud_partners(
    request,
    authorised: bool | None = Query(
        None,
        description="Customers: only the partners with (true) or without (false) an "
        "authorisation on file today",
    ),
):
    scope = scope_of(request.user)
    partners = list(CloudPartner.objects.visible_to(request.user).order_by("name", "id"))
    on_file = None
    if scope.is_customer:
        on_file = services.authorised_cloud_partner_ids(scope.organisation_id, timezone.localdate())
        if authorised is not None:
            partners = [p for p in partners if (p.pk in on_file) == authorised]
    elif authorised is not None:
        raise ProblemError(
            422, "The authorised filter is for customers: it reads their own authorisations."
        )
    return [_cloud_partner_out(p, scope.is_vendor, on_file) for p in partners]


@router.post(
    "/cloud-partners",
    response={201: CloudPartnerOut},
    summary="Add a cloud partner (support agents, escalation managers, vendor admins)",
)
def create_cloud_partner(request, payload: CloudPartnerIn):
    partner = services.create_cloud_partner(
        request.user,
        payload.name,
        contact=payload.contact,
        escalation_procedure=payload.escalation_procedure,
        code=payload.code,
    )
    return Status(201, _cloud_partner_out(partner, vendor=True))


@router.patch(
    "/cloud-partners/{code}",
    response=CloudPartnerOut,
    summary="Edit a cloud partner's name, contact and escalation procedure notes",
)
def update_cloud_partner(request, code: str, payload: CloudPartnerPatch):
    services.require_cloud_partner_manager(request.user)  # refuse before any lookup
    partner = get_visible_or_404(CloudPartner, request.user, code=code)
    partner = services.update_cloud_partner(
        partner, request.user, **payload.dict(exclude_unset=True)
    )
    return _cloud_partner_out(partner, vendor=True)


@router.get(
    "/authorisations",
    response=list[AuthorisationOut],
    summary="Cloud-partner authorisations on file (R-SUP-4)",
)
def list_authorisations(request, account_id: int | None = None):
    qs = CloudPartnerAuthorisation.objects.visible_to(request.user).select_related("cloud_partner")
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("account_id", "cloud_partner__name", "-valid_from")


@router.post(
    "/authorisations",
    response={201: AuthorisationOut},
    summary="Put a signed authorisation on file (multipart)",
)
def record_authorisation(
    request,
    account_id: Form[int],
    cloud_partner: Form[str],
    valid_from: Form[date],
    document: File[UploadedFile],
    valid_to: Form[date | None] = None,
    signed_by: Form[str] = "",
):
    account = get_visible_or_404(Organisation, request.user, pk=account_id)
    partner = get_visible_or_404(CloudPartner, request.user, code=cloud_partner)
    auth = services.record_authorisation(
        request.user, account, partner, document, valid_from, valid_to, signed_by
    )
    return Status(201, auth)


@router.get("/authorisations/{auth_id}/document", summary="Download the signed document")
def authorisation_document(request, auth_id: int):
    auth = get_visible_or_404(CloudPartnerAuthorisation, request.user, pk=auth_id)
    return FileResponse(
        auth.document.open("rb"), as_attachment=True, filename=auth.document_name or "authorisation"
    )


@router.get("/{case_id}", response=CaseDetail)
def get_case(request, case_id: int):
    return _case(request, case_id)


@router.get(
    "/{case_id}/replacement-orders",
    response=CaseReplacementsOut,
    summary="The case's replacement orders, and whether you may raise one (R-RMA-1)",
)
def case_replacement_orders(request, case_id: int):
    case = _case(request, case_id)
    ctx = services.case_replacements(case, request.user)
    return {
        "may_raise": ctx["may_raise_replacement"],
        "reason": ctx["replacement_refusal"],
        "orders": ctx["replacement_orders"],
    }


@router.get("/{case_id}/timeline", response=list[EventOut])
def get_timeline(request, case_id: int):
    case = _case(request, case_id)
    return list(services.timeline(case, request.user))


@router.post("/{case_id}/replies", response={201: EventOut}, summary="Reply or internal note")
def reply(request, case_id: int, payload: ReplyIn):
    case = _case(request, case_id)
    return Status(
        201,
        services.add_reply(
            case, request.user, payload.body, internal=payload.internal, new_status=payload.status
        ),
    )


@router.post("/{case_id}/status", response=CaseDetail)
def set_status(request, case_id: int, payload: StatusIn):
    case = _case(request, case_id)
    services.change_status(case, request.user, payload.status, payload.note)
    return _reload(request, case)


@router.post("/{case_id}/assign", response=CaseDetail)
def assign(request, case_id: int, payload: AssignIn):
    case = _case(request, case_id)
    services.assign(case, request.user, _agent_user(request, payload.owner_id))
    return _reload(request, case)


@router.post("/{case_id}/severity", response=CaseDetail)
def set_severity(request, case_id: int, payload: SeverityIn):
    case = _case(request, case_id)
    services.change_severity(case, request.user, payload.severity)
    return _reload(request, case)


@router.post(
    "/{case_id}/attachments",
    response={201: list[AttachmentOut]},
    summary="Attach files (pdf, png, jpeg, txt, log, zip; 10 MB each)",
)
def upload(request, case_id: int, file: File[list[UploadedFile]]):
    case = _case(request, case_id)
    return Status(201, services.add_attachments(case, request.user, list(file)))


@router.get("/{case_id}/attachments", response=list[AttachmentOut])
def list_attachments(request, case_id: int):
    case = _case(request, case_id)
    files = case.attachments.select_related("event").order_by("uploaded_at", "id")
    if not scope_of(request.user).is_vendor:
        files = files.exclude(event__internal=True)
    return list(files)


@router.get("/{case_id}/attachments/{attachment_id}", summary="Download an attachment")
def download(request, case_id: int, attachment_id: int):
    _case(request, case_id)
    att = services.visible_attachment(request.user, attachment_id)
    if att.case_id != case_id:
        raise ProblemError(404, "No attachment matches the given query.")
    return FileResponse(
        att.file.open("rb"),
        as_attachment=True,
        filename=att.original_name,
        content_type=att.content_type,
    )


@router.post("/{case_id}/escalations", response={201: EscalationOut}, summary="Escalate (R-SUP-3)")
def escalate(request, case_id: int, payload: EscalateIn):
    case = _case(request, case_id)
    return Status(
        201,
        services.escalate(
            case,
            request.user,
            payload.level,
            payload.reason,
            _agent_user(request, payload.owner_id),
        ),
    )


@router.patch(
    "/{case_id}/escalation",
    response=EscalationOut,
    summary="Escalation manager: owner, specialist, actions, workaround, fix",
)
def update_escalation(request, case_id: int, payload: EscalationUpdateIn):
    case = _case(request, case_id)
    esc = Escalation.objects.visible_to(request.user).filter(case=case, status="open").first()
    if esc is None:
        raise ProblemError(409, "The case is not escalated.")
    return services.update_escalation(
        esc,
        request.user,
        owner=_agent_user(request, payload.owner_id),
        specialist=payload.specialist,
        actions=payload.actions,
        workaround=payload.workaround,
        fix=payload.fix,
    )


@router.post("/{case_id}/deescalate", response=EscalationOut)
def deescalate(request, case_id: int):
    case = _case(request, case_id)
    return services.deescalate(case, request.user)


@router.post("/{case_id}/engineering-references", response={201: EngineeringRefOut})
def add_engineering_reference(request, case_id: int, payload: EngineeringRefIn):
    case = _case(request, case_id)
    return Status(
        201,
        services.add_engineering_reference(
            case, request.user, payload.kind, payload.reference, payload.title
        ),
    )


@router.get("/{case_id}/engineering-references", response=list[EngineeringRefOut])
def list_engineering_references(request, case_id: int):
    case = _case(request, case_id)
    return list(case.engineering_refs.all())


@router.post(
    "/{case_id}/partner-incidents",
    response={201: IncidentOut},
    summary="Open a cloud-partner incident (R-SUP-4; needs an authorisation)",
)
def open_incident(request, case_id: int, payload: IncidentIn):
    case = _case(request, case_id)
    partner = get_visible_or_404(CloudPartner, request.user, code=payload.cloud_partner)
    return Status(
        201,
        services.open_partner_incident(
            case, request.user, partner, payload.partner_ticket, payload.findings
        ),
    )


@router.get("/{case_id}/partner-incidents", response=list[IncidentOut])
def list_incidents(request, case_id: int):
    case = _case(request, case_id)
    return list(
        PartnerIncident.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("cloud_partner")
    )


@router.post("/{case_id}/partner-incidents/{incident_id}/updates", response={201: IncidentOut})
def incident_update(request, case_id: int, incident_id: int, payload: IncidentUpdateIn):
    case = _case(request, case_id)
    incident = get_visible_or_404(PartnerIncident, request.user, pk=incident_id, case=case)
    services.update_partner_incident(
        incident,
        request.user,
        payload.kind,
        payload.body,
        partner_ticket=payload.partner_ticket,
        status=payload.status,
    )
    return Status(201, PartnerIncident.objects.select_related("cloud_partner").get(pk=incident.pk))
