"""R-FLT-2 / R-FLT-4: imports are snapshots, all or nothing, every bad row listed, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from fleetcare.fleet import services
from fleetcare.fleet.models import Device, InventorySnapshot, SnapshotCount
from tests.factories import SiteFactory, api, csv_bytes, fleet_csv, upload

pytestmark = pytest.mark.django_db


def test_csv_import_creates_devices_and_a_snapshot_with_counts(models, admin_api, customer):
    content = csv_bytes(
        [
            {
                "sku": "STUDIO-X50",
                "serial_number": "SN1",
                "site": "Paris HQ",
                "firmware_version": "4.1",
                "first_seen": "2026-01-10",
            },
            {"sku": "studio-x50"},
            {"sku": "CCX-500"},
        ]
    )
    r = upload(admin_api, content, as_of="2026-02-01")
    assert r.status_code == 201, r.content
    snap = r.json()["snapshots"][0]
    assert snap["status"] == "done" and snap["device_count"] == 3 and snap["created_devices"] == 3
    assert sorted((c["sku"], c["count"]) for c in snap["counts"]) == [
        ("CCX-500", 1),
        ("STUDIO-X50", 2),
    ]
    dev = Device.objects.get(serial_number="SN1")
    assert dev.site.name == "Paris HQ" and str(dev.first_seen_on) == "2026-01-10"
    assert str(Device.objects.filter(serial_number=None).first().first_seen_on) == "2026-02-01"


def test_r_flt_4_every_kind_of_bad_row_is_listed_and_nothing_is_saved(
    models, admin_api, customer, other_customer
):
    Device.objects.create(
        account=other_customer,
        product_model=models["video"],
        serial_number="TAKEN",
        first_seen_on="2026-01-01",
        last_seen_on="2026-01-01",
    )
    content = csv_bytes(
        [
            {"sku": "NOPE"},  # row 2 unknown SKU
            {"sku": "STUDIO-X50", "first_seen": "31/12/2025"},  # row 3 bad date
            {"sku": "STUDIO-X50", "serial_number": "DUP"},  # row 4
            {"sku": "STUDIO-X50", "serial_number": "DUP"},  # row 5 duplicate in file
            {"sku": "STUDIO-X50", "site": "Austin"},  # row 6 another account's site
            {"sku": "STUDIO-X50", "serial_number": "TAKEN"},  # row 7 other account's serial
            {"sku": "", "serial_number": "X9"},  # row 8 missing sku
            {"sku": "CCX-500"},  # row 9 fine
        ]
    )
    before = Device.objects.count()
    r = upload(admin_api, content)
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    body = r.json()
    got = {(e["row"], e["column"]) for e in body["errors"]}
    assert got == {
        (2, "sku"),
        (3, "first_seen"),
        (5, "serial_number"),
        (6, "site"),
        (7, "serial_number"),
        (8, "sku"),
    }
    assert "nothing was saved" in body["detail"]
    assert Device.objects.count() == before
    assert not InventorySnapshot.objects.filter(account=customer).exists()


def test_missing_column_is_reported_on_the_header_row(models, admin_api):
    r = upload(admin_api, b"serial_number,site\nX,\n")
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "row": 1,
            "column": "sku",
            "code": "missing_column",
            "params": {},
            "reason": "missing column",
            "value": "",
        }
    ]


def test_resending_the_same_file_changes_nothing(models, admin_api, customer):
    content = fleet_csv({"STUDIO-X50": 3})
    first = upload(admin_api, content, as_of="2026-03-01")
    assert first.status_code == 201
    again = upload(admin_api, content, as_of="2026-03-01")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["snapshots"][0]["id"] == first.json()["snapshots"][0]["id"]
    assert Device.objects.count() == 3 and InventorySnapshot.objects.count() == 1


def test_r_flt_4_next_full_inventory_matches_devices_and_retires_absent_ones(
    models, admin_api, customer
):
    upload(
        admin_api,
        csv_bytes(
            [
                {"sku": "STUDIO-X50", "serial_number": "A"},
                {"sku": "STUDIO-X50"},
                {"sku": "STUDIO-X50"},
            ]
        ),
        as_of="2026-01-31",
    )
    r = upload(
        admin_api,
        csv_bytes(
            [
                {"sku": "STUDIO-X50", "serial_number": "A", "site": "Paris HQ"},
                {"sku": "STUDIO-X50"},
                {"sku": "STUDIO-X50"},
                {"sku": "STUDIO-X50"},
                {"sku": "CCX-500"},
            ]
        ),
        as_of="2026-02-28",
    )
    snap = r.json()["snapshots"][0]
    # Serial-less matching goes per (model, site): the 3 rows without site match the 2 known.
    assert (snap["created_devices"], snap["updated_devices"]) == (2, 3)
    assert Device.objects.get(serial_number="A").site.name == "Paris HQ"
    shrink = upload(admin_api, fleet_csv({"STUDIO-X50": 1}), as_of="2026-03-31")
    assert shrink.status_code == 409 and shrink.json()["field"] == "confirm_retire"
    assert Device.objects.filter(account=customer, status="active").count() == 5  # unchanged
    shrink = upload(
        admin_api, fleet_csv({"STUDIO-X50": 1}), as_of="2026-03-31", confirm_retire="true"
    )
    assert shrink.status_code == 201 and shrink.json()["snapshots"][0]["retired_devices"] == 4
    assert Device.objects.filter(account=customer, status="active").count() == 1
    assert Device.objects.filter(account=customer).count() == 5  # retired, never deleted
    latest = services.latest_model_counts(customer.pk, __import__("datetime").date(2026, 3, 31))
    assert latest == {models["video"].pk: 1}


def test_xlsx_import(models, admin_api):
    wb = Workbook()
    ws = wb.active
    ws.append(["SKU", "Serial number", "First seen"])
    ws.append(["CCX-500", "X1", __import__("datetime").date(2026, 1, 5)])
    ws.append(["CCX-500", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(admin_api, buf.getvalue(), name="fleet.xlsx")
    assert r.status_code == 201, r.content
    assert r.json()["snapshots"][0]["device_count"] == 2


def test_inventory_push_and_its_errors(models, admin_api, customer):
    payload = {
        "as_of": "2026-04-30",
        "devices": [
            {
                "sku": "STUDIO-X50",
                "serial_number": "P1",
                "site": "Paris HQ",
                "firmware_version": "4.2",
            },
            {"sku": "CCX-500"},
        ],
    }
    r = admin_api.post("/api/v1/fleet/inventory", payload, content_type="application/json")
    assert r.status_code == 201 and r.json()["snapshots"][0]["source"] == "api"
    again = admin_api.post("/api/v1/fleet/inventory", payload, content_type="application/json")
    assert again.status_code == 200 and again.json()["duplicate"]
    bad = admin_api.post(
        "/api/v1/fleet/inventory",
        {"devices": [{"sku": "CCX-500"}, {"sku": "NOPE"}, {"sku": "CCX-500", "site": "Mars"}]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert [(e["row"], e["column"]) for e in bad.json()["errors"]] == [(3, "sku"), (4, "site")]
    assert Device.objects.count() == 2


def test_large_imports_run_in_the_background_with_progress(
    models, admin_api, customer, monkeypatch
):
    monkeypatch.setattr(services.imports, "ASYNC_THRESHOLD", 5)
    r = upload(admin_api, fleet_csv({"STUDIO-X50": 12}), as_of="2026-05-31")
    # Tasks run eagerly without a broker: the snapshot is already done.
    assert r.status_code == 201, r.content
    snap = InventorySnapshot.objects.get(pk=r.json()["snapshots"][0]["id"])
    assert snap.status == "done" and snap.rows_done == 12 and snap.progress_percent == 100
    bad = upload(admin_api, fleet_csv({"STUDIO-X50": 6, "NOPE": 1}), as_of="2026-05-31")
    assert bad.status_code == 422 and bad.json()["errors"][0]["row"] == 8
    failed = InventorySnapshot.objects.get(status="failed")
    assert failed.errors[0]["code"] == "unknown_sku" and Device.objects.count() == 12
    assert bad.json()["errors"][0]["reason"] == "unknown SKU"


def test_future_as_of_is_refused(models, admin_api):
    r = upload(admin_api, fleet_csv({"CCX-500": 1}), as_of="2099-01-01")
    assert r.status_code == 422 and "future" in r.json()["detail"]


def test_tenancy_on_imports_devices_and_coverage(
    models, admin_api, customer, other_customer, other_customer_user
):
    r = upload(admin_api, csv_bytes([{"sku": "CCX-500", "serial_number": "T1"}]))
    snap_id = r.json()["snapshots"][0]["id"]
    dev = Device.objects.get(serial_number="T1")
    other = api(other_customer_user)
    assert other.get(f"/api/v1/fleet/imports/{snap_id}").status_code == 404
    assert other.get(f"/api/v1/devices/{dev.pk}").status_code == 404
    assert other.get(f"/api/v1/devices/{dev.pk}/coverage").status_code == 404
    assert other.get("/api/v1/fleet/devices").json()["count"] == 0
    assert upload(other, fleet_csv({"CCX-500": 1}), account_id=customer.pk).status_code == 404
    assert (
        other.post(
            "/api/v1/fleet/inventory",
            {"account_id": customer.pk, "devices": []},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_only_fleet_managers_import(models, customer, distributor_user, vendor_user):
    from tests.factories import UserFactory

    end_user = UserFactory(organisation=customer, role="end_user")
    assert upload(api(end_user), fleet_csv({"CCX-500": 1})).status_code == 403
    agent = api(vendor_user("support_agent"))
    assert upload(agent, fleet_csv({"CCX-500": 1}), account_id=customer.pk).status_code == 403
    csm = api(vendor_user("csm"))
    assert upload(csm, fleet_csv({"CCX-500": 1}), account_id=customer.pk).status_code == 201
    assert upload(csm, fleet_csv({"CCX-500": 2})).status_code == 422  # account needed


def test_register_a_product_adds_it_to_a_new_snapshot(models, admin_api, customer):
    upload(admin_api, fleet_csv({"CCX-500": 2}))
    r = admin_api.post(
        "/api/v1/fleet/devices", {"sku": "STUDIO-X50"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["serial_number"] is None
    snap = InventorySnapshot.objects.filter(source="portal").get()
    assert dict(snap.counts.values_list("product_model__sku", "count")) == {
        "CCX-500": 2,
        "STUDIO-X50": 1,
    }
    site = SiteFactory(name="Elsewhere")
    bad = admin_api.post(
        "/api/v1/fleet/devices",
        {"sku": "STUDIO-X50", "site_id": site.pk},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_device_list_costs_a_constant_number_of_queries(
    models, admin_api, customer, django_assert_max_num_queries
):
    upload(admin_api, fleet_csv({"STUDIO-X50": 5, "CCX-500": 5}))
    with django_assert_max_num_queries(6):
        small = admin_api.get("/api/v1/fleet/devices")
    upload(admin_api, fleet_csv({"STUDIO-X50": 60, "CCX-500": 60, "ITP-1": 10}))
    with django_assert_max_num_queries(6):
        big = admin_api.get("/api/v1/fleet/devices?page_size=200")
    assert small.json()["count"] == 10 and big.json()["count"] == 130


def test_snapshot_counts_denormalise_account_and_category(models, admin_api, customer):
    upload(admin_api, fleet_csv({"STUDIO-X50": 2, "ITP-1": 1}))
    rows = set(SnapshotCount.objects.values_list("account_id", "category__code", "count"))
    assert rows == {(customer.pk, "video", 2), (customer.pk, "immersive_telepresence", 1)}


def test_cli_import_with_account_and_with_an_account_column(
    models, customer, other_customer, vendor_user, tmp_path, capsys
):
    vendor_user("vendor_admin")
    f = tmp_path / "fleet.csv"
    f.write_bytes(fleet_csv({"CCX-500": 3}))
    call_command("import_fleet", str(f), "--account", str(customer.pk), "--as-of", "2026-01-31")
    assert "3 devices" in capsys.readouterr().out
    multi = tmp_path / "multi.csv"
    multi.write_bytes(
        csv_bytes(
            [
                {"account": customer.account_number, "sku": "CCX-500"},
                {"account": other_customer.account_number, "sku": "STUDIO-X50"},
                {"account": other_customer.account_number, "sku": "STUDIO-X50"},
            ],
            columns=("account", "sku"),
        )
    )
    call_command("import_fleet", str(multi), "--confirm-retire")
    assert InventorySnapshot.objects.filter(account=other_customer, device_count=2).exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(fleet_csv({"NOPE": 1}))
    with pytest.raises(CommandError):
        call_command("import_fleet", str(bad), "--account", customer.account_number)
    assert "row 2, sku: unknown SKU" in capsys.readouterr().err


@pytest.mark.parametrize("customer_has_devices", [False, True])
def test_serial_of_another_account_alone_refuses_the_file(
    models, admin_api, customer, other_customer, customer_has_devices
):
    """The only problem is a serial number of another account's device: refused whole,
    whether the rows are written directly (new account) or matched (account with devices)."""
    Device.objects.create(
        account=other_customer,
        product_model=models["video"],
        serial_number="TAKEN",
        first_seen_on="2026-01-01",
        last_seen_on="2026-01-01",
    )
    if customer_has_devices:
        Device.objects.create(
            account=customer,
            product_model=models["voice"],
            first_seen_on="2026-01-01",
            last_seen_on="2026-01-01",
        )
    before = Device.objects.count()
    content = csv_bytes(
        [
            {"sku": "CCX-500"},
            {"sku": "STUDIO-X50", "serial_number": "TAKEN"},
            {"sku": "STUDIO-X50", "serial_number": "FREE"},
        ]
    )
    r = upload(admin_api, content)
    assert r.status_code == 422, r.content
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "serial_number")]
    assert Device.objects.count() == before
    assert not InventorySnapshot.objects.filter(account=customer).exists()


def test_reimport_updates_serial_devices_and_counts_per_snapshot(models, admin_api, customer):
    first = csv_bytes(
        [
            {"sku": "STUDIO-X50", "serial_number": "S1", "firmware_version": "1.0"},
            {"sku": "CCX-500"},
        ]
    )
    assert upload(admin_api, first, as_of="2026-01-31").status_code == 201
    second = csv_bytes(
        [
            {"sku": "STUDIO-X50", "serial_number": "S1"},
            {"sku": "CCX-500", "firmware_version": "2.0"},
            {"sku": "CCX-500"},
        ]
    )
    snap = upload(admin_api, second, as_of="2026-02-28").json()["snapshots"][0]
    assert (snap["created_devices"], snap["updated_devices"]) == (1, 2)
    s1 = Device.objects.get(serial_number="S1")
    assert s1.firmware_version == "1.0" and str(s1.last_seen_on) == "2026-02-28"
    assert sorted(
        Device.objects.filter(product_model=models["voice"]).values_list(
            "firmware_version", flat=True
        )
    ) == ["", "2.0"]
    assert sorted((c["sku"], c["count"]) for c in snap["counts"]) == [
        ("CCX-500", 2),
        ("STUDIO-X50", 1),
    ]
    assert SnapshotCount.objects.filter(account=customer).count() == 4
