"""R-SW-1: fleet compliance per account and model (devices on the latest firmware
against older ones) in the portal with a chart and in the API; the device page flags
an outdated device and shows its cases, replacements and coverage (R-POR-1)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fleetcare.fleet import services as fleet
from fleetcare.fleet.models import Device
from tests.factories import make_case, pe_device

pytestmark = pytest.mark.django_db


def _fleet(account, model, versions: dict[str, int]) -> list[Device]:
    out = []
    for version, n in versions.items():
        for _ in range(n):
            device = pe_device(account, model)
            device.firmware_version = version
            device.save()
            out.append(device)
    return out


@pytest.fixture
def fleets(software, customer, other_customer):
    model = software["model"]
    mine = _fleet(customer, model, {"8.1.2": 5, "8.0.0": 2, "": 1})
    retired = mine[-2]
    retired.status = "retired"
    retired.save()  # an inactive device does not count
    _fleet(other_customer, model, {"8.0.0": 4})
    return {"model": model, "mine": mine}


def test_r_sw_1_compliance_counts_latest_older_and_unknown_per_account_and_model(
    fleets, customer, customer_user, csm
):
    result = fleet.compliance(user=customer_user)
    assert len(result.rows) == 1
    row = result.rows[0]
    assert (row.account_id, row.sku, row.latest) == (customer.pk, "CCX-500", "8.1.2")
    assert (row.total, row.on_latest, row.outdated, row.unknown) == (7, 5, 1, 1)
    assert row.older_versions == {"8.0.0": 1}
    everyone = fleet.compliance(user=csm)
    assert [(r.account_name, r.on_latest, r.outdated) for r in everyone.rows] == [
        ("Acme SA", 5, 1),
        ("Globex Inc", 0, 4),
    ]
    assert everyone.total == 11 and everyone.latest_share == 45.5


def test_r_sw_1_compliance_page_with_chart_and_constant_queries(
    client, fleets, customer_user, csm, django_assert_max_num_queries
):
    client.force_login(customer_user)
    page = client.get("/fleet/compliance/").content.decode()
    assert "5 of 7 active devices on the latest firmware" in page
    assert "Globex" not in page
    assert 'id="compliance-chart"' in page
    chart = client.get("/fleet/compliance/chart.svg")
    assert chart["Content-Type"] == "image/svg+xml" and b"<svg" in chart.content
    assert b"Latest firmware" in chart.content
    client.force_login(csm)
    with django_assert_max_num_queries(14):
        page = client.get("/fleet/compliance/").content.decode()
    assert "Globex Inc" in page and "Acme SA" in page


def test_r_sw_1_compliance_numbers_and_shares_are_written_in_the_readers_language(
    client, software, customer, customer_user, csm
):
    model = software["model"]
    Device.objects.bulk_create(
        Device(
            account=customer,
            product_model=model,
            firmware_version="8.1.2" if i < 1_150 else "8.0.0",
            first_seen_on="2026-01-01",
            last_seen_on="2026-01-01",
        )
        for i in range(1_200)
    )
    client.force_login(customer_user)
    page = client.get("/fleet/compliance/").content.decode()
    assert "1,150 of 1,200 active devices on the latest firmware (95.8%)" in page
    assert "<td>8.0.0 × 50</td>" in page and ">1,200</td>" in page
    customer_user.language = "fr"
    customer_user.save(update_fields=["language"])
    page = client.get("/fleet/compliance/").content.decode()
    assert (
        "1\u202f150 appareils actifs sur 1\u202f200 ont le dernier micrologiciel "
        "(95,8\u00a0%)" in page
    )
    assert ">1\u202f200</td>" in page
    body = client.get("/api/v1/fleet/compliance").json()  # the API keeps plain numbers
    assert (body["total"], body["rows"][0]["older_versions"]) == (1_200, {"8.0.0": 50})


def test_r_sw_1_compliance_api_is_tenant_scoped(
    api_client, fleets, customer, customer_user, other_customer
):
    me = api_client.as_user(customer_user)
    body = me.get("/api/v1/fleet/compliance").json()
    assert (body["total"], body["on_latest"], body["outdated"], body["unknown"]) == (7, 5, 1, 1)
    assert body["rows"][0]["latest"] == "8.1.2" and body["rows"][0]["older_versions"] == {
        "8.0.0": 1
    }
    assert me.get(f"/api/v1/fleet/compliance?account_id={other_customer.pk}").status_code == 404
    assert me.get("/api/v1/fleet/compliance?account_id=abc").status_code == 422


def test_r_sw_1_device_page_flags_an_outdated_device_with_the_latest_version(
    client, api_client, fleets, customer, customer_user, other_customer_user
):
    outdated = next(d for d in fleets["mine"] if d.firmware_version == "8.0.0")
    client.force_login(customer_user)
    page = client.get(f"/fleet/devices/{outdated.pk}/").content.decode()
    assert 'data-status="outdated"' in page and "the latest release is 8.1.2" in page
    latest = fleets["mine"][0]
    assert 'data-status="latest"' in client.get(f"/fleet/devices/{latest.pk}/").content.decode()
    api = api_client.as_user(customer_user).get(f"/api/v1/devices/{outdated.pk}/firmware").json()
    assert api == {
        "device_id": outdated.pk,
        "status": "outdated",
        "version": "8.0.0",
        "latest": "8.1.2",
    }
    other = api_client.as_user(other_customer_user)
    assert other.get(f"/api/v1/devices/{outdated.pk}/firmware").status_code == 404


def test_r_sw_1_a_device_registered_on_an_old_version_is_outdated(
    client, software, customer, customer_user
):
    device = fleet.register_device(
        actor=customer_user,
        account=customer,
        product_model=software["model"],
        serial_number="CCX-OLD-1",
        site=customer.sites.first(),
        firmware_version="8.0.0",
        first_seen_on=timezone.localdate(),
    )
    client.force_login(customer_user)
    page = client.get(f"/fleet/devices/{device.pk}/").content.decode()
    assert "outdated" in page and "8.1.2" in page


def test_r_por_1_device_page_shows_its_cases_and_coverage(client, fleets, customer, customer_user):
    device = fleets["mine"][0]
    case = make_case(
        customer,
        customer_user,
        entitlement="none",
        product_model=device.product_model,
        device=device,
    )
    client.force_login(customer_user)
    page = client.get(f"/fleet/devices/{device.pk}/").content.decode()
    assert case.reference in page
    assert 'id="device-replacements"' in page and 'id="coverage"' in page


def test_r_sw_1_firmware_reports_are_change_logged(software, customer, customer_user):
    from fleetcare.core.models import ChangeLogEntry

    devices = _fleet(customer, software["model"], {"8.0.0": 2})
    changed = fleet.record_firmware_versions(
        actor=customer_user, account=customer, versions={d.pk: "8.1.2" for d in devices}
    )
    assert changed == 2
    assert set(
        Device.objects.filter(pk__in=[d.pk for d in devices]).values_list(
            "firmware_version", flat=True
        )
    ) == {"8.1.2"}
    assert ChangeLogEntry.objects.filter(action="fleet.firmware_reported").count() == 2


def test_r_sw_1_the_demo_fleet_runs_mostly_the_latest_release():
    from collections import Counter

    from fleetcare.fleet.demo import demo_version

    versions = ["8.1.2", "8.1.0", "8.0.0"]
    counts = Counter(demo_version(versions, j, salt=3) for j in range(1000))
    assert counts == {"8.1.2": 700, "8.1.0": 200, "8.0.0": 100}
    assert demo_version([], 1) == ""
