"""R-PE-1..8: contract creation, adjustment life cycle, renewal, the month-end job, tenancy."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fleetcare.contracts import services
from fleetcare.contracts.models import Adjustment, EnterpriseContract
from fleetcare.core.jobs import autodiscover, run_job
from tests.factories import api, d, fleet_csv, upload

pytestmark = pytest.mark.django_db


def _create(client, customer, distributor=None, **over):
    body = {
        "account_id": customer.pk,
        "start_date": "2026-01-01",
        "categories": [
            {"category": "video", "installed": 200, "growth": 20, "unit_price": "60.00"}
        ],
    }
    if distributor is not None:
        body["distribution_partner_id"] = distributor.pk
    body.update(over)
    return client.post("/api/v1/contracts/enterprise", body, content_type="application/json")


@pytest.fixture
def history(models, admin_api):
    for month_end, n in [("2025-10-31", 180), ("2025-11-30", 186), ("2025-12-31", 200)]:
        upload(admin_api, fleet_csv({"STUDIO-X50": n, "ITP-1": 2, "VVX-300": 3}), as_of=month_end)


def test_proposal_installed_from_fleet_growth_from_forecast_and_quote_only_listed(
    history, customer, csm
):
    p = (
        api(csm)
        .get(
            f"/api/v1/contracts/enterprise/proposal?account_id={customer.pk}&start_date=2026-01-01"
        )
        .json()
    )
    video = p["categories"][0]
    assert video["code"] == "video" and video["installed"] == 200
    assert (
        video["method"] == "linear_trend"
        and video["growth"] > 0
        and video["growth_low"] <= video["growth"]
    )
    assert Decimal(video["unit_price"]) == Decimal("60.00")
    assert p["quote_only"] == [{"sku": "ITP-1", "name": "Immersive Room", "count": 2}]
    assert p["end_of_support"][0]["sku"] == "VVX-300"
    assert p["end_date"] == "2026-12-31"


def test_r_pe_2_3_creation_defaults_to_a_12_month_term_and_issues_the_upfront_order(
    models, customer, csm, distributor
):
    r = _create(
        api(csm),
        customer,
        distributor,
        extra_csm_blocks=2,
        onsite_destruction=True,
        professional_services_discount="15",
    )
    assert r.status_code == 201, r.content
    c = r.json()
    assert c["end_date"] == "2026-12-31" and c["status"] == "active"
    assert c["upfront_order_number"].startswith("O-")
    assert c["categories"][0]["baseline_history"][0]["effective_from"] == "2026-01-01"


@pytest.mark.parametrize(
    "override, field",
    [
        (
            {
                "categories": [
                    {
                        "category": "immersive_telepresence",
                        "installed": 1,
                        "growth": 0,
                        "unit_price": "1",
                    }
                ]
            },
            "categories",
        ),
        ({"categories": []}, "categories"),
        ({"end_date": "2025-12-01"}, "end_date"),
    ],
)
def test_creation_refuses_bad_input_with_the_field(models, customer, csm, override, field):
    r = _create(api(csm), customer, **override)
    assert r.status_code == 422 and field in r.json()["detail"]
    assert not EnterpriseContract.objects.exists()


def test_overlapping_contract_is_refused(models, customer, csm):
    assert _create(api(csm), customer).status_code == 201
    r = _create(api(csm), customer, start_date="2026-06-01")
    assert r.status_code == 422 and "active contract" in r.json()["detail"]


def test_only_a_csm_creates_and_other_tenants_get_404(
    models, customer, customer_user, other_customer_user, csm, distributor, distributor_user
):
    assert _create(api(customer_user), customer).status_code == 403
    c = _create(api(csm), customer, distributor).json()
    assert api(customer_user).get(f"/api/v1/contracts/enterprise/{c['id']}").status_code == 200
    assert (
        api(other_customer_user).get(f"/api/v1/contracts/enterprise/{c['id']}").status_code == 404
    )
    assert (
        api(other_customer_user)
        .get(f"/api/v1/contracts/enterprise/{c['id']}/upfront-order.pdf")
        .status_code
        == 404
    )
    assert api(distributor_user).get(f"/api/v1/contracts/enterprise/{c['id']}").status_code == 200


@pytest.fixture
def due(models, admin_api, customer, csm, distributor):
    upload(admin_api, fleet_csv({"STUDIO-X50": 231}), as_of="2026-06-30")
    c = _create(api(csm), customer, distributor).json()
    return EnterpriseContract.objects.get(pk=c["id"])


def test_month_end_job_is_idempotent(due):
    autodiscover()
    first = run_job("contracts.month_end_adjustments", timezone.make_aware(datetime(2026, 7, 1, 2)))
    again = run_job("contracts.month_end_adjustments", timezone.make_aware(datetime(2026, 7, 1, 3)))
    assert first["opened"] == 1 and again["opened"] == 0
    # The next month-end finds the adjustment still open: nothing new either.
    assert (
        run_job("contracts.month_end_adjustments", timezone.make_aware(datetime(2026, 8, 1, 2)))[
            "opened"
        ]
        == 0
    )
    assert Adjustment.objects.get().month == d("2026-07-01")


def test_each_step_is_refused_when_out_of_order(due, csm, customer_user, other_customer_user):
    adj = services.detect_adjustments(d("2026-07-01"))[0]
    client = api(csm)
    base = f"/api/v1/contracts/adjustments/{adj.pk}"
    r = client.post(
        f"{base}/purchase-order", {"purchase_order_number": "X"}, content_type="application/json"
    )
    assert r.status_code == 422 and "must be quoted" in r.json()["detail"]
    assert api(customer_user).post(f"{base}/quote").status_code == 403
    assert api(other_customer_user).get(base).status_code == 404
    assert client.post(f"{base}/quote").status_code == 200
    assert client.post(f"{base}/quote").status_code == 422
    r = client.post(
        f"{base}/purchase-order", {"purchase_order_number": " "}, content_type="application/json"
    )
    assert r.status_code == 422
    cancelled = client.post(
        f"{base}/cancel", {"reason": "customer declined"}, content_type="application/json"
    ).json()
    assert cancelled["status"] == "cancelled"
    from fleetcare.billing.models import Document

    assert Document.objects.get(pk=cancelled["quote_id"]).status == "void"
    assert client.post(f"{base}/apply").status_code == 422
    # A cancelled adjustment lets the month-end check open a fresh one.
    assert len(services.detect_adjustments(d("2026-07-01"))) == 1


def test_quote_needs_a_distribution_partner(models, admin_api, customer, csm):
    upload(admin_api, fleet_csv({"STUDIO-X50": 231}), as_of="2026-06-30")
    _create(api(csm), customer)
    adj = services.detect_adjustments(d("2026-07-01"))[0]
    r = api(csm).post(f"/api/v1/contracts/adjustments/{adj.pk}/quote")
    assert r.status_code == 422 and "distribution partner" in r.json()["detail"]


def test_r_pe_6_renewal_quote_then_accept_starts_the_new_term(due, csm, admin_api):
    upload(admin_api, fleet_csv({"STUDIO-X50": 240}), as_of="2026-11-15")
    client = api(csm)
    prop = client.get(
        f"/api/v1/contracts/enterprise/{due.pk}/renewal-proposal?on=2026-11-20"
    ).json()
    assert prop[0]["count"] == 240
    nxt = client.post(
        f"/api/v1/contracts/enterprise/{due.pk}/renewal-quote",
        {
            "categories": [
                {"category": "video", "installed": 240, "growth": 10, "unit_price": "62.00"}
            ]
        },
        content_type="application/json",
    ).json()
    assert nxt["status"] == "draft" and nxt["previous_id"] == due.pk
    assert (nxt["start_date"], nxt["end_date"]) == ("2027-01-01", "2027-12-31")
    assert nxt["renewal_quote_number"].startswith("Q-") and nxt["upfront_order_id"] is None
    assert client.get(
        f"/api/v1/contracts/enterprise/{nxt['id']}/renewal-quote.pdf"
    ).content.startswith(b"%PDF")
    again = client.post(
        f"/api/v1/contracts/enterprise/{due.pk}/renewal-quote", {}, content_type="application/json"
    )
    assert again.status_code == 422
    accepted = client.post(f"/api/v1/contracts/enterprise/{nxt['id']}/accept-renewal").json()
    assert accepted["status"] == "active" and accepted["upfront_order_number"]
    assert accepted["categories"][0]["ordered"] == 250
    due.refresh_from_db()
    assert due.status == "renewed"
    # The old term still covers until its end.
    assert EnterpriseContract.objects.in_force(d("2026-12-15")).get() == due


def test_proposal_page_explains_the_forecast_in_the_readers_language(
    history, customer, csm, client
):
    raw = (
        api(csm)
        .get(
            f"/api/v1/contracts/enterprise/proposal?account_id={customer.pk}&start_date=2026-01-01"
        )
        .json()["categories"][0]["explanation"]
    )
    assert raw.startswith("Linear trend over 3 months")  # the rule's own text, in the API
    client.force_login(csm)
    url = f"{reverse('contracts:new')}?account={customer.pk}&start_date=2026-01-01"
    assert "Linear trend over 3 months: +" in client.get(url).content.decode()
    client.cookies["django_language"] = "fr"
    page = client.get(url).content.decode()
    assert "Tendance linéaire sur 3 mois : +" in page and "Linear trend" not in page
