"""Licences API (R-POR-1) and the premium flag the device-management tool asks (R-PE-8)."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fleetcare.api.errors import ProblemError
from fleetcare.api.pagination import PageNumber
from fleetcare.api.types import ApiDate
from fleetcare.catalog.models import ProductModel
from fleetcare.core.lists import DbId
from fleetcare.core.permissions import can
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation, OrganisationKind

from . import permissions, services
from .filters import LicenceFilter
from .models import Licence, LicenceKind, LicenceSource

router = Router(tags=["licences"])
ROUTER_PREFIX = "/licences"


class LicenceOut(Schema):
    id: int
    account_id: int
    account: str = Field(..., alias="account.name")
    reference: str
    kind: str
    product_name: str
    product_model_id: int | None
    sku: str | None = Field(None, alias="product_model.sku")
    quantity: int
    used: int = Field(..., alias="used_count", description="Active devices using a seat")
    free: int = Field(..., alias="free_count", description="quantity − used, at least 0")
    over: int = Field(..., alias="over_count", description="Seats used beyond the quantity")
    valid_from: date
    valid_until: date | None
    state: str
    source: str

    @staticmethod
    def resolve_state(obj: Licence) -> str:
        return obj.state(timezone.localdate())


class LicenceIn(Schema):
    account_id: DbId
    reference: str = Field(..., max_length=64)
    kind: LicenceKind
    product_name: str = Field(..., max_length=200)
    product_model_id: DbId | None = None
    quantity: int = Field(..., ge=0, le=10_000_000)
    valid_from: ApiDate
    valid_until: ApiDate | None = None


class LicenceImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    references: list[str]


class PremiumOut(Schema):
    account_id: int
    on: date
    premium: bool = Field(..., description="Premium device-management features are on")
    reason: str = Field(..., description="contract or no_contract")
    contract_reference: str | None
    until: date | None = Field(None, description="The entitling contract's term end")
    detail: str = Field(..., alias="explanation")


def _require_viewer(request) -> None:
    if not can(request.user, permissions.can_view_licences):
        raise PermissionDenied(_("You have no licences to see."))


def _visible(request):
    return (
        Licence.objects.visible_to(request.user)
        .select_related("account", "product_model")
        .with_counts()
    )


@router.get("", response=list[LicenceOut])
@paginate(PageNumber)
def list_licences(request, filters: Query[LicenceFilter]):
    """R-POR-1: licences you may see, with used and free counts; search with ``q``."""
    _require_viewer(request)
    return filters.filter(_visible(request)).order_by("account__name", "kind", "reference", "id")


@router.post("", response={201: LicenceOut})
def create_licence(request, payload: LicenceIn):
    """A licence entered by the vendor (administrator, CSM, service operations)."""
    account = get_visible_or_404(Organisation, request.user, pk=payload.account_id)
    model = (
        get_visible_or_404(ProductModel, request.user, pk=payload.product_model_id)
        if payload.product_model_id
        else None
    )
    licence = services.create_licence(
        actor=request.user,
        account=account,
        reference=payload.reference,
        kind=payload.kind,
        product_name=payload.product_name,
        quantity=payload.quantity,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        product_model=model,
        source=LicenceSource.API,
    )
    return Status(201, _visible(request).get(pk=licence.pk))


@router.post("/import", response=LicenceImportOut)
def import_licences(request, file: File[UploadedFile], account_id: Form[DbId]):
    """R-POR-1: a licence file for an account (CSV: reference, kind, product, sku,
    quantity, valid_from, valid_until), all or nothing (422 listing every bad row)."""
    account = get_visible_or_404(Organisation, request.user, pk=account_id)
    try:
        outcome = services.import_licences(actor=request.user, account=account, upload=file)
    except services.LicenceImportRejected as exc:
        raise ProblemError(
            422, _("The licence file has errors; nothing was saved."), errors=exc.errors
        ) from exc
    return outcome


@router.get("/accounts/{account_id}/premium", response=PremiumOut)
def account_premium(request, account_id: int):
    """R-PE-8: whether the account's device-management premium features are on (an
    account-wide contract in force whose programme brings them). The device-management
    tool asks this; another tenant's account answers 404."""
    account = get_visible_or_404(
        Organisation.objects.filter(kind=OrganisationKind.CUSTOMER), request.user, pk=account_id
    )
    return services.premium_status(account)


@router.get("/{licence_id}", response=LicenceOut)
def get_licence(request, licence_id: int):
    _require_viewer(request)
    return get_visible_or_404(_visible(request), request.user, pk=licence_id)
