"""A partner onboards a new DaaS customer through the API alone (issue: "do the whole job
through the API"): customer, site, subscription, delivery, a case, a replacement to the
new site. The README's API section walks through the same calls."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from fleetcare.core.models import ChangeLogEntry
from fleetcare.organisations.models import ApiToken
from tests.factories import CategoryFactory, ProductModelFactory


def test_r_ds_2_partner_onboards_a_daas_customer_end_to_end_through_the_api(
    client, partner_user, partner
):
    model = ProductModelFactory(
        sku="CCX-500",
        name="CCX 500",
        category=CategoryFactory(code="voice"),
        list_price=Decimal("599.00"),
        daas_monthly_price=Decimal("35.00"),
    )
    _, raw = ApiToken.issue(partner_user, "psa")
    headers = {"Authorization": f"Bearer {raw}"}

    def post(path, body):
        return client.post(path, body, content_type="application/json", headers=headers)

    def get(path):
        return client.get(path, headers=headers)

    # 1. The customer, then its site.
    r = post(
        "/api/v1/organisations",
        {"name": "Fabrikam Inc", "country": "CA", "currency": "CAD", "language": "fr"},
    )
    assert r.status_code == 201, r.content
    customer_id = r.json()["id"]
    r = post(
        "/api/v1/sites",
        {
            "organisation_id": customer_id,
            "name": "Vancouver",
            "country": "CA",
            "subdivision": "BC",
            "city": "Vancouver",
            "time_zone": "America/Vancouver",
        },
    )
    assert r.status_code == 201, r.content
    site_id = r.json()["id"]
    assert [s["id"] for s in get(f"/api/v1/organisations/{customer_id}/sites").json()["items"]] == [
        site_id
    ]

    # 2. The subscription, then the distributor's delivery (each device's term starts).
    r = post(
        "/api/v1/daas/subscriptions",
        {
            "customer_id": customer_id,
            "site_id": site_id,
            "items": [{"sku": "CCX-500", "quantity": 2, "extended_cover": True}],
        },
    )
    assert r.status_code == 201, r.content
    subscription = r.json()
    today = timezone.localdate()
    r = post(
        f"/api/v1/daas/subscriptions/{subscription['id']}/deliveries",
        {"delivered_on": today.isoformat()},
    )
    assert r.status_code == 200, r.content
    devices = r.json()
    assert len(devices) == 2 and all(d["term_start"] == today.isoformat() for d in devices)

    # 3. A case for one of the devices: entitled by the DaaS term.
    r = post(
        "/api/v1/cases",
        {
            "account_id": customer_id,
            "product_model_id": model.pk,
            "severity": "S2",
            "subject": "Handset dead",
            "description": "Does not power on after a drop.",
        },
    )
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["entitlement"] == "per_device"

    # 4. A replacement shipped to the new site.
    r = post(
        "/api/v1/replacements",
        {
            "case_id": case["id"],
            "cause": "hardware_fault",
            "delivery_site_id": site_id,
            "product_model_id": model.pk,
            "fault_description": "No power.",
        },
    )
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["delivery_site_id"] == site_id and order["status"] == "requested"

    # Everything was recorded, by the partner's token user.
    actions = set(
        ChangeLogEntry.objects.filter(actor=partner_user).values_list("action", flat=True)
    )
    assert {"organisation.created", "partner_customer.linked", "site.created"} <= actions
