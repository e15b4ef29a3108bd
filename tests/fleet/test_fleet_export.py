"""Fleet export (R-FLT-2, R-FLT-4): the devices of the list in the import's own columns, CSV
and XLSX, streamed; re-imported in either mode it gives the same fleet and changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from fleetcare.fleet.models import Device
from fleetcare.organisations.models import Site
from tests.factories import api

pytestmark = pytest.mark.django_db


def _fleet(customer, models) -> None:
    site = Site.objects.get(organisation=customer, name="Paris HQ")
    voice, video = models["voice"], models["video"]
    rows = [
        (voice, "S-1", site, "1.2", date(2025, 3, 1)),
        (voice, "-123", None, "", date(2025, 4, 1)),  # a spreadsheet would read a formula
        (voice, "=HYPERLINK(1)", None, "+7", date(2025, 4, 2)),
        (voice, None, site, "2.0", date(2025, 5, 1)),
        (voice, None, site, "2.1", date(2025, 5, 2)),
        (video, None, None, "", date(2025, 6, 1)),
        (video, "007", None, "3", date(2025, 6, 2)),
    ]
    for model, serial, st, fw, first in rows:
        Device.objects.create(
            account=customer,
            product_model=model,
            serial_number=serial,
            site=st,
            firmware_version=fw,
            first_seen_on=first,
            last_seen_on=date(2026, 1, 31),
        )
    Device.objects.create(
        account=customer,
        product_model=voice,
        serial_number="GONE",
        first_seen_on=date(2024, 1, 1),
        last_seen_on=date(2024, 1, 1),
        status="retired",
    )


def _state(account) -> list[tuple]:
    return list(
        Device.objects.filter(account=account)
        .order_by("id")
        .values_list(
            "id",
            "product_model_id",
            "serial_number",
            "site_id",
            "firmware_version",
            "first_seen_on",
            "status",
        )
    )


def _portal(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_r_flt_2_export_csv_in_the_import_columns(models, customer, customer_user):
    _fleet(customer, models)
    r = _portal(customer_user).get("/fleet/export/?format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.streaming  # streamed, never built whole
    rows = list(csv.reader(io.StringIO(_body(r).decode())))
    assert rows[0] == ["sku", "serial_number", "site", "firmware_version", "first_seen"]
    assert len(rows) == 8  # active devices only: the retired one is not in the inventory
    assert ["CCX-500", "'-123", "", "", "2025-04-01"] in rows  # neutralised
    assert ["CCX-500", "'=HYPERLINK(1)", "", "'+7", "2025-04-02"] in rows
    assert ["CCX-500", "S-1", "Paris HQ", "1.2", "2025-03-01"] in rows


def test_r_flt_2_export_takes_the_device_list_filters(models, customer, customer_user):
    _fleet(customer, models)
    c = _portal(customer_user)
    video = _body(c.get("/fleet/export/?category=video&format=csv")).decode().splitlines()
    assert len(video) == 3 and all(line.startswith("STUDIO-X50") for line in video[1:])
    by_api = api(customer_user).get("/api/v1/fleet/devices/export?format=csv&category=video")
    assert by_api.status_code == 200 and _body(by_api).decode().splitlines() == video
    retired = _body(c.get("/fleet/export/?status=retired")).decode()
    assert "GONE" in retired and "S-1" not in retired
    bad = api(customer_user).get("/api/v1/fleet/devices/export?format=pdf")
    assert bad.status_code == 422


def test_r_flt_2_export_shows_only_what_the_person_sees(
    models, customer, other_customer, other_customer_user, vendor_user
):
    _fleet(customer, models)
    theirs = _body(_portal(other_customer_user).get("/fleet/export/")).decode().splitlines()
    assert theirs == ["sku,serial_number,site,firmware_version,first_seen"]
    staff = _body(_portal(vendor_user("vendor_admin")).get("/fleet/export/")).decode()
    header, first = staff.splitlines()[:2]
    assert header.startswith("account,sku,") and first.startswith(customer.account_number)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_r_flt_4_export_reimported_in_both_modes_changes_nothing(
    models, customer, customer_user, fmt
):
    _fleet(customer, models)
    c = api(customer_user)
    before = _state(customer)
    r = c.get(f"/api/v1/fleet/devices/export?format={fmt}")
    assert r.status_code == 200
    content = b"".join(r.streaming_content) if r.streaming else r.getvalue()
    if fmt == "xlsx":
        ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        assert next(ws.iter_rows(values_only=True))[:2] == ("sku", "serial_number")
    for mode in ("add", "full"):
        upload = SimpleUploadedFile(f"fleet.{fmt}", content)
        done = c.post("/api/v1/fleet/imports", {"file": upload, "mode": mode})
        assert done.status_code == 201, done.content
        snap = done.json()["snapshots"][0]
        assert (snap["created_devices"], snap["updated_devices"], snap["retired_devices"]) == (
            0,
            7,
            0,
        ), mode
        assert _state(customer) == before, mode
        again = c.post(
            "/api/v1/fleet/imports", {"file": SimpleUploadedFile(f"f.{fmt}", content), "mode": mode}
        )
        assert again.status_code == 200 and again.json()["duplicate"] is True
    if fmt == "csv":  # and the export of the re-imported fleet is the same file
        assert _body(c.get("/api/v1/fleet/devices/export?format=csv")) == content
