"""Portal pages of the fleet and contracts: preview before import, errors as a table, tenancy."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fleetcare.fleet.models import Device, InventorySnapshot
from tests.factories import fleet_csv

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_import_preview_then_confirm(models, customer, customer_user):
    c = _client(customer_user)
    assert c.get("/fleet/import/").status_code == 200
    assert c.get("/fleet/import/template.csv").content.startswith(b"sku,serial_number")
    r = c.post(
        "/fleet/import/",
        {"file": SimpleUploadedFile("f.csv", fleet_csv({"CCX-500": 4})), "as_of": "2026-05-01"},
    )
    assert r.status_code == 200 and b"import-preview" in r.content
    assert Device.objects.count() == 0  # a preview changes nothing
    token = r.context["token"]
    done = c.post("/fleet/import/confirm/", {"token": token}, follow=True)
    assert done.status_code == 200 and Device.objects.count() == 4
    snap = InventorySnapshot.objects.get()
    assert done.redirect_chain[-1][0] == f"/fleet/imports/{snap.pk}/"
    again = c.post(
        "/fleet/import/",
        {"file": SimpleUploadedFile("f.csv", fleet_csv({"CCX-500": 4})), "as_of": "2026-05-01"},
    )
    assert b"already imported" in again.content


def test_bad_file_shows_every_bad_row_as_a_table(models, customer_user):
    c = _client(customer_user)
    r = c.post(
        "/fleet/import/",
        {"file": SimpleUploadedFile("f.csv", b"sku,first_seen\nNOPE,\nCCX-500,2026-99-01\n")},
    )
    assert r.status_code == 422 and b"import-errors" in r.content
    assert [(e["row"], e["column"]) for e in r.context["preview"].errors] == [
        (2, "sku"),
        (3, "first_seen"),
    ]


def test_device_pages_and_tenancy(
    models, customer, customer_user, other_customer_user, django_assert_max_num_queries
):
    c = _client(customer_user)
    c.post("/fleet/register/", {"product_model": models["video"].pk, "serial_number": "R1"})
    dev = Device.objects.get(serial_number="R1")
    page = c.get(f"/fleet/devices/{dev.pk}/")
    assert page.status_code == 200 and b"coverage-title" in page.content
    # The cases and replacements sections appear once, in the page, not in its <title>.
    html = page.content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<section" not in title and html.count('id="device-cases"') == 1
    for _i in range(30):
        Device.objects.create(
            account=customer,
            product_model=models["voice"],
            first_seen_on=dev.first_seen_on,
            last_seen_on=dev.first_seen_on,
        )
    with django_assert_max_num_queries(14):
        assert c.get("/fleet/").status_code == 200
    other = _client(other_customer_user)
    assert other.get(f"/fleet/devices/{dev.pk}/").status_code == 404
    snap = InventorySnapshot.objects.get()
    assert other.get(f"/fleet/imports/{snap.pk}/").status_code == 404
    assert other.get(f"/fleet/imports/{snap.pk}/progress/").status_code == 404


def test_contract_pages(models, customer, csm, customer_user, other_customer_user, distributor):
    c = _client(csm)
    page = c.get(f"/contracts/new/?account={customer.pk}&start_date=2026-01-01")
    assert page.status_code == 200
    r = c.post(
        "/contracts/new/",
        {
            "account": customer.pk,
            "start_date": "2026-01-01",
            "currency": "EUR",
            "distribution_partner": distributor.pk,
            "professional_services_discount": "0",
            "extra_csm_blocks": "0",
            "proration_basis": "",
            "cat-TOTAL_FORMS": "1",
            "cat-INITIAL_FORMS": "1",
            "cat-0-code": "video",
            "cat-0-include": "on",
            "cat-0-installed": "200",
            "cat-0-growth": "20",
            "cat-0-unit_price": "60.00",
        },
    )
    assert r.status_code == 302, r.content
    detail = c.get(r["Location"])
    assert detail.status_code == 200 and b"O-0" in detail.content
    pk = int(r["Location"].rstrip("/").split("/")[-1])
    assert _client(customer_user).get(f"/contracts/{pk}/").status_code == 200
    assert _client(other_customer_user).get(f"/contracts/{pk}/").status_code == 404
    assert _client(customer_user).get("/contracts/new/").status_code == 403
    assert c.get(f"/contracts/{pk}/renewal/").status_code == 200
