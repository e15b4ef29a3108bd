"""Webhook use cases: register, change, remove an endpoint; send a delivery again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.changelog import log_change, snapshot
from fleetcare.core.permissions import require

from . import delivery, permissions
from .events import EVENTS
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

ENDPOINT_FIELDS = ["organisation", "url", "description", "events", "active"]
MAY_NOT = _("You may not manage this organisation's webhooks.")


def _validate(url: str, events: list[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    schemes = ["http", "https"] if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS else ["https"]
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError:
        errors["url"] = [_("Enter a valid %(schemes)s URL.") % {"schemes": " or ".join(schemes)}]
    else:
        if not delivery.host_allowed(url):
            errors["url"] = [_("The receiver must not be on a private network.")]
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        errors["events"] = [_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}]
    elif not events:
        errors["events"] = [_("Choose at least one event.")]
    return errors


@transaction.atomic
def create_endpoint(
    actor: Any, organisation: Any, *, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    require(actor, permissions.can_manage_webhooks, organisation, MAY_NOT)
    events = sorted(set(events))
    errors = _validate(url, events)
    if errors:
        raise ValidationError(errors)
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=events,
        description=description,
        created_by=actor,
    )
    log_change(endpoint, "webhook.created", actor=actor, after=snapshot(endpoint, ENDPOINT_FIELDS))
    return endpoint


@transaction.atomic
def change_endpoint(actor: Any, endpoint: WebhookEndpoint, **changes: Any) -> WebhookEndpoint:
    require(actor, permissions.can_manage_webhooks, endpoint.organisation, MAY_NOT)
    before = snapshot(endpoint, ENDPOINT_FIELDS)
    if "events" in changes:
        changes["events"] = sorted(set(changes["events"]))
    url = changes.get("url", endpoint.url)
    errors = _validate(url, changes.get("events", endpoint.events))
    if errors:
        raise ValidationError(errors)
    for field, value in changes.items():
        if field not in ("url", "description", "events", "active"):
            raise ValidationError({field: [_("This field cannot be changed here.")]})
        setattr(endpoint, field, value)
    endpoint.save()
    log_change(
        endpoint,
        "webhook.changed",
        actor=actor,
        before=before,
        after=snapshot(endpoint, ENDPOINT_FIELDS),
    )
    return endpoint


@transaction.atomic
def delete_endpoint(actor: Any, endpoint: WebhookEndpoint) -> None:
    require(actor, permissions.can_manage_webhooks, endpoint.organisation, MAY_NOT)
    log_change(
        endpoint,
        "webhook.deleted",
        actor=actor,
        before=snapshot(endpoint, ENDPOINT_FIELDS),
        after={},
    )
    endpoint.delete()


def redeliver(actor: Any, item: WebhookDelivery) -> WebhookDelivery:
    """The "send again" button: the same event (same id, so a receiver can de-duplicate)
    goes out again now, whatever became of it before."""
    require(actor, permissions.can_manage_webhooks, item.endpoint.organisation, MAY_NOT)
    with transaction.atomic():
        item = WebhookDelivery.objects.select_for_update().get(pk=item.pk)
        item.status = DeliveryStatus.PENDING
        item.next_attempt_at = timezone.now()
        item.save(update_fields=["status", "next_attempt_at"])
        log_change(item, "webhook.redelivered", actor=actor, after={"attempts": item.attempts})
    from .tasks import send_delivery

    transaction.on_commit(lambda: send_delivery.delay(item.pk))
    item.refresh_from_db()
    return item
