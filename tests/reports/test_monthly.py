"""R-PE-4: the monthly report from snapshot history, its API, CLI, exports, chart and pages."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from fleetcare.contracts import services as contract_services
from tests.factories import OrganisationFactory, UserFactory, api, d, fleet_csv, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(models, admin_api, customer, csm):
    upload(admin_api, fleet_csv({"STUDIO-X50": 200, "ITP-1": 2, "VVX-300": 4}), as_of="2025-12-31")
    upload(
        admin_api,
        fleet_csv({"STUDIO-X50": 231, "ITP-1": 2, "VVX-300": 4, "CCX-500": 7}),
        as_of="2026-06-30",
    )
    return contract_services.create_contract(
        actor=csm,
        account=customer,
        start_date=d("2026-01-01"),
        categories=[contract_services.CategoryInput("video", 200, 20, Decimal("60"))],
    )


def test_r_pe_4_report_rows_and_devices_not_counted(contract, customer, csm):
    body = api(csm).get(f"/api/v1/reports/monthly?month=2026-06&account={customer.pk}").json()
    rows = {r["category"]: r for r in body["rows"]}
    assert rows["video"]["status"] == "adjustment_due" and rows["video"]["baseline_shown"] == 231
    assert rows["voice"] == {**rows["voice"], "count": 7, "status": "no_contract", "ordered": None}
    reasons = {(n["sku"], n["reason"], n["count"]) for n in body["not_counted"]}
    assert reasons == {("ITP-1", "quote_only", 2), ("VVX-300", "end_of_support", 4)}
    assert api(csm).get("/api/v1/reports/monthly?month=2026-13").status_code == 422


def test_customer_sees_only_its_own_accounts(
    contract, customer, customer_user, other_customer, other_customer_user, distributor_user
):
    mine = api(customer_user).get("/api/v1/reports/monthly?month=2026-06").json()
    assert {r["account_id"] for r in mine["rows"]} == {customer.pk}
    assert (
        api(other_customer_user)
        .get(f"/api/v1/reports/monthly?month=2026-06&account={customer.pk}")
        .status_code
        == 404
    )
    assert (
        api(other_customer_user).get("/api/v1/reports/monthly?month=2026-06").json()["rows"] == []
    )
    assert api(distributor_user).get("/api/v1/reports/monthly?month=2026-06").status_code == 403


def test_report_api_and_page_cost_constant_queries(
    contract, csm, django_assert_max_num_queries, models
):
    client = api(csm)
    with django_assert_max_num_queries(10):
        client.get("/api/v1/reports/monthly?month=2026-06")
    for i in range(15):
        admin = UserFactory(organisation=OrganisationFactory())
        upload(api(admin), fleet_csv({"STUDIO-X50": 3 + i, "CCX-500": i + 1}), as_of="2026-06-15")
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/reports/monthly?month=2026-06").json()
    assert len(body["rows"]) >= 31
    page = Client()
    page.force_login(csm)
    with django_assert_max_num_queries(16):
        assert page.get("/reports/monthly/?month=2026-06").status_code == 200


def test_cli_report_formats(contract, customer, vendor_user, capsys):
    vendor_user("vendor_admin")
    call_command(
        "report", "monthly", "--month", "2026-06", "--account", str(customer.pk), "--format", "json"
    )
    data = json.loads(capsys.readouterr().out)
    assert data["rows"][0]["status"] == "adjustment_due"
    call_command("report", "monthly", "--month", "2026-06", "--format", "csv")
    assert "STUDIO" not in capsys.readouterr().out.splitlines()[0]
    call_command("report", "monthly", "--month", "2026-06")
    out = capsys.readouterr().out
    assert "adjustment_due" in out and "231.00 (231)" in out


def test_portal_report_exports_and_chart(contract, customer, customer_user, other_customer_user):
    c = Client()
    c.force_login(customer_user)
    page = c.get("/reports/monthly/?month=2026-06")
    assert page.status_code == 200 and b"report-chart" in page.content
    assert c.get("/reports/monthly/export.csv?month=2026-06").content.startswith(b"month,")
    assert c.get("/reports/monthly/export.xlsx?month=2026-06").content[:2] == b"PK"
    assert c.get("/reports/monthly/export.pdf?month=2026-06").content.startswith(b"%PDF")
    svg = c.get(f"/reports/chart/{contract.pk}.svg?month=2026-06")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    other = Client()
    other.force_login(other_customer_user)
    assert other.get(f"/reports/chart/{contract.pk}.svg").status_code == 404


def test_r_pe_4_exports_typed_one_table_per_csv_and_formula_safe(contract, customer, csm):
    from openpyxl import load_workbook

    customer.name = '=HYPERLINK("http://evil.example","Acme")'
    customer.save(update_fields=["name"])
    c = Client()
    c.force_login(csm)
    q = f"?month=2026-06&account={customer.pk}"
    text = c.get("/reports/monthly/export.csv" + q).content.decode()
    lines = text.splitlines()
    assert lines[0].startswith("month,account_number,account,")
    assert all(line for line in lines) and "not_counted" not in text  # one table
    assert "'=HYPERLINK" in text and ',"=HYPERLINK' not in text
    nc = c.get("/reports/monthly/export.not-counted.csv" + q).content.decode().splitlines()
    assert nc[0] == "month,account_number,account,sku,model,count,reason"
    assert len(nc) == 3 and "'=HYPERLINK" in nc[1]
    api_csv = api(csm).get("/api/v1/reports/monthly.csv" + q)
    assert api_csv.status_code == 200 and api_csv.content.decode() == text
    assert api(csm).get("/api/v1/reports/monthly/not-counted.csv" + q).status_code == 200

    body = api(csm).get("/api/v1/reports/monthly.xlsx" + q).content
    wb = load_workbook(io.BytesIO(body))
    ws = wb["2026-06"]
    header = [cell.value for cell in ws[1]]
    video = next(
        row for row in ws.iter_rows(min_row=2) if row[header.index("category")].value == "video"
    )
    cell = {h: video[i] for i, h in enumerate(header)}
    assert cell["month"].is_date
    assert cell["baseline"].data_type == "n" and cell["baseline"].value == pytest.approx(231.0)
    assert cell["increase_pct"].data_type == "n"
    assert cell["count"].value == 231
    assert cell["account"].data_type == "s" and cell["account"].value.startswith("'=")
    assert [c.value for c in wb["not counted"][1]][0] == "month"
