"""Replacement orders API (R-RMA-1..6): follow, raise, and move orders through their states."""

from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fleetcare.api.pagination import Keyset
from fleetcare.api.types import ApiDate
from fleetcare.catalog.models import ProductModel
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.fleet.models import Device
from fleetcare.organisations.models import Site

from . import services
from .filters import ORDER_SORTS, ReplacementFilter
from .models import ReplacementOrder

router = Router(tags=["replacements"])
ROUTER_PREFIX = "/replacements"


class ReplacementOut(Schema):
    id: int
    reference: str
    status: str
    status_label: str
    programme: str
    account_id: int
    account_name: str = Field(..., alias="account.name")
    case_id: int
    case_reference: str = Field(..., alias="case.reference")
    product_model_sku: str = Field(..., alias="product_model.sku")
    product_model_name: str = Field(..., alias="product_model.name")
    faulty_device_id: int | None
    replacement_device_id: int | None
    cause: str
    fault_description: str
    delivery_site_id: int
    delivery_site_name: str = Field(..., alias="delivery_site.name")
    service_centre: str = Field(..., description="The service centre's name, in your language")
    service_centre_code: str = Field(..., description="north_america, emea or international")
    requested_at: datetime
    approved_at: datetime | None
    delivery_target: date | None
    carrier: str
    tracking_number: str
    shipped_at: datetime | None
    delivered_on: date | None
    return_due: date | None
    returned_on: date | None
    overdue_since: date | None
    closed_at: datetime | None
    rejection_reason: str
    onsite_destruction: bool
    destroyed_on: date | None
    destroyed_by: str
    destruction_certificate_number: str
    threshold_rate: Decimal | None
    threshold_flag: bool
    threshold_decision: str
    charge_status: str | None
    charge_amount: Decimal | None
    if_late: str

    @staticmethod
    def resolve_status_label(obj: ReplacementOrder) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_service_centre(obj: ReplacementOrder) -> str:
        return str(obj.get_service_centre_display())

    @staticmethod
    def resolve_service_centre_code(obj: ReplacementOrder) -> str:
        return obj.service_centre

    @staticmethod
    def resolve_charge_status(obj: ReplacementOrder) -> str | None:
        return obj.charge_document.status if obj.charge_document_id else None

    @staticmethod
    def resolve_charge_amount(obj: ReplacementOrder) -> Decimal | None:
        return obj.charge_document.total if obj.charge_document_id else None

    @staticmethod
    def resolve_if_late(obj: ReplacementOrder) -> str:
        return obj.late_consequence


class ReplacementIn(Schema):
    case_id: int
    cause: str = Field(..., description="hardware_fault, spill, drop, or an excluded cause")
    delivery_site_id: int
    faulty_device_id: int | None = None
    product_model_id: int | None = Field(None, description="Where no device is known")
    fault_description: str = ""
    onsite_destruction: bool = False


class ApproveIn(Schema):
    replacement_model_id: int | None = Field(None, description="Same model unless given")


class RejectIn(Schema):
    reason: str


class ShipIn(Schema):
    carrier: str
    tracking_number: str
    replacement_serial: str = ""


class DeliverIn(Schema):
    delivered_on: ApiDate


class ReturnIn(Schema):
    returned_on: ApiDate


class DestructionIn(Schema):
    certificate_number: str
    destroyed_on: ApiDate
    destroyed_by: str


class ThresholdDecisionIn(Schema):
    decision: str = Field(..., description="charge or waive")
    note: str = ""


def _order(request, order_id: int) -> ReplacementOrder:
    return get_visible_or_404(ReplacementOrder.objects.with_related(), request.user, pk=order_id)


@router.get("", response=list[ReplacementOut], summary="Replacement orders you may see")
@paginate(Keyset, sorts=ORDER_SORTS)
def list_orders(request, filters: Query[ReplacementFilter]):
    """``order``: -requested (default), requested, reference, -reference."""
    qs = ReplacementOrder.objects.visible_to(request.user).with_related()
    return filters.filter(qs)


