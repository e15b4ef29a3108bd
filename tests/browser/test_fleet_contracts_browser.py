"""A customer imports a file in the portal, sees the preview, then its monthly report with
the chart; a CSM issues the adjustment quote and downloads its PDF (real Chromium)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect, sync_playwright

from fleetcare.contracts import services as contract_services
from tests.browser.chromium import launch, log_in
from tests.factories import (
    PASSWORD,
    DistributorFactory,
    UserFactory,
    VendorFactory,
    fleet_csv,
    video_model,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _login(page, url: str, username: str) -> None:
    log_in(page, url, username, PASSWORD)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_import_preview_report_chart_and_adjustment_quote(
    live_server, customer, customer_user, tmp_path
):
    video_model(sku="STUDIO-X50", name="Studio X50")
    csm = UserFactory(organisation=VendorFactory(name="Poly"), role="csm", username="csm-b")
    contract = contract_services.create_contract(
        actor=csm,
        account=customer,
        start_date=date(2026, 1, 1),
        distribution_partner=DistributorFactory(),
        categories=[contract_services.CategoryInput("video", 200, 20, Decimal("60.00"))],
    )
    f = tmp_path / "june.csv"
    f.write_bytes(fleet_csv({"STUDIO-X50": 231}))
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx = browser.new_context(accept_downloads=True)
            page = ctx.new_page()
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            _login(page, live_server.url, customer_user.username)

            page.goto(f"{live_server.url}/fleet/import/")
            page.set_input_files("input[type=file]", str(f))
            page.fill("input[name=as_of]", "2026-06-30")
            page.get_by_role("button", name="Preview").click()
            expect(page.locator("#import-preview")).to_contain_text("231")
            expect(page.locator("#import-summary")).to_contain_text("231 new")
            page.get_by_role("button", name="Confirm the import").click()
            expect(page.locator("#snapshot-counts")).to_contain_text("231")

            page.goto(f"{live_server.url}/reports/monthly/?month=2026-06")
            expect(page.locator("#monthly-report")).to_contain_text("Adjustment due")
            chart = page.locator("#report-chart")
            expect(chart).to_be_visible()
            assert page.evaluate("document.getElementById('report-chart').naturalWidth") > 0

            contract_services.detect_adjustments(date(2026, 7, 1))
            page.context.clear_cookies()
            _login(page, live_server.url, "csm-b")
            page.goto(f"{live_server.url}/contracts/{contract.pk}/")
            page.get_by_role("button", name="Issue the quote").click()
            link = page.locator("#adjustments").get_by_role("link", name="Quote Q-")
            expect(link).to_be_visible()
            with page.expect_download() as dl:
                link.click()
            path = dl.value.path()
            assert path.read_bytes()[:4] == b"%PDF"
            expect(page.locator("#adjustments")).to_contain_text("330.00")
        finally:
            browser.close()
    assert not problems, problems
