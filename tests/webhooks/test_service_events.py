"""The services announce their events: a partner's receiver follows its DaaS customer's
case and replacement (carrier, tracking) through the API; another tenant hears nothing."""

from __future__ import annotations

import json
from decimal import Decimal

from django.utils import timezone

from fleetcare.organisations.models import ApiToken
from fleetcare.webhooks import events, services
from tests.factories import CategoryFactory, ProductModelFactory, SiteFactory


def test_case_and_replacement_events_reach_only_their_tenants(
    client,
    django_capture_on_commit_callbacks,
    partner_user,
    partner,
    daas_customer,
    other_customer,
    other_customer_user,
    vendor_user,
    receiver,
    other_receiver,
):
    model = ProductModelFactory(
        sku="CCX-500",
        category=CategoryFactory(code="voice"),
        list_price=Decimal("599.00"),
        daas_monthly_price=Decimal("35.00"),
    )
    services.create_endpoint(partner_user, partner, url=receiver.url, events=list(events.EVENTS))
    services.create_endpoint(
        other_customer_user, other_customer, url=other_receiver.url, events=list(events.EVENTS)
    )
    SiteFactory(organisation=other_customer)

    def call(user, path, body):
        _, raw = ApiToken.issue(user, "t")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                path,
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {raw}"},
            )
        assert response.status_code in (200, 201), response.content
        return response.json()

    site = daas_customer.sites.first()
    sub = call(
        partner_user,
        "/api/v1/daas/subscriptions",
        {
            "customer_id": daas_customer.pk,
            "site_id": site.pk,
            "items": [{"sku": "CCX-500", "quantity": 1}],
        },
    )
    today = timezone.localdate().isoformat()
    call(
        partner_user, f"/api/v1/daas/subscriptions/{sub['id']}/deliveries", {"delivered_on": today}
    )
    case = call(
        partner_user,
        "/api/v1/cases",
        {
            "account_id": daas_customer.pk,
            "product_model_id": model.pk,
            "severity": "S2",
            "subject": "Dead",
            "description": "No power.",
        },
    )
    order = call(
        partner_user,
        "/api/v1/replacements",
        {
            "case_id": case["id"],
            "cause": "hardware_fault",
            "delivery_site_id": site.pk,
            "product_model_id": model.pk,
        },
    )
    call(vendor_user("support_agent"), f"/api/v1/replacements/{order['id']}/approve", {})
    ops = vendor_user("service_operations")
    call(
        ops,
        f"/api/v1/replacements/{order['id']}/ship",
        {"carrier": "Purolator", "tracking_number": "PUR123"},
    )
    call(ops, f"/api/v1/replacements/{order['id']}/deliver", {"delivered_on": today})

    received = [json.loads(r["body"]) for r in receiver.requests]
    assert [b["type"] for b in received] == [
        "case.created",
        "replacement.approved",
        "replacement.shipped",
        "replacement.delivered",
    ]
    shipped = received[2]["data"]
    assert (shipped["carrier"], shipped["tracking_number"]) == ("Purolator", "PUR123")
    assert received[3]["data"]["return_due"] is not None
    assert all(b["organisation_id"] == partner.pk for b in received)
    assert other_receiver.requests == []
