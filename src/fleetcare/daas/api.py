"""Device-as-a-Service API (R-DS-1..5): subscriptions, devices, deliveries, threshold."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from fleetcare.api.pagination import PageNumber
from fleetcare.api.types import ApiDate
from fleetcare.catalog.models import ProductModel
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation, OrganisationKind, Site

from . import services
from .filters import SubscribedDeviceFilter, SubscriptionFilter
from .models import SubscribedDevice, Subscription

router = Router(tags=["device-as-a-service"])
ROUTER_PREFIX = "/daas"


class SubscriptionOut(Schema):
    id: int
    reference: str
    partner_id: int | None = Field(None, description="Empty: a programme the vendor sells itself")
    partner_name: str | None = None
    programme_code: str
    distributor_id: int | None
    customer_id: int
    customer_name: str = Field(..., alias="customer.name")
    site_id: int
    site_name: str = Field(..., alias="site.name")
    term_months: int
    currency: str
    status: str
    device_count: int
    delivered_count: int

    @staticmethod
    def resolve_partner_name(obj: Subscription) -> str | None:
        return obj.partner.name if obj.partner_id else None


class SubscribedDeviceOut(Schema):
    id: int
    subscription_id: int
    subscription_reference: str = Field(..., alias="subscription.reference")
    device_id: int | None
    product_model_sku: str = Field(..., alias="product_model.sku")
    product_model_name: str = Field(..., alias="product_model.name")
    monthly_price: Decimal
    extended_cover: bool
    enrolled_on: date
    delivered_on: date | None
    term_start: date | None
    term_end: date | None
    replaces_id: int | None


class EnrolmentItemIn(Schema):
    product_model_id: int | None = Field(None, description="Catalogue id (or give sku)")
    sku: str | None = None
    quantity: int = Field(..., ge=1)
    extended_cover: bool = False


class SubscriptionIn(Schema):
    customer_id: int
    site_id: int
    term_months: int | None = Field(None, description="Default: the programme's (36)")
    distributor_id: int | None = Field(None, description="The distributor that delivers")
    programme_code: str | None = Field(
        None, description="Default: the default per-device programme"
    )
    items: list[EnrolmentItemIn]


class DeliveryIn(Schema):
    delivered_on: ApiDate
    device_ids: list[int] | None = Field(None, description="Default: every undelivered device")


class ThresholdOut(Schema):
    customer_id: int
    year: int
    devices_under_contract: int
    replacements_this_year: int
    rate_pct: Decimal | None
    threshold_pct: Decimal
    next_is_chargeable: bool
    over_threshold: bool


def _subscriptions(user):
    return (
        Subscription.objects.visible_to(user)
        .select_related("partner", "customer", "site")
        .annotate(
            device_count=Count("devices", filter=Q(devices__replaced_by__isnull=True)),
            delivered_count=Count(
                "devices",
                filter=Q(devices__delivered_on__isnull=False, devices__replaced_by__isnull=True),
            ),
        )
    )


@router.get("/subscriptions", response=list[SubscriptionOut])
@paginate(PageNumber)
def list_subscriptions(request, filters: Query[SubscriptionFilter]):
    return filters.filter(_subscriptions(request.user)).order_by("-created_at", "-id")


@router.get("/subscriptions/{subscription_id}", response=SubscriptionOut)
def get_subscription(request, subscription_id: int):
    return get_visible_or_404(_subscriptions(request.user), request.user, pk=subscription_id)


@router.post(
    "/subscriptions",
    response={201: SubscriptionOut},
    summary="A certified partner subscribes one of its customers (every refusal at once)",
)
def create_subscription(request, payload: SubscriptionIn):
    user = request.user
    customer = get_visible_or_404(Organisation, user, pk=payload.customer_id)
    site = get_visible_or_404(Site, user, pk=payload.site_id)
    ids = {i.product_model_id for i in payload.items if i.product_model_id}
    skus = {i.sku for i in payload.items if i.sku and not i.product_model_id}
    models = ProductModel.objects.visible_to(user).select_related("category")
    by_id = {m.pk: m for m in models.filter(pk__in=ids)}
    by_sku = {m.sku: m for m in models.filter(sku__in=skus)}
    items, missing = [], {}
    for n, item in enumerate(payload.items):
        model = by_id.get(item.product_model_id) if item.product_model_id else by_sku.get(item.sku)
        if model is None:
            missing[f"items[{n}]"] = [
                _("No product model %(model)s in the catalogue.")
                % {"model": repr(item.product_model_id or item.sku)}
            ]
            continue
        items.append(services.EnrolmentItem(model, item.quantity, item.extended_cover))
    if missing:
        raise ValidationError(missing)
    distributor = (
        Organisation.objects.filter(
            pk=payload.distributor_id, kind=OrganisationKind.DISTRIBUTION_PARTNER
        ).first()
        if payload.distributor_id
        else None
    )
    if payload.distributor_id and distributor is None:
        raise ValidationError({"distributor_id": [_("No distribution partner with that id.")]})
    sub = services.create_subscription(
        actor=user,
        customer=customer,
        site=site,
        items=items,
        term_months=payload.term_months,
        distributor=distributor,
        programme_code=payload.programme_code,
    )
    return Status(201, get_visible_or_404(_subscriptions(user), user, pk=sub.pk))


@router.post(
    "/subscriptions/{subscription_id}/deliveries",
    response=list[SubscribedDeviceOut],
    summary="Record the distributor's delivery: each device's term starts (R-DS-2)",
)
def record_delivery(request, subscription_id: int, payload: DeliveryIn):
    sub = get_visible_or_404(Subscription, request.user, pk=subscription_id)
    done = services.record_delivery(
        actor=request.user,
        subscription=sub,
        delivered_on=payload.delivered_on,
        device_ids=payload.device_ids,
    )
    return SubscribedDevice.objects.filter(pk__in=[d.pk for d in done]).select_related(
        "subscription", "product_model"
    )


@router.get("/devices", response=list[SubscribedDeviceOut])
@paginate(PageNumber)
def list_devices(request, filters: Query[SubscribedDeviceFilter]):
    qs = SubscribedDevice.objects.visible_to(request.user).select_related(
        "subscription", "product_model"
    )
    return filters.filter(qs).order_by("subscription_id", "id")


@router.post("/devices/{device_id}/extended-cover", summary="Always refused after enrolment")
def add_extended_cover(request, device_id: int):
    device = get_visible_or_404(
        SubscribedDevice.objects.select_related("subscription__site", "product_model__category"),
        request.user,
        pk=device_id,
    )
    services.request_extended_cover(actor=request.user, device=device)


@router.get(
    "/customers/{customer_id}/threshold",
    response=ThresholdOut,
    summary="Yearly replacement threshold of a DaaS customer (R-DS-5)",
)
def threshold(request, customer_id: int, on: ApiDate | None = None):
    customer = get_visible_or_404(Organisation, request.user, pk=customer_id)
    view = services.threshold_overview(customer.pk, on or timezone.localdate())
    if view is None:
        raise HttpError(404, _("The programme has no yearly replacement threshold."))
    return {
        "customer_id": customer.pk,
        "year": view.year,
        "devices_under_contract": view.devices,
        "replacements_this_year": view.replacements,
        "rate_pct": view.rate_pct,
        "threshold_pct": view.threshold_pct,
        "next_is_chargeable": view.next_is_chargeable,
        "over_threshold": view.over_threshold,
    }