@router.get("/{order_id}", response=ReplacementOut)
def get_order(request, order_id: int):
    return _order(request, order_id)


@router.post("", response={201: ReplacementOut}, summary="Raise a replacement from a case")
def create_order(request, payload: ReplacementIn):
    from fleetcare.support.models import Case

    user = request.user
    case = get_visible_or_404(Case, user, pk=payload.case_id)
    site = get_visible_or_404(Site, user, pk=payload.delivery_site_id)
    device = (
        get_visible_or_404(Device, user, pk=payload.faulty_device_id)
        if payload.faulty_device_id
        else None
    )
    model = (
        get_visible_or_404(ProductModel, user, pk=payload.product_model_id)
        if payload.product_model_id
        else None
    )
    order = services.request_replacement(
        actor=user,
        case=case,
        cause=payload.cause,
        delivery_site=site,
        faulty_device=device,
        product_model=model,
        fault_description=payload.fault_description,
        onsite_destruction=payload.onsite_destruction,
    )
    return Status(201, _order(request, order.pk))


@router.post("/{order_id}/approve", response=ReplacementOut)
def approve(request, order_id: int, payload: ApproveIn):
    model = (
        get_visible_or_404(ProductModel, request.user, pk=payload.replacement_model_id)
        if payload.replacement_model_id
        else None
    )
    services.approve(_order(request, order_id), actor=request.user, replacement_model=model)
    return _order(request, order_id)


@router.post("/{order_id}/reject", response=ReplacementOut)
def reject(request, order_id: int, payload: RejectIn):
    services.reject(_order(request, order_id), actor=request.user, reason=payload.reason)
    return _order(request, order_id)


@router.post("/{order_id}/ship", response=ReplacementOut)
def ship(request, order_id: int, payload: ShipIn):
    services.ship(
        _order(request, order_id),
        actor=request.user,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        replacement_serial=payload.replacement_serial,
    )
    return _order(request, order_id)


@router.post("/{order_id}/deliver", response=ReplacementOut)
def deliver(request, order_id: int, payload: DeliverIn):
    services.deliver(
        _order(request, order_id), actor=request.user, delivered_on=payload.delivered_on
    )
    return _order(request, order_id)


@router.post("/{order_id}/return", response=ReplacementOut, summary="Defective unit received")
def receive_return(request, order_id: int, payload: ReturnIn):
    services.receive_return(
        _order(request, order_id), actor=request.user, returned_on=payload.returned_on
    )
    return _order(request, order_id)


@router.post("/{order_id}/close", response=ReplacementOut)
def close(request, order_id: int):
    services.close(_order(request, order_id), actor=request.user)
    return _order(request, order_id)


@router.post(
    "/{order_id}/destruction",
    response=ReplacementOut,
    summary="Record the certificate of destruction (multipart form)",
)
def destruction(request, order_id: int, data: Form[DestructionIn], certificate: File[UploadedFile]):
    services.record_destruction(
        _order(request, order_id),
        actor=request.user,
        certificate=certificate,
        certificate_number=data.certificate_number,
        destroyed_on=data.destroyed_on,
        destroyed_by=data.destroyed_by,
    )
    return _order(request, order_id)


@router.get("/{order_id}/certificate", summary="Download the certificate of destruction")
def certificate(request, order_id: int):
    order = _order(request, order_id)
    if not order.destruction_certificate:
        raise Http404(_("No certificate of destruction has been recorded."))
    return FileResponse(
        order.destruction_certificate.open("rb"),
        as_attachment=True,
        filename=order.destruction_certificate.name.rsplit("/", 1)[-1],
    )


@router.post("/{order_id}/threshold-decision", response=ReplacementOut)
def threshold_decision(request, order_id: int, payload: ThresholdDecisionIn):
    services.decide_threshold(
        _order(request, order_id), actor=request.user, decision=payload.decision, note=payload.note
    )
    return _order(request, order_id)
