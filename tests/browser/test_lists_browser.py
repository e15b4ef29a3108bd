"""Lists people can work with, in a real headless Chromium (issue 12 item 6): a support
agent sorts the case list by reference, changes the page size, pages on by cursor,
exports the list as filtered (CSV), and finds a case, a device and an organisation from
the header's search box (an exact reference opens the case); no console errors."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from fleetcare.fleet.models import Device
from tests.browser.chromium import launch
from tests.factories import PASSWORD, UserFactory, make_case, voice_model


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sorting_page_size_export_and_global_search(
    live_server, vendor, customer, customer_user, other_customer
):
    UserFactory(organisation=vendor, role="support_agent", username="agent")
    model = voice_model(name="CCX 500")
    cases = [
        make_case(customer, customer_user, entitlement="none", product_model=model)
        for _ in range(30)
    ]
    refs = sorted(c.reference for c in cases)
    Device.objects.create(
        account=customer,
        product_model=model,
        serial_number="BRW-0042",
        first_seen_on=date(2026, 1, 1),
        last_seen_on=date(2026, 1, 1),
    )
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill("agent")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        page.goto(f"{live_server.url}/support/")
        # sort by the Case column (reference), ascending then descending
        page.locator("th a.sort-link", has_text="Case").click()
        rows = page.locator("#cases tbody tr.case-row")
        expect(rows.first).to_have_attribute("data-reference", refs[0])
        page.locator("th a.sort-link", has_text="Case").click()
        expect(rows.first).to_have_attribute("data-reference", refs[-1])
        # 25 rows a page, then the next page by cursor
        page.get_by_label("Rows per page", exact=True).select_option("25")
        page.get_by_role("button", name="Show").click()
        expect(rows).to_have_count(25)
        expect(page.locator("th[aria-sort=descending]")).to_have_count(1)
        page.get_by_role("link", name="Next").click()
        expect(rows).to_have_count(5)
        expect(rows.first).to_have_attribute("data-reference", refs[::-1][25])
        page.get_by_role("link", name="Previous").click()
        expect(rows.first).to_have_attribute("data-reference", refs[-1])
        # export the list as sorted
        with page.expect_download() as download:
            page.locator("a[data-export=csv]").click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        exported = [r[0] for r in list(csv.reader(io.StringIO(text)))[1:]]
        assert exported == refs[::-1]

        # the header's search box: an exact reference opens the case
        box = page.get_by_role("searchbox")
        box.fill(refs[3].lower())
        box.press("Enter")
        expect(page).to_have_url(f"{live_server.url}/support/cases/{cases_by_ref(cases)[refs[3]]}/")
        box = page.get_by_role("searchbox")
        box.fill("BRW-00")
        box.press("Enter")
        expect(page.locator("#search-results tr[data-kind=device]")).to_have_count(1)
        box = page.get_by_role("searchbox")
        box.fill("Glob")
        box.press("Enter")
        expect(page.locator("#search-results tr[data-kind=organisation]")).to_contain_text(
            other_customer.name
        )
        browser.close()
    assert problems == []


def cases_by_ref(cases):
    return {c.reference: c.pk for c in cases}
