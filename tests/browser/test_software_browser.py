"""R-POR-1 / R-SW-1 in a real Chromium: a customer searches its licences, downloads the
latest firmware (the file's SHA-256 matches the one the page shows), reads the
compliance view with its chart; a user who is not entitled sees no download link and
gets a page saying why."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from fleetcare.catalog import services as catalog
from fleetcare.licences import services as licences
from fleetcare.licences.models import LicenceKind
from tests.browser.chromium import launch, log_in
from tests.factories import (
    PASSWORD,
    OrganisationFactory,
    SiteFactory,
    UserFactory,
    VendorFactory,
    pe_contract,
    pe_device,
    voice_model,
)


def _named(data: bytes, name: str) -> io.BytesIO:
    buf = io.BytesIO(data)
    buf.name = name
    return buf


def _data():
    today = timezone.localdate()
    vendor = VendorFactory(name="Poly")
    ops = UserFactory(organisation=vendor, role="service_operations", username="ops-b")
    csm = UserFactory(organisation=vendor, role="csm", username="csm-b")
    acme = OrganisationFactory(name="Acme SA", country="FR")
    SiteFactory(organisation=acme, name="Paris HQ", country="FR", time_zone="Europe/Paris")
    UserFactory(organisation=acme, role="customer_admin", username="acme-admin")
    other = OrganisationFactory(name="Globex Inc", country="US", currency="USD")
    SiteFactory(organisation=other, name="Austin", country="US", time_zone="America/Chicago")
    UserFactory(organisation=other, role="customer_admin", username="globex-admin")
    pe_contract(acme, start=today - timedelta(days=30), end=today + timedelta(days=300))
    model = voice_model(sku="CCX-500", name="CCX 500", family="CCX")
    catalog.publish_firmware(
        actor=ops,
        product_model=model,
        version="8.0.0",
        released_on=today - timedelta(days=200),
        upload=_named(b"old" * 100, "ccx-500-8.0.0.bin"),
    )
    payload = b"FIRMWARE 8.1.2\n" + bytes(range(256)) * 64
    catalog.publish_firmware(
        actor=ops,
        product_model=model,
        version="8.1.2",
        released_on=today - timedelta(days=10),
        upload=_named(payload, "ccx-500-8.1.2.bin"),
    )
    for i in range(6):
        device = pe_device(acme, model)
        device.firmware_version = "8.1.2" if i < 4 else "8.0.0"
        device.save()
    for reference, kind, name, sku_model in [
        ("LIC-ACME-DM", LicenceKind.PREMIUM_TIER, "Device management premium tier", None),
        ("LIC-ACME-PHONE", LicenceKind.MODEL_SOFTWARE, "Desk phone UC software", model),
    ]:
        licences.create_licence(
            actor=csm,
            account=acme,
            reference=reference,
            kind=kind,
            product_name=name,
            product_model=sku_model,
            quantity=10,
            valid_from=date(2026, 1, 1),
        )
    return model, hashlib.sha256(payload).hexdigest()


def _login(page, url: str, username: str) -> None:
    log_in(page, url, username, PASSWORD)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_r_por_1_licences_download_and_compliance_in_a_browser(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    model, sha = _data()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(accept_downloads=True)
            page.on(
                "console",
                lambda msg: (
                    problems.append(f"console {msg.type}: {msg.text}")
                    if msg.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            _login(page, live_server.url, "acme-admin")

            # Licences: search, used and free counts.
            page.get_by_role("link", name="Licences", exact=True).click()
            expect(page.get_by_text("2 licences")).to_be_visible()
            expect(page.locator("#premium-flag")).to_have_attribute("data-premium", "on")
            search = page.get_by_role("search", name="Search licences")
            search.get_by_label("Search", exact=True).fill("desk phone")
            search.get_by_role("button", name="Search").click()
            expect(page.get_by_text("1 licence", exact=True)).to_be_visible()
            row = page.locator("#licences tbody tr")
            expect(row).to_contain_text("LIC-ACME-PHONE")
            expect(row.locator("td.numeric").nth(1)).to_have_text("6")  # used
            expect(row.locator("td.numeric").nth(2)).to_contain_text("4")  # free

            # An entitled download: the file's SHA-256 is the one the page shows.
            page.goto(f"{live_server.url}/catalog/{model.pk}/")
            shown = page.locator("tr", has_text="8.1.2").locator("code.sha256").inner_text()
            assert shown == sha
            with page.expect_download() as info:
                page.locator("#download-latest").click()
            download = info.value
            assert download.suggested_filename == "ccx-500-8.1.2.bin"
            with open(download.path(), "rb") as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == sha

            # Compliance with its chart.
            page.get_by_role("link", name="Firmware compliance").click()
            expect(page.locator("#compliance-summary")).to_contain_text(
                "4 of 6 active devices on the latest firmware"
            )
            chart = page.locator("#compliance-chart")
            expect(chart).to_be_visible()
            page.wait_for_function(
                "document.getElementById('compliance-chart').complete "
                "&& document.getElementById('compliance-chart').naturalWidth > 0"
            )
            expect(page.locator("#compliance tbody tr")).to_contain_text("8.0.0 × 2")

            # Someone not entitled: no link, and the address itself says why.
            page.context.clear_cookies()
            _login(page, live_server.url, "globex-admin")
            page.goto(f"{live_server.url}/catalog/{model.pk}/")
            expect(page.locator("#download-latest")).to_have_count(0)
            expect(page.locator("a[href*='/download/']")).to_have_count(0)
            release = model.firmware_releases.get(version="8.1.2")
            response = page.goto(f"{live_server.url}/catalog/firmware/{release.pk}/download/")
            assert response is not None and response.status == 403
            expect(page.get_by_role("heading", name="Download not available")).to_be_visible()
            expect(page.get_by_role("alert")).to_contain_text(
                "no contract in force that includes software updates"
            )
        finally:
            browser.close()
    # The refused download's 403 is logged by the browser as a failed resource.
    assert [m for m in problems if "403" not in m] == []
