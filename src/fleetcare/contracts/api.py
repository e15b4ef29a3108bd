"""Poly+ Enterprise API: contracts, proposals, upfront order, adjustments, renewal."""

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from fleetcare.api.pagination import PageNumber
from fleetcare.api.types import ApiDate
from fleetcare.billing.models import Document
from fleetcare.billing.pdf import render_document_pdf
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation, OrganisationKind

from . import services
from .filters import AdjustmentFilter, ContractFilter
from .models import Adjustment, BaselineChange, ContractCategory, EnterpriseContract

router = Router(tags=["contracts"])
ROUTER_PREFIX = "/contracts"


class BaselineChangeOut(Schema):
    effective_from: date
    ordered: int
    baseline: Decimal
    reason: str


class ContractCategoryOut(Schema):
    id: int
    category: str = Field(..., alias="category.code")
    installed: int
    growth: int
    ordered: int
    baseline: Decimal
    baseline_shown: int
    unit_price: Decimal
    baseline_history: list[BaselineChangeOut]

    @staticmethod
    def resolve_baseline_shown(obj: ContractCategory) -> int:
        from decimal import ROUND_CEILING

        return int(obj.baseline.to_integral_value(rounding=ROUND_CEILING))

    @staticmethod
    def resolve_baseline_history(obj: ContractCategory) -> list[BaselineChange]:
        return list(obj.baseline_changes.all())


class ContractOut(Schema):
    id: int
    reference: str
    account_id: int
    start_date: date
    end_date: date
    currency: str
    status: str
    programme_code: str
    distribution_partner_id: int | None
    csm_id: int | None
    professional_services_discount: Decimal
    extra_csm_blocks: int
    technical_account_management: bool
    onsite_destruction: bool
    proration_basis: str
    previous_id: int | None
    upfront_order_id: int | None
    upfront_order_number: str | None = Field(None, alias="upfront_order.number")
    upfront_total: Decimal | None = Field(None, alias="upfront_order.total")
    renewal_quote_id: int | None
    renewal_quote_number: str | None = Field(None, alias="renewal_quote.number")
    categories: list[ContractCategoryOut]


class CategoryIn(Schema):
    category: str = Field(..., description="personal, video or voice")
    installed: int = Field(..., ge=0)
    growth: int = Field(..., ge=0)
    unit_price: Decimal = Field(..., ge=0, description="Yearly P+E price per device")


class ContractIn(Schema):
    account_id: int
    start_date: ApiDate
    end_date: ApiDate | None = Field(None, description="Default: the programme's term (12 months)")
    currency: str | None = Field(
        None,
        description="One of the supported currencies (setting CURRENCIES, e.g. USD, EUR, GBP, "
        "CAD); default the account's. Unit prices are in it.",
    )
    categories: list[CategoryIn]
    distribution_partner_id: int | None = None
    professional_services_discount: Decimal = Decimal(0)
    extra_csm_blocks: int = Field(0, ge=0)
    technical_account_management: bool = False
    onsite_destruction: bool = False
    proration_basis: str = Field("", description="monthly, daily or empty for the programme's")
    programme_code: str | None = Field(
        None, description="An account-wide programme; default: the default account-wide one"
    )


class CategoryProposalOut(Schema):
    code: str
    name: str
    installed: int
    growth: int
    growth_low: int
    growth_high: int
    method: str
    explanation: str
    unit_price: Decimal
    ordered: int
    baseline: Decimal
    baseline_shown: int
    history: list[int]


class ModelCount(Schema):
    sku: str
    name: str
    count: int


class ProposalOut(Schema):
    account_id: int
    start_date: date
    end_date: date
    currency: str
    categories: list[CategoryProposalOut]
    quote_only: list[ModelCount]
    end_of_support: list[ModelCount]


class AdjustmentOut(Schema):
    id: int
    contract_id: int
    contract_reference: str = Field(..., alias="contract.reference")
    account_id: int = Field(..., alias="contract.account_id")
    category: str = Field(..., alias="contract_category.category.code")
    month: date
    counted_on: date
    count: int
    previous_ordered: int
    added: int
    new_ordered: int
    new_baseline: Decimal
    new_baseline_shown: int
    unit_price: Decimal
    basis: str
    fraction: Decimal
    amount: Decimal
    status: str
    quote_id: int | None
    quote_number: str | None = Field(None, alias="quote.number")
    purchase_order_number: str
    cancel_reason: str


