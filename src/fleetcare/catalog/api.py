from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fleetcare.api.errors import ProblemError
from fleetcare.api.pagination import PageNumber
from fleetcare.api.types import ApiDate
from fleetcare.core.tenancy import get_visible_or_404

from . import entitlement, services
from .models import (
    Category,
    FirmwareRelease,
    ProductDocument,
    ProductModel,
    ProductPrice,
    SparePart,
    StoredFile,
)
from .views import file_response

router = Router(tags=["catalogue"])
ROUTER_PREFIX = "/catalog"


class CategoryOut(Schema):
    code: str
    name: str
    quote_only: bool


def _download_path(obj: StoredFile, name: str) -> str | None:
    return f"/api/v1/catalog/{name}/{obj.pk}/download" if obj.has_file else None


class FileFields(Schema):
    file_name: str = Field(..., description="The file's name ('' when none is published)")
    file_size: int = Field(..., description="Bytes")
    sha256: str = Field(..., description="SHA-256 of the file, hex")


class FirmwareOut(FileFields):
    id: int
    version: str
    released_on: date
    notes: str
    download: str | None = Field(None, description="API path of the file (entitled users)")

    @staticmethod
    def resolve_download(obj: FirmwareRelease) -> str | None:
        return _download_path(obj, "firmware")


class ProductDocumentOut(FileFields):
    id: int
    kind: str
    title: str
    language: str
    download: str | None = Field(None, description="API path of the file (entitled users)")

    @staticmethod
    def resolve_download(obj: ProductDocument) -> str | None:
        return _download_path(obj, "documents")


class EntitlementOut(Schema):
    product_model_id: int
    sku: str
    entitled: bool
    reason: str = Field(..., description="vendor, contract, term, end_user or no_entitlement")
    reference: str | None = Field(None, description="The contract or subscription entitling")
    detail: str = Field(..., description="The decision as a sentence, in your language")


class FirmwareListOut(Schema):
    product_model_id: int
    sku: str
    latest: FirmwareOut | None
    entitlement: EntitlementOut
    releases: list[FirmwareOut]


class ProductPriceOut(Schema):
    currency: str
    list_price: Decimal
    pe_yearly_price: Decimal | None
    daas_monthly_price: Decimal | None


class ProductModelOut(Schema):
    id: int
    sku: str
    name: str
    family: str
    category: str = Field(..., alias="category.code")
    quote_only: bool = Field(..., alias="category.quote_only")
    prices: list[ProductPriceOut] = Field(
        ..., description="The model's entry in each currency's price list (R-CAT-1)"
    )
    end_of_sale_announced_on: date | None
    end_of_sale_effective_on: date | None
    end_of_support_on: date | None
    lifecycle: str

    @staticmethod
    def resolve_lifecycle(obj: ProductModel) -> str:
        return obj.lifecycle_status(timezone.localdate())

    @staticmethod
    def resolve_prices(obj: ProductModel) -> list[ProductPrice]:
        return list(obj.prices.all())


class ProductModelDetail(ProductModelOut):
    description: str
    firmware_releases: list[FirmwareOut]
    documents: list[ProductDocumentOut]


class SparePartOut(Schema):
    id: int
    part_number: str
    name: str
    list_price: Decimal
    currency: str


class CatalogFilters(Schema):
    q: str = Field("", description="Search in SKU, name and family")
    category: str | None = Field(None, description="Category code, e.g. video")
    family: str | None = None
    quote_only: bool | None = None
    lifecycle: str | None = Field(None, description="active, end_of_sale or end_of_support")


@router.get("/categories", response=list[CategoryOut])
def list_categories(request):
    return Category.objects.visible_to(request.user)


