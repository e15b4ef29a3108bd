"""A partner follows a DaaS replacement from approval to return while service operations
ship and receive it; then billing issues an invoice and downloads its PDF — in a real
headless Chromium, with no console errors (CSP violations show up there)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect, sync_playwright

from fleetcare.replacements import services as rma
from fleetcare.replacements.models import ReplacementOrder
from tests.browser.chromium import launch
from tests.factories import PASSWORD, UserFactory, make_case, subscribe, voice_model


def _login(browser, live_server, username, problems):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            problems.append(f"{username} {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"{username} page error: {exc}"))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_partner_follows_replacement_and_billing_issues_invoice(
    live_server, vendor, partner, partner_user, daas_customer
):
    agent = UserFactory(organisation=vendor, role="support_agent", username="agent")
    UserFactory(organisation=vendor, role="service_operations", username="ops")
    UserFactory(organisation=vendor, role="billing", username="billing")
    sub = subscribe(
        partner_user, daas_customer, voice_model(name="CCX 500"), 5, delivered_on=date(2026, 1, 5)
    )
    enrolment = sub.devices.first()
    case = make_case(
        daas_customer,
        partner_user,
        entitlement="per_device",
        product_model=enrolment.product_model,
        device=enrolment.device,
        daas_device=enrolment,
        partner=partner,
    )
    order = rma.request_replacement(
        actor=partner_user,
        case=case,
        cause="hardware_fault",
        delivery_site=daas_customer.sites.first(),
    )
    rma.approve(order, actor=agent)
    order.refresh_from_db()
    today = date.today().isoformat()

    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            maple = _login(browser, live_server, "maple", problems)
            maple.get_by_role("link", name="Replacements").click()
            maple.get_by_role("link", name=order.reference).click()
            expect(maple.locator("#order-status")).to_have_text("Approved")
            expect(maple.locator("#delivery-target")).not_to_have_text("—")

            ops = _login(browser, live_server, "ops", problems)
            ops.goto(f"{live_server.url}/replacements/?queue=shipping")
            ops.get_by_role("link", name=order.reference).click()
            ops.get_by_label("Carrier").fill("Purolator")
            ops.get_by_label("Tracking number").fill("PUR-777")
            ops.get_by_role("button", name="Record the shipment").click()
            expect(ops.locator("#order-status")).to_have_text("Shipped")
            ops.get_by_label("Delivered on").fill(today)
            ops.get_by_role("button", name="Record the delivery").click()
            expect(ops.locator("#order-status")).to_have_text("Awaiting return")

            maple.reload()
            expect(maple.locator("#tracking")).to_have_text("Purolator PUR-777")
            expect(maple.locator("#return-due")).not_to_have_text("—")
            expect(maple.locator("#if-late")).to_contain_text("list price")

            ops.get_by_label("Received on").fill(today)
            ops.get_by_role("button", name="Record the return").click()
            expect(ops.locator("#order-status")).to_have_text("Returned")
            maple.reload()
            expect(maple.locator("#order-status")).to_have_text("Returned")

            # Billing: the month-end DaaS invoice for the partner, issued and downloaded.
            from fleetcare.daas.invoicing import raise_daas_monthly_invoices

            doc = raise_daas_monthly_invoices(date(2026, 2, 1), issue=False)[0]
            billing = _login(browser, live_server, "billing", problems)
            billing.get_by_role("link", name="Documents").click()
            billing.get_by_role("link", name="(draft)").first.click()
            billing.get_by_role("button", name="Issue").click()
            expect(billing.locator("#doc-status")).to_have_text("Issued")
            expect(billing.locator("#doc-number")).to_have_text("INV-000001")
            with billing.expect_download() as info:
                billing.locator("#pdf-link").click()
            path = info.value.path()
            with open(path, "rb") as fh:
                assert fh.read(4) == b"%PDF"
            assert info.value.suggested_filename == "INV-000001.pdf"
        finally:
            browser.close()

    assert ReplacementOrder.objects.get(pk=order.pk).status == "returned"
    doc.refresh_from_db()
    assert doc.status == "issued"
    assert problems == []
