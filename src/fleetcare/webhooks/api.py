"""Webhooks API: an organisation's endpoints, their delivery log, "send again"."""

from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from fleetcare.api.pagination import PageNumber
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation

from . import permissions, services
from .events import EVENTS
from .models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])
ROUTER_PREFIX = "/webhooks"


class WebhookEventOut(Schema):
    name: str
    description: str


class EndpointOut(Schema):
    id: int
    organisation_id: int
    url: str
    description: str
    events: list[str]
    active: bool
    secret: str = Field(..., description="Verify the Fleetcare-Signature header with it")
    created_at: datetime


class EndpointIn(Schema):
    url: str = Field(..., max_length=500)
    events: list[str] = Field(..., description="Names from GET /webhooks/events")
    description: str = Field("", max_length=200)
    organisation_id: int | None = Field(None, description="Default: your own organisation")


class EndpointPatch(Schema):
    url: str | None = Field(None, max_length=500)
    events: list[str] | None = None
    description: str | None = Field(None, max_length=200)
    active: bool | None = None


class DeliveryOut(Schema):
    id: int
    endpoint_id: int
    event_id: str
    event: str
    status: str
    attempts: int
    response_code: int | None
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    payload: dict

    @staticmethod
    def resolve_event_id(obj: WebhookDelivery) -> str:
        return str(obj.event_id)


@router.get("/events", response=list[WebhookEventOut], summary="The events an endpoint may receive")
def list_events(request):
    return [{"name": name, "description": str(label)} for name, label in EVENTS.items()]


@router.get("/endpoints", response=list[EndpointOut], summary="Your organisation's endpoints")
@paginate(PageNumber)
def list_endpoints(request):
    return WebhookEndpoint.objects.visible_to(request.user).order_by("id")


@router.post("/endpoints", response={201: EndpointOut}, summary="Register an endpoint")
def create_endpoint(request, payload: EndpointIn):
    # Who may not register at all is told so (403) before the organisation is looked up.
    require(request.user, permissions.can_manage_webhooks, None, services.MAY_NOT)
    org_id = payload.organisation_id or request.user.organisation_id
    organisation = get_visible_or_404(Organisation, request.user, pk=org_id)
    endpoint = services.create_endpoint(
        request.user,
        organisation,
        url=payload.url,
        events=payload.events,
        description=payload.description,
    )
    return Status(201, endpoint)


@router.get("/endpoints/{endpoint_id}", response=EndpointOut)
def get_endpoint(request, endpoint_id: int):
    return get_visible_or_404(WebhookEndpoint, request.user, pk=endpoint_id)


@router.patch("/endpoints/{endpoint_id}", response=EndpointOut)
def change_endpoint(request, endpoint_id: int, payload: EndpointPatch):
    endpoint = get_visible_or_404(
        WebhookEndpoint.objects.select_related("organisation"), request.user, pk=endpoint_id
    )
    return services.change_endpoint(
        request.user, endpoint, **payload.model_dump(exclude_unset=True)
    )


@router.delete("/endpoints/{endpoint_id}", response={204: None})
def delete_endpoint(request, endpoint_id: int):
    endpoint = get_visible_or_404(
        WebhookEndpoint.objects.select_related("organisation"), request.user, pk=endpoint_id
    )
    services.delete_endpoint(request.user, endpoint)
    return Status(204, None)


@router.get(
    "/endpoints/{endpoint_id}/deliveries",
    response=list[DeliveryOut],
    summary="The delivery log: status, response code, attempts",
)
@paginate(PageNumber)
def list_deliveries(request, endpoint_id: int):
    endpoint = get_visible_or_404(WebhookEndpoint, request.user, pk=endpoint_id)
    return WebhookDelivery.objects.visible_to(request.user).filter(endpoint=endpoint)


@router.post(
    "/deliveries/{delivery_id}/redeliver", response=DeliveryOut, summary="Send a delivery again"
)
def redeliver(request, delivery_id: int):
    item = get_visible_or_404(
        WebhookDelivery.objects.select_related("endpoint__organisation"),
        request.user,
        pk=delivery_id,
    )
    return services.redeliver(request.user, item)