@router.get("/models", response=list[ProductModelOut])
@paginate(PageNumber)
def list_models(request, filters: Query[CatalogFilters]):
    today = timezone.localdate()
    qs = (
        ProductModel.objects.visible_to(request.user)
        .select_related("category")
        .prefetch_related("prices")
        .search(filters.q)
    )
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.family:
        qs = qs.filter(family__iexact=filters.family)
    if filters.quote_only is not None:
        qs = qs.filter(category__quote_only=filters.quote_only)
    if filters.lifecycle:
        qs = qs.lifecycle(filters.lifecycle, today)
    return qs.order_by("family", "name", "id")


@router.get("/models/{model_id}", response=ProductModelDetail)
def get_model(request, model_id: int):
    qs = ProductModel.objects.select_related("category").prefetch_related(
        "firmware_releases", "documents", "prices"
    )
    return get_visible_or_404(qs, request.user, pk=model_id)


@router.get("/models/{model_id}/spare-parts", response=list[SparePartOut])
def model_spare_parts(request, model_id: int):
    model = get_visible_or_404(ProductModel, request.user, pk=model_id)
    return (
        SparePart.objects.visible_to(request.user).filter(compatible_models=model).order_by("name")
    )


def _entitlement(request: Any, model: ProductModel) -> dict[str, Any]:
    decision = entitlement.download_decision(request.user, model)
    return {
        "product_model_id": model.pk,
        "sku": model.sku,
        "entitled": decision.entitled,
        "reason": decision.reason,
        "reference": decision.params.get("reference"),
        "detail": entitlement.explain(decision),
    }


@router.get("/models/{model_id}/entitlement", response=EntitlementOut)
def model_entitlement(request, model_id: int):
    """R-POR-1: whether you may download this model's firmware and documents, and why."""
    model = get_visible_or_404(ProductModel, request.user, pk=model_id)
    return _entitlement(request, model)


@router.get("/models/{model_id}/firmware", response=FirmwareListOut)
def model_firmware(request, model_id: int):
    """R-SW-1: a model's firmware releases, newest first, with the latest one."""
    model = get_visible_or_404(ProductModel, request.user, pk=model_id)
    releases = list(
        FirmwareRelease.objects.visible_to(request.user)
        .filter(product_model=model)
        .order_by("-released_on", "-id")
    )
    return {
        "product_model_id": model.pk,
        "sku": model.sku,
        "latest": releases[0] if releases else None,
        "entitlement": _entitlement(request, model),
        "releases": releases,
    }


@router.post("/models/{model_id}/firmware", response={201: FirmwareOut})
def publish_firmware(
    request,
    model_id: int,
    file: File[UploadedFile],
    version: Form[str],
    released_on: Form[ApiDate],
    notes: Form[str] = "",
):
    """R-SW-1: publish a release with its file (vendor administrator, service operations)."""
    model = get_visible_or_404(ProductModel, request.user, pk=model_id)
    release = services.publish_firmware(
        actor=request.user,
        product_model=model,
        version=version,
        released_on=released_on,
        notes=notes,
        upload=file,
    )
    return Status(201, release)


def _download(request: Any, obj: StoredFile) -> Any:
    try:
        download = services.open_download(actor=request.user, obj=obj)
    except services.NotEntitled as exc:
        raise ProblemError(
            403, str(exc), reason=exc.decision.reason, sku=exc.decision.params.get("sku")
        ) from exc
    except FileNotFoundError as exc:
        raise ProblemError(404, "This record has no file to download.") from exc
    return file_response(download)


@router.get("/firmware/{release_id}/download", response={200: None})
def download_firmware(request, release_id: int):
    """R-POR-1: the release's file, streamed, for entitled users (403 problem+json
    saying why otherwise). Headers: Content-Disposition, Content-Length, X-Content-SHA256."""
    release = get_visible_or_404(
        FirmwareRelease.objects.select_related("product_model"), request.user, pk=release_id
    )
    return _download(request, release)


@router.get("/documents/{document_id}/download", response={200: None})
def download_document(request, document_id: int):
    """R-POR-1: the document's file, streamed, for entitled users only."""
    document = get_visible_or_404(
        ProductDocument.objects.select_related("product_model"), request.user, pk=document_id
    )
    return _download(request, document)
