"""R-FLT-4: the first 1,000 problems listed with the total, every problem in a downloadable
error report (CSV, the reader's language, values cut short), same tenant only."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fleetcare.fleet import services
from fleetcare.fleet.models import Device, ErrorReport, InventorySnapshot
from tests.factories import api, csv_bytes, upload

pytestmark = pytest.mark.django_db

BAD = 1205


def _bad_file() -> bytes:
    rows = [{"sku": f"NOPE-{i}"} for i in range(BAD - 1)]
    rows.append({"sku": "CCX-500", "serial_number": "X" * 300})  # too long, echoed cut short
    return csv_bytes(rows)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_r_flt_4_api_lists_1000_problems_with_the_total_and_the_report(
    models, admin_api, customer_user, other_customer_user
):
    r = upload(admin_api, _bad_file(), as_of="2026-01-31")
    assert r.status_code == 422
    problem = r.json()
    assert len(problem["errors"]) == 1000 and problem["error_count"] == BAD
    assert problem["errors"][0] == {
        "row": 2,
        "column": "sku",
        "code": "unknown_sku",
        "params": {},
        "reason": "unknown SKU",
        "value": "NOPE-0",
    }
    url = problem["error_report"]
    rows = _csv(api(customer_user).get(url))
    assert rows[0] == ["row", "column", "code", "message", "value"]
    assert len(rows) == BAD + 1
    last = rows[-1]
    assert last[:4] == [str(BAD + 1), "serial_number", "too_long", "longer than 64 characters"]
    assert last[4] == "X" * 100 + "…"  # cut short
    assert api(other_customer_user).get(url).status_code == 404
    assert Device.objects.count() == 0


def test_i14_error_report_and_reasons_in_the_readers_language(models, admin_api, customer_user):
    url = upload(admin_api, _bad_file(), as_of="2026-01-31").json()["error_report"]
    fr = api(customer_user).get(url, HTTP_ACCEPT_LANGUAGE="fr")
    rows = _csv(fr)
    assert rows[1][3] == "SKU inconnu"
    assert rows[-1][3] == "plus de 64 caractères"
    again = admin_api.post(
        "/api/v1/fleet/imports",
        {"file": SimpleUploadedFile("bad.csv", _bad_file())},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert again.json()["errors"][0]["reason"] == "SKU inconnu"
    assert "refusé" in again.json()["detail"]


def test_r_flt_4_portal_lists_1000_and_links_the_report(
    models, customer, customer_user, other_customer_user
):
    c = Client()
    c.force_login(customer_user)
    r = c.post(
        "/fleet/import/",
        {"file": SimpleUploadedFile("bad.csv", _bad_file()), "as_of": "2026-01-31"},
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert page.count("<tr><td>") == 1000
    assert f"The first 1,000 problems are listed, of {BAD:,}." in page
    report = ErrorReport.objects.get()
    assert report.total == BAD and report.account == customer
    assert f'href="/fleet/import/errors/{report.pk}.csv"' in page
    assert len(_csv(c.get(f"/fleet/import/errors/{report.pk}.csv"))) == BAD + 1
    other = Client()
    other.force_login(other_customer_user)
    assert other.get(f"/fleet/import/errors/{report.pk}.csv").status_code == 404


def test_r_flt_4_background_failure_keeps_codes_and_the_report(
    models, admin_api, customer_user, monkeypatch
):
    monkeypatch.setattr(services.imports, "ASYNC_THRESHOLD", 5)
    r = upload(admin_api, _bad_file(), as_of="2026-01-31")
    assert r.status_code == 422 and r.json()["error_count"] == BAD
    snap = InventorySnapshot.objects.get(status="failed")
    assert len(snap.errors) == 1000 and snap.error_count == BAD
    assert set(snap.errors[0]) == {"row", "column", "code", "params", "value"}  # no sentence
    assert snap.error_report.total == BAD
    shown = api(customer_user).get(f"/api/v1/fleet/imports/{snap.pk}").json()
    assert shown["error_report"] == f"/api/v1/fleet/imports/errors/{snap.error_report.pk}.csv"
    customer_user.language = "fr"  # the reader's language, not the uploader's
    customer_user.save(update_fields=["language"])
    c = Client()
    c.force_login(customer_user)
    detail = c.get(f"/fleet/imports/{snap.pk}/").content.decode()
    assert "SKU inconnu" in detail and "unknown SKU" not in detail


def test_r_flt_4_old_error_reports_are_deleted(models, admin_api, settings):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from fleetcare.fleet.jobs import old_error_reports

    upload(admin_api, _bad_file(), as_of="2026-01-31")
    report = ErrorReport.objects.get()
    assert default_storage.exists(report.storage_name)
    settings.FLEET_IMPORT_ERROR_REPORT_DAYS = 30
    assert old_error_reports(timezone.now()) == {"deleted": 0}
    assert old_error_reports(timezone.now() + timedelta(days=31)) == {"deleted": 1}
    assert not ErrorReport.objects.exists()
    assert not default_storage.exists(report.storage_name)


def test_i14_sentences_stored_before_codes_become_codes():
    from fleetcare.fleet.importing.messages import reason_text
    from fleetcare.fleet.importing.stored_reasons import as_code

    old = [
        {"row": 3, "column": "sku", "reason": "unknown SKU", "value": "X"},
        {"row": 4, "column": "serial_number", "reason": "duplicate serial number (also on row 2)"},
        {"row": 5, "column": "first_seen", "reason": "after the inventory date 2026-01-31"},
        {"row": 1, "column": "", "code": "stale", "reason": "the import stopped", "value": ""},
        {"row": 6, "column": "", "reason": "something nobody words"},
    ]
    new = [as_code(e) for e in old]
    assert new[0] == {"row": 3, "column": "sku", "code": "unknown_sku", "params": {}, "value": "X"}
    assert new[1]["params"] == {"other_row": 2} and "reason" not in new[1]
    assert new[2]["code"] == "after_as_of" and new[2]["params"] == {"as_of": "2026-01-31"}
    assert new[3] == {"row": 1, "column": "", "code": "stale", "params": {}, "value": ""}
    assert new[4] == old[4]  # kept as stored, shown as stored
    from django.utils import translation

    with translation.override("fr"):
        assert reason_text(new[1]) == "numéro de série en double (aussi à la ligne 2)"
        assert reason_text(new[4]) == "something nobody words"


def test_r_flt_4_every_nul_character_is_counted(models, admin_api):
    content = b"sku,serial_number\n" + b"".join(b"CCX-500,A\x00%d\n" % i for i in range(1200))
    problem = upload(admin_api, content).json()
    assert len(problem["errors"]) == 1000 and problem["error_count"] == 1200
    assert problem["errors"][0]["code"] == "nul" and problem["error_report"]