class PurchaseOrderIn(Schema):
    purchase_order_number: str


class CancelIn(Schema):
    reason: str = ""


class RenewalLineOut(Schema):
    code: str
    name: str
    count: int
    growth: int
    growth_low: int
    growth_high: int
    explanation: str
    ordered: int
    baseline: Decimal
    unit_price: Decimal


class RenewalIn(Schema):
    categories: list[CategoryIn] | None = Field(
        None, description="Override the proposal (installed = the count now, growth agreed)"
    )


class DetectIn(Schema):
    on: ApiDate | None = Field(None, description="Check the month before this date (default today)")


def _contracts():
    return EnterpriseContract.objects.select_related(
        "upfront_order", "renewal_quote"
    ).prefetch_related(
        Prefetch(
            "categories",
            ContractCategory.objects.select_related("category").prefetch_related(
                "baseline_changes"
            ),
        )
    )


def _adjustments():
    return Adjustment.objects.select_related("contract", "contract_category__category", "quote")


def _categories(items: list[CategoryIn]) -> list[services.CategoryInput]:
    return [services.CategoryInput(c.category, c.installed, c.growth, c.unit_price) for c in items]


def _pdf(doc: Document, request) -> HttpResponse:
    response = HttpResponse(
        render_document_pdf(doc),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{doc.number or "draft"}.pdf"'
    return response


@router.get("/enterprise", response=list[ContractOut])
@paginate(PageNumber)
def list_contracts(request, filters: Query[ContractFilter]):
    return filters.filter(_contracts().visible_to(request.user)).order_by("-start_date", "id")


@router.get("/enterprise/proposal", response=ProposalOut)
def proposal(
    request,
    account_id: int,
    start_date: ApiDate | None = None,
    months: int | None = None,
    currency: str | None = None,
):
    """R-PE-2 / R-PE-7: installed from the fleet and growth from the forecast, per category;
    unit prices from the price list of ``currency`` (default: the account's)."""
    account = get_visible_or_404(
        Organisation.objects.filter(kind=OrganisationKind.CUSTOMER), request.user, pk=account_id
    )
    p = services.propose_contract(
        actor=request.user,
        account=account,
        start_date=start_date,
        months=months,
        currency=currency,
    )
    return {
        **p.__dict__,
        "categories": [c.__dict__ for c in p.categories],
        "quote_only": [{"sku": s, "name": n, "count": c} for s, n, c in p.quote_only],
        "end_of_support": [{"sku": s, "name": n, "count": c} for s, n, c in p.end_of_support],
    }


@router.post("/enterprise", response={201: ContractOut})
def create_contract(request, payload: ContractIn):
    account = get_visible_or_404(
        Organisation.objects.filter(kind=OrganisationKind.CUSTOMER),
        request.user,
        pk=payload.account_id,
    )
    partner = None
    if payload.distribution_partner_id is not None:
        partner = get_visible_or_404(Organisation, request.user, pk=payload.distribution_partner_id)
    contract = services.create_contract(
        actor=request.user,
        account=account,
        start_date=payload.start_date,
        end_date=payload.end_date,
        currency=payload.currency,
        categories=_categories(payload.categories),
        distribution_partner=partner,
        professional_services_discount=payload.professional_services_discount,
        extra_csm_blocks=payload.extra_csm_blocks,
        technical_account_management=payload.technical_account_management,
        onsite_destruction=payload.onsite_destruction,
        proration_basis=payload.proration_basis,
        programme_code=payload.programme_code,
    )
    return Status(201, _contracts().get(pk=contract.pk))


@router.get("/enterprise/{contract_id}", response=ContractOut)
def get_contract(request, contract_id: int):
    return get_visible_or_404(_contracts(), request.user, pk=contract_id)


@router.get("/enterprise/{contract_id}/upfront-order.pdf")
def upfront_order_pdf(request, contract_id: int):
    contract = get_visible_or_404(EnterpriseContract, request.user, pk=contract_id)
    if contract.upfront_order_id is None:
        from django.http import Http404

        raise Http404(_("This contract has no upfront order yet."))
    return _pdf(get_visible_or_404(Document, request.user, pk=contract.upfront_order_id), request)


@router.get("/enterprise/{contract_id}/renewal-proposal", response=list[RenewalLineOut])
def renewal_proposal(request, contract_id: int, on: ApiDate | None = None):
    contract = get_visible_or_404(EnterpriseContract, request.user, pk=contract_id)
    return [
        r.__dict__ for r in services.propose_renewal(actor=request.user, contract=contract, on=on)
    ]


@router.post("/enterprise/{contract_id}/renewal-quote", response={201: ContractOut})
def renewal_quote(request, contract_id: int, payload: RenewalIn):
    """R-PE-6: a draft next term and its numbered renewal quote."""
    contract = get_visible_or_404(EnterpriseContract, request.user, pk=contract_id)
    nxt = services.create_renewal_quote(
        actor=request.user,
        contract=contract,
        categories=_categories(payload.categories) if payload.categories else None,
    )
    return Status(201, _contracts().get(pk=nxt.pk))


@router.post("/enterprise/{contract_id}/accept-renewal", response=ContractOut)
def accept_renewal(request, contract_id: int):
    contract = get_visible_or_404(EnterpriseContract, request.user, pk=contract_id)
    nxt = services.accept_renewal(actor=request.user, contract=contract)
    return _contracts().get(pk=nxt.pk)


@router.get("/enterprise/{contract_id}/renewal-quote.pdf")
def renewal_quote_pdf(request, contract_id: int):
    contract = get_visible_or_404(EnterpriseContract, request.user, pk=contract_id)
    if contract.renewal_quote_id is None:
        from django.http import Http404

        raise Http404(_("This contract has no renewal quote."))
    return _pdf(get_visible_or_404(Document, request.user, pk=contract.renewal_quote_id), request)


@router.get("/adjustments", response=list[AdjustmentOut])
@paginate(PageNumber)
def list_adjustments(request, filters: Query[AdjustmentFilter]):
    return filters.filter(_adjustments().visible_to(request.user)).order_by("-month", "id")


@router.post("/adjustments/detect", response=list[AdjustmentOut])
def detect(request, payload: DetectIn):
    """Run the month-end check now (the same as the ``contracts.month_end_adjustments`` job)."""
    services.require_csm(request.user)
    opened = services.detect_adjustments(payload.on or timezone.localdate(), actor=request.user)
    return list(_adjustments().filter(pk__in=[a.pk for a in opened]))


@router.get("/adjustments/{adjustment_id}", response=AdjustmentOut)
def get_adjustment(request, adjustment_id: int):
    return get_visible_or_404(_adjustments(), request.user, pk=adjustment_id)


@router.post("/adjustments/{adjustment_id}/quote", response=AdjustmentOut)
def quote(request, adjustment_id: int):
    adj = get_visible_or_404(Adjustment, request.user, pk=adjustment_id)
    services.quote_adjustment(actor=request.user, adjustment=adj)
    return _adjustments().get(pk=adj.pk)


@router.post("/adjustments/{adjustment_id}/purchase-order", response=AdjustmentOut)
def purchase_order(request, adjustment_id: int, payload: PurchaseOrderIn):
    adj = get_visible_or_404(Adjustment, request.user, pk=adjustment_id)
    services.record_purchase_order(
        actor=request.user, adjustment=adj, number=payload.purchase_order_number
    )
    return _adjustments().get(pk=adj.pk)


@router.post("/adjustments/{adjustment_id}/apply", response=AdjustmentOut)
def apply(request, adjustment_id: int):
    adj = get_visible_or_404(Adjustment, request.user, pk=adjustment_id)
    services.apply_adjustment(actor=request.user, adjustment=adj)
    return _adjustments().get(pk=adj.pk)


@router.post("/adjustments/{adjustment_id}/cancel", response=AdjustmentOut)
def cancel(request, adjustment_id: int, payload: CancelIn):
    adj = get_visible_or_404(Adjustment, request.user, pk=adjustment_id)
    services.cancel_adjustment(actor=request.user, adjustment=adj, reason=payload.reason)
    return _adjustments().get(pk=adj.pk)


@router.get("/adjustments/{adjustment_id}/quote.pdf")
def quote_pdf(request, adjustment_id: int):
    adj = get_visible_or_404(Adjustment, request.user, pk=adjustment_id)
    if adj.quote_id is None:
        from django.http import Http404

        raise Http404(_("No quote has been issued for this adjustment yet."))
    return _pdf(get_visible_or_404(Document, request.user, pk=adj.quote_id), request)
