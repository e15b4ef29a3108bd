"""Every demo login, in a real Chromium: log in, see the home's work from the demo, follow
every menu entry and every link and button on the home page; no response (page, image,
script) is a 403, 404 or 500."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from fleetcare.core.demo import DEMO_PASSWORD
from tests.browser.chromium import launch

# Per login: the work headings its home shows, and a record of the demo under one of them.
HOMES = {
    "admin": {"Unassigned cases": "CASE-", "Orders to ship": "RMA-", "Drafts to issue": "Draft"},
    "agent": {"My cases near or past breach": "All Lyon rooms offline"},
    "agent2": {"My cases near or past breach": "Video freezes in the Paris boardroom"},
    "escalation": {"Open escalations": "Codec crashes when sharing 4K content"},
    "csm": {
        "My accounts": "Acme Industries SA",
        "Adjustments due": "Acme Industries SA",
        "Renewals within 90 days": "PE-",
    },
    "ops": {"Orders to ship": "RMA-", "Deliveries due": "RMA-", "Returns overdue": "RMA-"},
    "billing": {"Drafts to issue": "Draft", "Threshold decisions waiting": "Northwind Logistics"},
    "acme": {
        "Your fleet against the baseline": "Video",
        "Open cases": "All Lyon rooms offline",
        "Replacements in flight": "RMA-",
    },
    "globex": {"Your fleet against the baseline": "Voice"},
    "initech": {"Open cases": "Codec crashes when sharing 4K content"},
    "maple": {
        "Your customers' open cases": "Room system reboots every hour",
        "Subscriptions": "Northwind Logistics",
        "Replacement threshold this year": "Over the 2% threshold",
    },
    "thames": {"Subscriptions": "Contoso Retail Ltd"},
    "northwind-admin": {"Open cases": "Room system reboots every hour"},
    "northwind-user": {"Your support comes from your partner": "Maple Leaf Communications"},
    "contoso-admin": {"Open cases": "No open case.", "Subscriptions": "DAAS-"},
    "dist": {"Quotes addressed to you": "Professional services"},
}
CHARTS = {"acme", "globex", "initech"}
NOT_FOLLOWED = ("/static/", "/admin/", "/api/")


def _log_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def _hrefs(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role_follows_its_menu_and_home_links_and_sees_its_work(live_server):
    call_command("demo", "--quiet")
    from fleetcare.organisations.models import User

    User.objects.update(language="en")
    failures: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            who = {"user": ""}
            page.on(
                "response",
                lambda r: (
                    failures.append(f"{who['user']}: {r.status} {r.url}")
                    if r.status in (403, 404) or r.status >= 500
                    else None
                ),
            )
            page.on("pageerror", lambda exc: failures.append(f"{who['user']}: {exc}"))
            for username, sections in HOMES.items():
                who["user"] = username
                _log_in(page, live_server.url, username)
                for title, record in sections.items():
                    section = page.locator("section").filter(
                        has=page.get_by_role("heading", level=2, name=title)
                    )
                    expect(section.first).to_contain_text(record)
                menu = _hrefs(page, "header nav.main-nav a")
                assert menu, username
                links = _hrefs(page, "main a[href]")
                if username in CHARTS:  # the chart of the fleet against the baseline
                    chart = page.locator("#baseline-chart")
                    expect(chart).to_be_visible(timeout=30_000)  # matplotlib, cold
                    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
                for href in dict.fromkeys([*menu, *links]):
                    if not href or not href.startswith("/") or href.startswith(NOT_FOLLOWED):
                        continue
                    response = page.goto(f"{live_server.url}{href}")
                    assert response is not None
                    if response.status >= 400:
                        failures.append(f"{username}: {response.status} {href}")
                page.goto(f"{live_server.url}/")
        finally:
            browser.close()
    assert failures == []
