"""R-FLT-4: two import modes, full inventory (absent devices retired, a required tick over
the warning share) and add or update (nothing retired), in the API, the portal and the CLI."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from fleetcare.fleet import services
from fleetcare.fleet.models import Device, InventorySnapshot
from tests.factories import csv_bytes, upload

pytestmark = pytest.mark.django_db


def _serials(prefix: str, n: int, sku: str = "CCX-500") -> list[dict]:
    return [{"sku": sku, "serial_number": f"{prefix}{i}"} for i in range(n)]


def _active(account) -> set[str]:
    return set(
        Device.objects.filter(account=account, status="active").values_list(
            "serial_number", flat=True
        )
    )


@pytest.fixture
def ten(models, admin_api, customer):
    """Ten devices with serials S0…S9, imported as a full inventory on 2026-01-31."""
    r = upload(admin_api, csv_bytes(_serials("S", 10)), as_of="2026-01-31")
    assert r.status_code == 201, r.content
    return r


def test_r_flt_4_add_or_update_retires_nothing(ten, admin_api, customer):
    rows = _serials("S", 1) + [{"sku": "STUDIO-X50", "serial_number": "NEW1"}]
    r = upload(admin_api, csv_bytes(rows), as_of="2026-02-28", mode="add")
    assert r.status_code == 201, r.content
    snap = r.json()["snapshots"][0]
    assert (snap["mode"], snap["created_devices"], snap["updated_devices"]) == ("add", 1, 1)
    assert snap["retired_devices"] == 0
    assert len(_active(customer)) == 11
    # The snapshot is the account's whole inventory: the file's devices and the others.
    assert snap["device_count"] == 11
    assert {c["sku"]: c["count"] for c in snap["counts"]} == {"CCX-500": 10, "STUDIO-X50": 1}


def test_r_flt_4_full_inventory_retires_absent_devices_and_brings_back_named_ones(
    ten, admin_api, customer
):
    r = upload(admin_api, csv_bytes(_serials("S", 9)), as_of="2026-02-28")
    assert r.status_code == 201 and r.json()["snapshots"][0]["retired_devices"] == 1
    assert _active(customer) == {f"S{i}" for i in range(9)}
    assert Device.objects.get(serial_number="S9").status == "retired"
    named = [{**row, "firmware_version": "2.0"} for row in _serials("S", 10)]
    back = upload(admin_api, csv_bytes(named), as_of="2026-03-31")
    assert back.status_code == 201 and back.json()["snapshots"][0]["created_devices"] == 0
    assert len(_active(customer)) == 10 and Device.objects.count() == 10


@pytest.mark.parametrize(("kept", "needs_tick"), [(9, False), (8, True)])
def test_r_flt_4_retire_warning_threshold_edge(
    ten, admin_api, customer, customer_user, settings, tmp_path, kept, needs_tick
):
    """10 % of 10 devices is 1: retiring 1 is not more than the share, retiring 2 is."""
    settings.FLEET_IMPORT_RETIRE_WARN_SHARE = 0.10
    content = csv_bytes(_serials("S", kept))
    f = tmp_path / "f.csv"
    f.write_bytes(content)
    preview = services.preview_file(
        actor=customer_user, account=customer, path=f, file_name="f.csv", as_of=date(2026, 2, 28)
    )
    assert (preview.retired, preview.active) == (10 - kept, 10)
    assert preview.needs_retire_confirmation is needs_tick
    r = upload(admin_api, content, as_of="2026-02-28")
    if needs_tick:
        assert r.status_code == 409
        problem = r.json()
        assert problem["field"] == "confirm_retire" and problem["retired"] == 2
        assert "confirm_retire" in problem["detail"]
        assert "(more than 10%)" in problem["detail"]  # the reader's way, not "10 %"
        assert problem["errors"][0]["code"] == "retire_unconfirmed"
        assert "more than 10%:" in problem["errors"][0]["reason"]
        assert len(_active(customer)) == 10  # nothing changed
        assert InventorySnapshot.objects.filter(account=customer).count() == 1
        r = upload(admin_api, content, as_of="2026-02-28", confirm_retire="true")
    assert r.status_code == 201, r.content
    assert len(_active(customer)) == kept
    assert r.json()["snapshots"][0]["retired_devices"] == 10 - kept


def test_r_flt_4_the_share_is_a_setting(ten, admin_api, customer, settings):
    settings.FLEET_IMPORT_RETIRE_WARN_SHARE = 0.5
    r = upload(admin_api, csv_bytes(_serials("S", 6)), as_of="2026-02-28")
    assert r.status_code == 201 and len(_active(customer)) == 6


def test_r_flt_4_an_older_full_inventory_records_history_only(ten, admin_api, customer):
    r = upload(admin_api, csv_bytes(_serials("S", 2)), as_of="2025-12-31")
    assert r.status_code == 201 and r.json()["snapshots"][0]["retired_devices"] == 0
    assert len(_active(customer)) == 10


def test_r_flt_4_inventory_push_modes(ten, admin_api, customer):
    url = "/api/v1/fleet/inventory"
    add = admin_api.post(
        url,
        {
            "as_of": "2026-02-28",
            "mode": "add",
            "devices": [{"sku": "CCX-500", "serial_number": "N"}],
        },
        content_type="application/json",
    )
    assert add.status_code == 201 and add.json()["snapshots"][0]["mode"] == "add"
    assert len(_active(customer)) == 11
    full = {"as_of": "2026-03-31", "devices": [{"sku": "CCX-500", "serial_number": "N"}]}
    refused = admin_api.post(url, full, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["field"] == "confirm_retire"
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert len(_active(customer)) == 11
    done = admin_api.post(url, {**full, "confirm_retire": True}, content_type="application/json")
    assert done.status_code == 201 and done.json()["snapshots"][0]["retired_devices"] == 10
    assert _active(customer) == {"N"}


def _portal(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _preview(c: Client, content: bytes, mode: str):
    return c.post(
        "/fleet/import/",
        {"file": SimpleUploadedFile("f.csv", content), "as_of": "2026-02-28", "mode": mode},
    )


def test_r_flt_4_portal_full_inventory_needs_the_tick(ten, customer, customer_user):
    c = _portal(customer_user)
    r = _preview(c, csv_bytes(_serials("S", 3)), "full")
    assert r.status_code == 200
    page = r.content.decode()
    assert "7 devices of the account are not in the file and will be retired." in page
    assert 'id="retire-warning"' in page and 'name="confirm_retire"' in page
    token = r.context["token"]
    refused = c.post("/fleet/import/confirm/", {"token": token})
    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.content.decode()
    assert refused.context["token"] == token  # the form is kept: tick and send again
    assert len(_active(customer)) == 10 and InventorySnapshot.objects.count() == 1
    done = c.post("/fleet/import/confirm/", {"token": token, "confirm_retire": "on"})
    assert done.status_code == 302
    assert len(_active(customer)) == 3
    snap = InventorySnapshot.objects.latest("id")
    assert (snap.mode, snap.retired_devices, snap.retire_confirmed) == ("full", 7, True)


def test_r_flt_4_portal_add_or_update(ten, customer, customer_user):
    c = _portal(customer_user)
    form = c.get("/fleet/import/").content.decode()
    assert 'id="import-mode-choice"' in form and 'value="add"' in form
    assert "Full inventory: the account&#x27;s devices missing from the file are retired" in form
    r = _preview(c, csv_bytes([{"sku": "CCX-500", "serial_number": "NEW"}]), "add")
    page = r.content.decode()
    assert "1 new devices will be added and 0 known devices updated." in page
    assert "No device will be retired (add or update)." in page
    assert 'name="confirm_retire"' not in page
    done = c.post("/fleet/import/confirm/", {"token": r.context["token"]})
    assert done.status_code == 302 and len(_active(customer)) == 11


def test_r_flt_4_cli_mode(ten, customer, vendor_user, tmp_path):
    vendor_user("vendor_admin")
    f = tmp_path / "few.csv"
    f.write_bytes(csv_bytes(_serials("S", 2)))
    args = [str(f), "--account", str(customer.pk), "--as-of", "2026-02-28"]
    with pytest.raises(CommandError, match="--confirm-retire"):
        call_command("import_fleet", *args)
    call_command("import_fleet", *args, "--mode", "add")
    assert len(_active(customer)) == 10
    assert InventorySnapshot.objects.latest("id").mode == "add"


def test_r_flt_4_background_full_inventory_needs_the_tick_too(
    ten, admin_api, customer, monkeypatch
):
    from fleetcare.fleet.services import imports

    monkeypatch.setattr(imports, "ASYNC_THRESHOLD", 1)  # a background import
    content = csv_bytes(_serials("S", 2))
    r = upload(admin_api, content, as_of="2026-02-28")
    assert r.status_code == 409 and r.json()["field"] == "confirm_retire"
    failed = InventorySnapshot.objects.get(status="failed")
    assert failed.errors[0]["code"] == "retire_unconfirmed" and len(_active(customer)) == 10
    r = upload(admin_api, content, as_of="2026-02-28", confirm_retire="true")
    assert r.status_code == 201, r.content
    assert InventorySnapshot.objects.latest("id").retire_confirmed is True
    assert len(_active(customer)) == 2
