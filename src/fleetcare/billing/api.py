"""Money documents API (R-MON-1..2): list, read, issue, pay, void, credit, PDF."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from fleetcare.api.pagination import Keyset
from fleetcare.api.types import ApiDate
from fleetcare.contracts import options as contract_options
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.daas import invoicing as daas_invoicing

from . import services
from .filters import DOCUMENT_SORTS, DocumentFilter
from .models import Document
from .pdf import render_document_pdf

router = Router(tags=["billing"])
ROUTER_PREFIX = "/billing"


class MoneyDocumentOut(Schema):
    id: int
    kind: str
    purpose: str
    programme: str
    status: str
    number: str | None
    account_id: int
    account_name: str = Field(..., alias="account.name")
    addressed_to_id: int
    addressed_to_name: str = Field(..., alias="addressed_to.name")
    currency: str
    tax_rate: Decimal
    title: str = Field(..., alias="display_title", description="In the reader's language")
    issued_on: date | None
    due_on: date | None
    period_start: date | None
    period_end: date | None
    subtotal: Decimal
    tax_amount: Decimal
    total: Decimal
    credits_id: int | None
    created_at: datetime


class MoneyDocumentLineOut(Schema):
    position: int
    description: str = Field(
        ..., alias="display_description", description="In the reader's language"
    )
    issued_description: str = Field(
        ..., alias="description", description="As issued, in the recipient's language"
    )
    text_code: str = Field(..., description="The description's message code (empty: typed)")
    text_params: dict = Field(..., description="The message's parameters")
    sku: str
    quantity: Decimal
    unit_price: Decimal
    factor: Decimal
    amount: Decimal


class MoneyDocumentDetail(MoneyDocumentOut):
    notes: str = Field(..., alias="display_notes", description="In the reader's language")
    lines: list[MoneyDocumentLineOut]


class ReasonIn(Schema):
    reason: str = ""


class ProfessionalServicesIn(Schema):
    description: str
    hours: Decimal = Field(..., gt=0)
    hourly_rate: Decimal | None = Field(None, description="Default: the price list's")


class MonthIn(Schema):
    month: ApiDate = Field(
        ..., description="Any day of the month to invoice: a month that has ended"
    )

    @field_validator("month")
    @classmethod
    def _month_has_ended(cls, value: date) -> date:
        first_of_this_month = timezone.localdate().replace(day=1)
        if value >= first_of_this_month:
            raise ValueError(
                f"{value:%Y-%m} has not ended yet: a month is invoiced once it is over "
                f"(the latest is {(first_of_this_month - timedelta(days=1)):%Y-%m})"
            )
        return value


def _documents(user):
    return Document.objects.visible_to(user).select_related("account", "addressed_to")


def _document(request, document_id: int) -> Document:
    return get_visible_or_404(_documents(request.user), request.user, pk=document_id)


@router.get("/documents", response=list[MoneyDocumentOut], summary="Money documents you may see")
@paginate(Keyset, sorts=DOCUMENT_SORTS)
def list_documents(request, filters: Query[DocumentFilter]):
    """``order``: -created (default) or created; ``cursor`` pages."""
    return filters.filter(_documents(request.user))


@router.get("/documents/{document_id}", response=MoneyDocumentDetail)
def get_document(request, document_id: int):
    return get_visible_or_404(
        _documents(request.user).prefetch_related("lines"), request.user, pk=document_id
    )


def _act(request, document_id: int, action: str, reason: str = "") -> Document:
    doc = services.billing_action(
        _document(request, document_id), actor=request.user, action=action, reason=reason
    )
    return get_visible_or_404(
        _documents(request.user).prefetch_related("lines"), request.user, pk=doc.pk
    )


@router.post(
    "/documents/{document_id}/issue",
    response=MoneyDocumentDetail,
    summary="Issue a draft: it takes the next gapless number of its series",
)
def issue(request, document_id: int):
    return _act(request, document_id, "issue")


@router.post("/documents/{document_id}/pay", response=MoneyDocumentDetail)
def pay(request, document_id: int):
    return _act(request, document_id, "pay")


@router.post(
    "/documents/{document_id}/void",
    response=MoneyDocumentDetail,
    summary="Void a draft, quote or order (an issued invoice is credited instead)",
)
def void(request, document_id: int, payload: ReasonIn):
    return _act(request, document_id, "void", payload.reason)


@router.post(
    "/documents/{document_id}/credit",
    response=MoneyDocumentDetail,
    summary="Credit an issued invoice in full: returns the credit note",
)
def credit(request, document_id: int, payload: ReasonIn):
    return _act(request, document_id, "credit", payload.reason)


@router.get(
    "/documents/{document_id}/pdf",
    summary="The document as PDF, in its recipient's language (headings and lines alike)",
)
def pdf(request, document_id: int):
    doc = _document(request, document_id)
    body = render_document_pdf(doc)
    response = HttpResponse(body, content_type="application/pdf")
    name = doc.number or f"draft-{doc.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@router.post(
    "/contracts/{contract_id}/options",
    response={201: MoneyDocumentDetail},
    summary="Draft order for a P+E contract's paid options",
)
def options_order(request, contract_id: int):
    from fleetcare.contracts.models import EnterpriseContract

    contract = get_visible_or_404(EnterpriseContract, request.user, pk=contract_id)
    doc = contract_options.raise_options_order(contract, actor=request.user)
    return Status(201, _act_fetch(request, doc))


@router.post(
    "/contracts/{contract_id}/professional-services",
    response={201: MoneyDocumentDetail},
    summary="Quote professional services at the contract's discount",
)
def professional_services(request, contract_id: int, payload: ProfessionalServicesIn):
    from fleetcare.contracts.models import EnterpriseContract

    contract = get_visible_or_404(EnterpriseContract, request.user, pk=contract_id)
    doc = contract_options.raise_professional_services_quote(
        contract,
        actor=request.user,
        description=payload.description,
        hours=payload.hours,
        hourly_rate=payload.hourly_rate,
    )
    return Status(201, _act_fetch(request, doc))


@router.post(
    "/daas-invoices",
    response=list[MoneyDocumentOut],
    summary="Raise the DaaS partner invoices of a month (idempotent)",
)
def daas_invoices(request, payload: MonthIn):
    services.require_billing(request.user)
    docs = daas_invoicing.raise_daas_monthly_invoices(payload.month, actor=request.user)
    return _documents(request.user).filter(pk__in=[d.pk for d in docs])


def _act_fetch(request, doc: Document) -> Document:
    return get_visible_or_404(
        _documents(request.user).prefetch_related("lines"), request.user, pk=doc.pk
    )
