from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fleetcare.api.pagination import PageNumber
from fleetcare.core.tenancy import get_visible_or_404

from .models import Category, ProductModel, ProductPrice, SparePart

router = Router(tags=["catalogue"])
ROUTER_PREFIX = "/catalog"


class CategoryOut(Schema):
    code: str
    name: str
    quote_only: bool


class FirmwareOut(Schema):
    version: str
    released_on: date
    notes: str


class ProductDocumentOut(Schema):
    kind: str
    title: str
    language: str
    url: str


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
