"""Webhook deliveries: queue one per endpoint, send (signed), retry with back-off."""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fleetcare.core.roles import OrganisationKind

from . import signing
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# Attempt n (1-based) failed: wait BASE × 2^(n-1): 30 s, 1 min, 2 min … ~2 h 8 min
# (BASE is WEBHOOK_BACKOFF_SECONDS, 30 s by default).
MAX_ATTEMPTS = 9
# While one worker sends, the delivery is leased so that no other one sends it too.
LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_BACKOFF_SECONDS) * (2 ** max(attempts - 1, 0))


def body_of(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.event_id),
        "type": delivery.event,
        "created": delivery.created_at.isoformat(),
        "organisation_id": delivery.endpoint.organisation_id,
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def queue(event: str, organisation_ids: list[int], payload: dict[str, Any]) -> list[int]:
    """One delivery per active endpoint that wants ``event``: those of the organisations
    concerned, and the vendor's own. The caller sends each (a Celery task)."""
    endpoints = WebhookEndpoint.objects.filter(active=True).filter(
        Q(organisation_id__in=organisation_ids) | Q(organisation__kind=OrganisationKind.VENDOR)
    )
    now = timezone.now()
    created = [
        WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, payload=payload, next_attempt_at=now
        ).pk
        for endpoint in endpoints
        if endpoint.wants(event)
    ]
    return created


def queue_each(event: str, items: list[tuple[int, dict[str, Any]]]) -> list[int]:
    """:func:`queue` for many (organisation, payload) pairs of one event (a fleet import of
    5,000 accounts): the endpoints are looked up once, the deliveries inserted in bulk."""
    orgs = sorted({org for org, _payload in items if org})
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(active=True)
        .filter(Q(organisation_id__in=orgs) | Q(organisation__kind=OrganisationKind.VENDOR))
        .select_related("organisation")
        if e.wants(event)
    ]
    if not endpoints:
        return []
    vendor = [e for e in endpoints if e.organisation.kind == OrganisationKind.VENDOR]
    own: dict[int, list[WebhookEndpoint]] = {}
    for e in endpoints:
        if e not in vendor:
            own.setdefault(e.organisation_id, []).append(e)
    now = timezone.now()
    deliveries = [
        WebhookDelivery(endpoint=e, event=event, payload=payload, next_attempt_at=now)
        for org, payload in items
        for e in own.get(org, []) + vendor
    ]
    return [d.pk for d in WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000)]


def host_allowed(url: str) -> bool:
    """Outside local use, a receiver must not be this machine or a private network."""
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return True
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
        ):
            return False
    return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer (3xx), never followed


_opener = urllib.request.build_opener(_NoRedirect)


def _claim(pk: int, now: datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=pk)
            .first()
        )
        if delivery is None or delivery.status not in (
            DeliveryStatus.PENDING,
            DeliveryStatus.RETRYING,
        ):
            return None
        if not delivery.endpoint.active:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1):
            return None  # not due yet, or another worker holds the lease
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
        return delivery


def attempt(pk: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Send one delivery once. Returns it (updated), or None when it was not due."""
    now = now or timezone.now()
    delivery = _claim(pk, now)
    if delivery is None:
        return None
    body = body_of(delivery)
    code: int | None = None
    error = ""
    if not host_allowed(delivery.endpoint.url):
        error = "The receiver's address is on a private network."
    else:
        request = urllib.request.Request(
            delivery.endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "fleetcare-webhooks/1",
                signing.HEADER: signing.sign(delivery.endpoint.secret, body),
                "Fleetcare-Event": delivery.event,
                "Fleetcare-Delivery": str(delivery.event_id),
            },
        )
        try:
            with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
                code = response.status
        except urllib.error.HTTPError as exc:
            code = exc.code
            error = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = str(getattr(exc, "reason", exc))[:300]
    delivery.response_code = code
    delivery.last_error = error[:300]
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.last_error = ""
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "response_code",
            "last_error",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if delivery.status != DeliveryStatus.SUCCEEDED:
        logger.warning(
            "Webhook delivery %s (%s) to %s failed, attempt %s: %s",
            delivery.pk,
            delivery.event,
            delivery.endpoint.url,
            delivery.attempts,
            error or code,
        )
    return delivery


def send_due(now: datetime | None = None) -> dict[str, int]:
    """Send every delivery whose retry is due (the periodic job; idempotent)."""
    now = now or timezone.now()
    ids = list(WebhookDelivery.objects.due(now).values_list("pk", flat=True)[:500])
    sent = failed = 0
    for pk in ids:
        result = attempt(pk, now)
        if result is None:
            continue
        if result.status == DeliveryStatus.SUCCEEDED:
            sent += 1
        else:
            failed += 1
    return {"delivered": sent, "failed": failed}
