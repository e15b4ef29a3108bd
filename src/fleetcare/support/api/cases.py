"""Case endpoints: list, queue, open, read, reply, status, assignment, severity, attachments (R-SUP-1)."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from ninja import File, Query, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fleetcare.api.errors import ProblemError
from fleetcare.api.pagination import Keyset, PageNumber
from fleetcare.catalog.models import ProductModel
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.fleet.models import Device
from fleetcare.organisations.models import Organisation
from fleetcare.support import permissions, services
from fleetcare.support.api.base import _agent_user, _case, _list_qs, _reload, router
from fleetcare.support.api.schemas import (
    AssignIn,
    AttachmentOut,
    CaseDetail,
    CaseIn,
    CaseOut,
    CaseReplacementsOut,
    EventOut,
    QueueCaseOut,
    ReplyIn,
    SeverityIn,
    StatusIn,
)
from fleetcare.support.entitlement import refusal_to_open
from fleetcare.support.filters import CASE_SORTS, CaseFilter, QueueFilter


@router.get("", response=list[CaseOut], summary="List the cases you may see")
@paginate(Keyset, sorts=CASE_SORTS)
def list_cases(request, filters: Query[CaseFilter]):
    """``order``: -opened (default), opened, reference, -reference; ``cursor`` pages."""
    return filters.filter(_list_qs(request))


@router.get("/queue", response=list[QueueCaseOut], summary="Agents' queue: earliest deadline first")
@paginate(PageNumber)
def queue(request, filters: Query[QueueFilter]):
    if not permissions.is_agent(request.user):
        raise ProblemError(403, "Only support agents have a queue.")
    return services.queue_queryset(
        request.user, mine=filters.mine, severity=filters.severity, status=filters.status
    )


@router.post("", response={201: CaseDetail}, summary="Open a case (R-SUP-1, R-DS-6)")
def open_case(request, payload: CaseIn):
    if not permissions.can_open_cases(request.user):  # R-DS-6: before any lookup
        raise PermissionDenied(refusal_to_open(request.user))
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
        actor=request.user,
        data=services.OpenCaseInput(
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
            case,
            actor=request.user,
            body=payload.body,
            internal=payload.internal,
            new_status=payload.status,
        ),
    )


@router.post("/{case_id}/status", response=CaseDetail)
def set_status(request, case_id: int, payload: StatusIn):
    case = _case(request, case_id)
    services.change_status(case, actor=request.user, status=payload.status, note=payload.note)
    return _reload(request, case)


@router.post("/{case_id}/assign", response=CaseDetail)
def assign(request, case_id: int, payload: AssignIn):
    case = _case(request, case_id)
    services.assign(case, actor=request.user, owner=_agent_user(request, payload.owner_id))
    return _reload(request, case)


@router.post("/{case_id}/severity", response=CaseDetail)
def set_severity(request, case_id: int, payload: SeverityIn):
    case = _case(request, case_id)
    services.change_severity(case, actor=request.user, severity=payload.severity)
    return _reload(request, case)


@router.post(
    "/{case_id}/attachments",
    response={201: list[AttachmentOut]},
    summary="Attach files (pdf, png, jpeg, txt, log, zip; 10 MB each)",
)
def upload(request, case_id: int, file: File[list[UploadedFile]]):
    case = _case(request, case_id)
    return Status(201, services.add_attachments(case, actor=request.user, uploads=list(file)))


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
