"""A customer logs in, sees its home page, searches the catalogue and switches to French,
in a real headless Chromium, with no console errors (CSP violations show up there)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.chromium import launch
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    OrganisationFactory,
    ProductModelFactory,
    SiteFactory,
    UserFactory,
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_customer_logs_in_searches_and_switches_to_french(live_server):
    org = OrganisationFactory(name="Acme SA", country="FR")
    SiteFactory(organisation=org, name="Paris HQ", country="FR", time_zone="Europe/Paris")
    UserFactory(organisation=org, role="customer_admin", username="acme-admin")
    video = CategoryFactory(code="video")
    ProductModelFactory(name="Studio X50", family="Studio", category=video)
    ProductModelFactory(name="G7500", family="G7500", category=video)

    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda msg: (
                    problems.append(f"console {msg.type}: {msg.text}")
                    if msg.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

            # Log in.
            page.goto(f"{live_server.url}/login/")
            page.get_by_label("Username").fill("acme-admin")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()

            # Home page: the organisation and its site.
            expect(page.get_by_role("heading", level=2, name="Acme SA")).to_be_visible()
            expect(page.get_by_role("rowheader", name="Paris HQ")).to_be_visible()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            assert page.evaluate("typeof window.htmx") == "object"

            # Catalogue: htmx live search replaces the results in place.
            page.get_by_role("link", name="Catalogue").click()
            expect(page.get_by_text("2 models found")).to_be_visible()
            page.get_by_label("Search", exact=True).fill("G75")
            expect(page.get_by_text("1 model found")).to_be_visible()
            expect(page.locator("#catalog-results")).not_to_contain_text("Studio X50")
            expect(page).to_have_url(re.compile(r"\?q=G75"))

            # Switch to French with the language switch.
            page.get_by_label("Language").select_option("fr")
            page.get_by_role("button", name="Change language").click()
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            expect(page.get_by_role("link", name="Accueil")).to_be_visible()
            expect(page.get_by_text("1 modèle trouvé")).to_be_visible()
            page.get_by_role("link", name="Accueil").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Bienvenue")
            expect(page.get_by_role("heading", level=2, name="Sites")).to_be_visible()
        finally:
            browser.close()

    assert problems == []
