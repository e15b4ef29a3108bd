"""In a real browser: the queue's filters swap the table through htmx without a page
load (and without a CSP complaint); DaaS deadlines read in the partner's local time;
the case page offers to raise a replacement."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from fleetcare.support import services
from tests.browser.chromium import launch
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    OrganisationFactory,
    ProductModelFactory,
    SiteFactory,
    UserFactory,
    VendorFactory,
    active_pe_contract,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_queue_filters_swap_the_table_without_reload(live_server):
    today = timezone.localdate()
    vendor = VendorFactory(name="Poly")
    UserFactory(organisation=vendor, role="support_agent", username="agent")
    acme = OrganisationFactory(name="Acme SA", country="FR")
    SiteFactory(organisation=acme, name="Paris", country="FR", time_zone="Europe/Paris")
    admin = UserFactory(organisation=acme, role="customer_admin", username="acme-admin")
    video = CategoryFactory(code="video")
    model = ProductModelFactory(name="Studio X50", category=video)
    active_pe_contract(
        acme,
        video,
        reference="PE-1",
        start=date(today.year - 1, 1, 1),
        end=date(today.year + 2, 12, 31),
    )

    def open_case(severity: str, subject: str):
        return services.open_case(
            actor=admin,
            data=services.OpenCaseInput(
                product_model=model, severity=severity, subject=subject, description="d"
            ),
        )

    s1 = open_case("S1", "Room down")
    s4 = open_case("S4", "Menu question")

    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on(
                "console", lambda msg: problems.append(msg.text) if msg.type == "error" else None
            )
            page.goto(f"{live_server.url}/login/")
            page.get_by_label("Username").fill("agent")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()

            page.goto(f"{live_server.url}/support/queue/")
            rows = page.locator("#queue tbody tr")
            expect(rows).to_have_count(2)
            expect(rows.first.locator(".case-due")).to_contain_text("UTC")
            page.evaluate("window.__sameDocument = true")
            page.get_by_label("Severity").select_option("S4")
            expect(page.locator("#queue tbody tr")).to_have_count(1)
            expect(page.locator("#queue tbody tr").first).to_have_attribute(
                "data-reference", s4.reference
            )
            assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
            assert "severity=S4" in page.url  # the filter is in the address bar
            expect(page.locator("#queue-table")).to_have_attribute(
                "hx-get", "/support/queue/?severity=S4"
            )

            page.goto(f"{live_server.url}/support/cases/{s1.pk}/")
            expect(page.locator("#raise-replacement")).to_have_attribute(
                "href", f"/replacements/from-case/{s1.pk}/"
            )
            # The agent's vendor has no site: the agent reads UTC, the zone named.
            expect(page.locator("#first-response-due")).to_contain_text("UTC")
        finally:
            browser.close()
    assert problems == []
