"""Webhooks against a real receiver: signature, retry after a 500, tenancy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fleetcare.core.jobs import run_job
from fleetcare.webhooks import delivery as webhook_delivery
from fleetcare.webhooks import events, services, signing
from fleetcare.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


@pytest.fixture
def endpoint(customer_user, customer, receiver):
    return services.create_endpoint(
        customer_user, customer, url=receiver.url, events=["case.created", "replacement.shipped"]
    )


@pytest.fixture
def other_endpoint(other_customer_user, other_customer, other_receiver):
    return services.create_endpoint(
        other_customer_user,
        other_customer,
        url=other_receiver.url,
        events=list(events.EVENTS),
    )


def _emit(capture, name, org_ids, payload):
    with capture(execute=True):
        events.emit(name, org_ids, payload)


def test_delivery_is_signed_and_only_the_tenant_receives_it(
    django_capture_on_commit_callbacks,
    endpoint,
    other_endpoint,
    receiver,
    other_receiver,
    customer,
):
    _emit(django_capture_on_commit_callbacks, "case.created", [customer.pk], {"case_id": 7})
    assert len(receiver.requests) == 1
    assert other_receiver.requests == []
    request = receiver.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    # The signature verifies with the endpoint's secret, over the raw body.
    assert signing.verify(headers["fleetcare-signature"], endpoint.secret, request["body"])
    assert not signing.verify(headers["fleetcare-signature"], "whsec_wrong", request["body"])
    assert not signing.verify(
        headers["fleetcare-signature"], endpoint.secret, request["body"] + b" "
    )
    t = int(headers["fleetcare-signature"].split(",")[0].removeprefix("t="))
    assert abs(t - timezone.now().timestamp()) < 60
    body = json.loads(request["body"])
    assert body["type"] == "case.created" and body["data"] == {"case_id": 7}
    assert body["organisation_id"] == customer.pk
    assert headers["fleetcare-event"] == "case.created"
    log = WebhookDelivery.objects.get()
    assert (log.status, log.response_code, log.attempts) == (DeliveryStatus.SUCCEEDED, 200, 1)
    assert headers["fleetcare-delivery"] == str(log.event_id) == body["id"]


def test_an_event_not_subscribed_is_not_sent(
    django_capture_on_commit_callbacks, endpoint, receiver, customer
):
    _emit(django_capture_on_commit_callbacks, "case.solved", [customer.pk], {"case_id": 1})
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_nothing_is_sent_when_the_transaction_rolls_back(endpoint, receiver, customer):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("case.created", [customer.pk], {"case_id": 1})
        raise RuntimeError
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_retry_after_a_500_with_exponential_back_off(
    django_capture_on_commit_callbacks, endpoint, receiver, customer
):
    receiver.plan = [500, 503]
    _emit(django_capture_on_commit_callbacks, "case.created", [customer.pk], {"case_id": 7})
    log = WebhookDelivery.objects.get()
    assert (log.status, log.response_code, log.attempts) == (DeliveryStatus.RETRYING, 500, 1)
    assert log.next_attempt_at - log.last_attempt_at == timedelta(seconds=30)
    # Not due yet: the job sends nothing.
    assert run_job("webhooks.retry_due", now=timezone.now()) == {"delivered": 0, "failed": 0}
    # Due: the second attempt gets a 503, and waits twice as long.
    run_job("webhooks.retry_due", now=log.next_attempt_at + timedelta(seconds=1))
    log.refresh_from_db()
    assert (log.status, log.response_code, log.attempts) == (DeliveryStatus.RETRYING, 503, 2)
    assert log.next_attempt_at - log.last_attempt_at == timedelta(seconds=60)
    # Third time lucky.
    result = run_job("webhooks.retry_due", now=log.next_attempt_at + timedelta(seconds=1))
    assert result == {"delivered": 1, "failed": 0}
    log.refresh_from_db()
    assert (log.status, log.response_code, log.attempts) == (DeliveryStatus.SUCCEEDED, 200, 3)
    assert len(receiver.requests) == 3
    # The same event each time (one id), signed each time.
    ids = {json.loads(r["body"])["id"] for r in receiver.requests}
    assert ids == {str(log.event_id)}


def test_gives_up_after_the_last_attempt(
    django_capture_on_commit_callbacks, endpoint, receiver, customer
):
    receiver.plan = [500] * webhook_delivery.MAX_ATTEMPTS
    _emit(django_capture_on_commit_callbacks, "case.created", [customer.pk], {"case_id": 7})
    log = WebhookDelivery.objects.get()
    while log.status == DeliveryStatus.RETRYING:
        webhook_delivery.send_due(log.next_attempt_at + timedelta(seconds=1))
        log.refresh_from_db()
    assert log.status == DeliveryStatus.FAILED
    assert log.attempts == webhook_delivery.MAX_ATTEMPTS and log.next_attempt_at is None


def test_unreachable_receiver_is_logged_and_retried(
    django_capture_on_commit_callbacks, customer_user, customer
):
    services.create_endpoint(
        customer_user, customer, url="http://127.0.0.1:9/nothing", events=["case.created"]
    )
    _emit(django_capture_on_commit_callbacks, "case.created", [customer.pk], {"case_id": 7})
    log = WebhookDelivery.objects.get()
    assert log.status == DeliveryStatus.RETRYING and log.response_code is None
    assert log.last_error


def test_vendor_endpoints_receive_every_tenants_events(
    django_capture_on_commit_callbacks, vendor_user, vendor, receiver, customer
):
    admin = vendor_user("vendor_admin")
    services.create_endpoint(admin, vendor, url=receiver.url, events=["case.created"])
    _emit(django_capture_on_commit_callbacks, "case.created", [customer.pk], {"case_id": 7})
    assert len(receiver.requests) == 1


def test_send_again_button(
    client, django_capture_on_commit_callbacks, endpoint, receiver, customer, customer_user
):
    _emit(django_capture_on_commit_callbacks, "case.created", [customer.pk], {"case_id": 7})
    log = WebhookDelivery.objects.get()
    client.force_login(customer_user)
    page = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "Send again" in page and "case.created" in page and endpoint.secret in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:redeliver", args=[log.pk]))
    assert response.status_code == 302
    assert len(receiver.requests) == 2
    log.refresh_from_db()
    assert log.status == DeliveryStatus.SUCCEEDED and log.attempts == 2


def test_send_again_is_404_for_another_tenant(
    client, django_capture_on_commit_callbacks, endpoint, receiver, customer, other_customer_user
):
    _emit(django_capture_on_commit_callbacks, "case.created", [customer.pk], {"case_id": 7})
    log = WebhookDelivery.objects.get()
    client.force_login(other_customer_user)
    assert client.post(reverse("webhooks:redeliver", args=[log.pk])).status_code == 404
    assert client.get(reverse("webhooks:detail", args=[endpoint.pk])).status_code == 404
    assert len(receiver.requests) == 1


def test_portal_registers_an_endpoint(client, customer_user, receiver):
    client.force_login(customer_user)
    response = client.post(
        reverse("webhooks:list"), {"url": "not a url", "events": ["case.created"]}
    )
    assert response.status_code == 200 and "valid" in response.content.decode()
    response = client.post(
        reverse("webhooks:list"),
        {"url": receiver.url, "events": ["case.created", "import.finished"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert endpoint.organisation == customer_user.organisation
    assert endpoint.events == ["case.created", "import.finished"]


def test_api_manages_endpoints_and_reads_the_log(
    api_client,
    django_capture_on_commit_callbacks,
    customer_user,
    other_customer_user,
    customer,
    receiver,
):
    c = api_client.as_user(customer_user)
    assert "replacement.shipped" in {e["name"] for e in c.get("/api/v1/webhooks/events").json()}
    r = c.post("/api/v1/webhooks/endpoints", {"url": receiver.url, "events": ["nope"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "events"
    r = c.post("/api/v1/webhooks/endpoints", {"url": receiver.url, "events": ["case.created"]})
    assert r.status_code == 201
    created = r.json()
    assert created["secret"].startswith("whsec_") and created["organisation_id"] == customer.pk
    _emit(django_capture_on_commit_callbacks, "case.created", [customer.pk], {"case_id": 7})
    log = c.get(f"/api/v1/webhooks/endpoints/{created['id']}/deliveries").json()["items"]
    assert [(d["status"], d["response_code"], d["attempts"]) for d in log] == [
        ("succeeded", 200, 1)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/redeliver")
    assert r.status_code == 200
    assert WebhookDelivery.objects.get().attempts == 2 and len(receiver.requests) == 2
    r = c.patch(f"/api/v1/webhooks/endpoints/{created['id']}", {"active": False})
    assert r.json()["active"] is False
    other = api_client.as_user(other_customer_user)
    assert other.get(f"/api/v1/webhooks/endpoints/{created['id']}").status_code == 404
    assert other.get("/api/v1/webhooks/endpoints").json()["count"] == 0
    r = other.post(
        "/api/v1/webhooks/endpoints",
        {"url": receiver.url, "events": ["case.created"], "organisation_id": customer.pk},
    )
    assert r.status_code == 404
    assert c.delete(f"/api/v1/webhooks/endpoints/{created['id']}").status_code == 204


def test_end_user_may_not_register(api_client, customer, receiver):
    from tests.factories import UserFactory

    user = UserFactory(organisation=customer, role="end_user")
    r = api_client.as_user(user).post(
        "/api/v1/webhooks/endpoints", {"url": receiver.url, "events": ["case.created"]}
    )
    assert r.status_code == 403


def test_private_hosts_are_refused_in_production(customer_user, customer, settings):
    from django.core.exceptions import ValidationError

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(ValidationError) as exc:
        services.create_endpoint(
            customer_user, customer, url="https://127.0.0.1/hook", events=["case.created"]
        )
    assert "url" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.create_endpoint(
            customer_user, customer, url="http://example.com/hook", events=["case.created"]
        )
