"""Import modes in a real Chromium (R-FLT-4): the fleet export re-imported changes nothing;
add or update retires nothing; a full inventory retiring most of the fleet warns and needs
its tick."""

from __future__ import annotations

import os
from datetime import date

import pytest
from playwright.sync_api import expect, sync_playwright

from fleetcare.fleet import services
from fleetcare.fleet.models import Device
from tests.browser.chromium import launch, log_in
from tests.factories import PASSWORD, csv_bytes

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _login(page, url: str, username: str) -> None:
    log_in(page, url, username, PASSWORD)


def _state(account):
    return list(
        Device.objects.filter(account=account)
        .order_by("id")
        .values_list("id", "product_model_id", "serial_number", "site_id", "status")
    )


def _preview(page, url, path, mode):
    page.goto(f"{url}/fleet/import/")
    page.set_input_files("input[type=file]", str(path))
    page.check(f"input[name=mode][value={mode}]")
    page.get_by_role("button", name="Preview").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r_flt_4_import_modes_and_export_round_trip(
    live_server, models, customer, customer_user, tmp_path
):
    seed = tmp_path / "seed.csv"
    rows = [{"sku": "CCX-500", "serial_number": f"S{i}"} for i in range(8)]
    seed.write_bytes(csv_bytes(rows + [{"sku": "STUDIO-X50"}, {"sku": "STUDIO-X50"}]))
    services.import_file(
        actor=customer_user, account=customer, path=seed, as_of=date(2026, 1, 31), keep_file=True
    )
    before = _state(customer)
    url = live_server.url
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx = browser.new_context(accept_downloads=True)
            page = ctx.new_page()
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            _login(page, url, customer_user.username)

            # The export of the fleet, re-imported as a full inventory, changes nothing.
            page.goto(f"{url}/fleet/")
            with page.expect_download() as dl:
                page.locator("#export-csv").click()
            exported = tmp_path / "export.csv"
            dl.value.save_as(exported)
            assert exported.read_text().splitlines()[0] == (
                "sku,serial_number,site,firmware_version,first_seen"
            )
            _preview(page, url, exported, "full")
            summary = page.locator("#import-summary")
            expect(summary).to_contain_text("0 new devices will be added and 10 known")
            expect(summary).to_contain_text("0 devices of the account are not in the file")
            expect(page.locator("#retire-warning")).to_have_count(0)
            page.get_by_role("button", name="Confirm the import").click()
            expect(page.locator(".facts")).to_contain_text("Full inventory")
            assert _state(customer) == before

            # Add or update: a one-device file adds it and retires nothing.
            one = tmp_path / "one.csv"
            one.write_bytes(csv_bytes([{"sku": "CCX-500", "serial_number": "NEW"}]))
            _preview(page, url, one, "add")
            expect(page.locator("#import-summary")).to_contain_text("No device will be retired")
            page.get_by_role("button", name="Confirm the import").click()
            expect(page.locator(".facts")).to_contain_text("Add or update")
            assert Device.objects.filter(account=customer, status="active").count() == 11

            # The same file as a full inventory would retire 10 of 11: warned, tick required.
            _preview(page, url, one, "full")
            expect(page.locator("#retire-warning")).to_contain_text("retires 10 of the account")
            page.get_by_role("button", name="Confirm the import").click()  # not ticked
            expect(page.locator("#retire-warning")).to_be_visible()  # still the preview
            assert Device.objects.filter(account=customer, status="active").count() == 11
            page.get_by_label("I confirm: retire 10 devices not in the file.").check()
            page.get_by_role("button", name="Confirm the import").click()
            expect(page.locator(".facts")).to_contain_text("Devices retired")
            assert list(
                Device.objects.filter(account=customer, status="active").values_list(
                    "serial_number", flat=True
                )
            ) == ["NEW"]
        finally:
            browser.close()
    assert not problems, problems
