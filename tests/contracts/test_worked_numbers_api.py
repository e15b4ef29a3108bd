"""SPEC §11 through the API, end to end: import → contract → snapshots → monthly report →
adjustment (monthly and daily proration) → quote PDF → purchase order → applied."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fleetcare.fleet.models import Device
from tests.factories import api, fleet_csv, upload, video_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(customer, customer_user, vendor_user, distributor):
    model = video_model(sku="STUDIO-X50")
    csm = vendor_user("csm")
    return {
        "model": model,
        "csm": api(csm),
        "customer": api(customer_user),
        "account": customer,
        "distributor": distributor,
    }


def _contract(s, basis=""):
    r = s["csm"].post(
        "/api/v1/contracts/enterprise",
        {
            "account_id": s["account"].pk,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "categories": [
                {"category": "video", "installed": 200, "growth": 20, "unit_price": "60.00"}
            ],
            "distribution_partner_id": s["distributor"].pk,
            "proration_basis": basis,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    return r.json()


@pytest.mark.parametrize(
    "basis, amount, fraction",
    [
        ("monthly", "330.00", "0.50000000"),
        ("daily", "332.71", "0.50410959"),
    ],
)
def test_spec_11_end_to_end(setup, basis, amount, fraction):
    s = setup
    # History: 200 video devices at term start.
    r = upload(s["customer"], fleet_csv({"STUDIO-X50": 200}), as_of="2025-12-31")
    assert r.status_code == 201, r.content
    proposal = (
        s["csm"]
        .get(
            f"/api/v1/contracts/enterprise/proposal?account_id={s['account'].pk}&start_date=2026-01-01"
        )
        .json()
    )
    assert proposal["categories"][0]["installed"] == 200

    c = _contract(s, basis)
    video = c["categories"][0]
    assert (video["ordered"], Decimal(video["baseline"]), video["baseline_shown"]) == (
        220,
        Decimal("231"),
        231,
    )
    assert Decimal(c["upfront_total"]) > 0
    order = s["csm"].get(f"/api/v1/contracts/enterprise/{c['id']}/upfront-order.pdf")
    assert order.status_code == 200 and order.content.startswith(b"%PDF")
    from fleetcare.billing.models import Document

    doc = Document.objects.get(pk=c["upfront_order_id"])
    assert doc.subtotal == Decimal("12600.00") and doc.number

    # Snapshots during the term.
    assert (
        upload(s["customer"], fleet_csv({"STUDIO-X50": 210}), as_of="2026-03-31").status_code == 201
    )
    assert (
        upload(s["customer"], fleet_csv({"STUDIO-X50": 231}), as_of="2026-06-30").status_code == 201
    )
    assert Device.objects.filter(account=s["account"]).count() == 231

    may = s["csm"].get(f"/api/v1/reports/monthly?month=2026-05&account={s['account'].pk}").json()
    assert may["rows"][0]["count"] == 210 and may["rows"][0]["status"] == "within"
    june = s["csm"].get(f"/api/v1/reports/monthly?month=2026-06&account={s['account'].pk}").json()
    row = june["rows"][0]
    assert (row["count"], row["ordered"], row["baseline_shown"], row["status"]) == (
        231,
        220,
        231,
        "adjustment_due",
    )
    assert Decimal(row["increase_pct"]) == Decimal("5.00")

    # The month-end check in July opens the adjustment.
    opened = (
        s["csm"]
        .post(
            "/api/v1/contracts/adjustments/detect",
            {"on": "2026-07-01"},
            content_type="application/json",
        )
        .json()
    )
    assert len(opened) == 1
    adj = opened[0]
    assert (adj["month"], adj["added"], adj["new_ordered"]) == ("2026-07-01", 11, 231)
    assert Decimal(adj["new_baseline"]) == Decimal("242.55") and adj["new_baseline_shown"] == 243
    assert Decimal(adj["amount"]) == Decimal(amount) and Decimal(adj["fraction"]) == Decimal(
        fraction
    )
    # Idempotent.
    assert (
        s["csm"]
        .post(
            "/api/v1/contracts/adjustments/detect",
            {"on": "2026-07-01"},
            content_type="application/json",
        )
        .json()
        == []
    )

    base = f"/api/v1/contracts/adjustments/{adj['id']}"
    refused = s["csm"].post(f"{base}/apply")
    assert refused.status_code == 422 and "detected" in refused.json()["detail"]
    quoted = s["csm"].post(f"{base}/quote").json()
    assert quoted["status"] == "quoted" and quoted["quote_number"].startswith("Q-")
    quote_doc = Document.objects.get(pk=quoted["quote_id"])
    assert quote_doc.addressed_to == s["distributor"] and quote_doc.subtotal == Decimal(amount)
    pdf = s["csm"].get(f"{base}/quote.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    s["csm"].post(
        f"{base}/purchase-order",
        {"purchase_order_number": "PO-77"},
        content_type="application/json",
    )
    applied = s["csm"].post(f"{base}/apply").json()
    assert applied["status"] == "applied"

    july = s["csm"].get(f"/api/v1/reports/monthly?month=2026-07&account={s['account'].pk}").json()
    assert (july["rows"][0]["ordered"], july["rows"][0]["baseline_shown"]) == (231, 243)
    june_again = (
        s["csm"].get(f"/api/v1/reports/monthly?month=2026-06&account={s['account'].pk}").json()
    )
    assert june_again["rows"][0]["ordered"] == 220  # history kept: in force from July only
