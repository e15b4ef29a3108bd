"""A certified partner opens a case for its DaaS customer's device in the portal; an
agent then sees it at the top of the queue with its deadline (R-DS-6, R-SUP-2)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from fleetcare.daas.models import SubscribedDevice, Subscription
from fleetcare.fleet.models import Device
from fleetcare.support import services
from fleetcare.support.models import Case
from tests.browser.chromium import launch, log_in
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    OrganisationFactory,
    PartnerFactory,
    ProductModelFactory,
    SiteFactory,
    UserFactory,
    VendorFactory,
    active_pe_contract,
    link_partner,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _login(page, url: str, username: str) -> None:
    log_in(page, url, username, PASSWORD)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_partner_opens_daas_case_and_agent_sees_it_first_in_queue(live_server):
    today = timezone.localdate()
    vendor = VendorFactory(name="Poly")
    UserFactory(organisation=vendor, role="support_agent", username="agent")
    partner = PartnerFactory(name="Maple Leaf Communications", country="CA")
    SiteFactory(
        organisation=partner,
        name="Toronto office",
        country="CA",
        subdivision="CA-ON",
        time_zone="America/Toronto",
    )
    UserFactory(organisation=partner, role="partner", username="maple")
    northwind = OrganisationFactory(name="Northwind Logistics", country="CA", currency="CAD")
    nw_site = SiteFactory(
        organisation=northwind,
        name="Montreal",
        country="CA",
        subdivision="CA-QC",
        time_zone="America/Toronto",
    )
    link_partner(partner, northwind)
    video = CategoryFactory(code="video")
    model = ProductModelFactory(name="Studio X50", category=video)
    device = Device.objects.create(
        account=northwind,
        site=nw_site,
        product_model=model,
        serial_number="NW-0001",
        first_seen_on=today,
        last_seen_on=today,
    )
    sub = Subscription.objects.create(
        reference="DS-NW-1",
        partner=partner,
        customer=northwind,
        site=nw_site,
        currency="CAD",
    )
    SubscribedDevice.objects.create(
        subscription=sub,
        device=device,
        product_model=model,
        monthly_price=Decimal("25"),
        enrolled_on=today - timedelta(days=30),
        delivered_on=today - timedelta(days=29),
        term_start=today - timedelta(days=29),
        term_end=today + timedelta(days=1000),
    )
    # A P+E case whose deadline is far later, so the DaaS case must come first.
    acme = OrganisationFactory(name="Acme SA", country="FR")
    acme_admin = UserFactory(organisation=acme, role="customer_admin", username="acme-admin")
    active_pe_contract(
        acme,
        video,
        reference="PE-1",
        start=date(today.year - 1, 1, 1),
        end=date(today.year + 2, 12, 31),
    )
    later = services.open_case(
        actor=acme_admin,
        data=services.OpenCaseInput(
            product_model=model, severity="S4", subject="Question on menus", description="How do I…"
        ),
        now=timezone.now() + timedelta(days=6),
    )

    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on(
                "console", lambda msg: problems.append(msg.text) if msg.type == "error" else None
            )

            _login(page, live_server.url, "maple")
            page.goto(f"{live_server.url}/support/new/")
            page.get_by_label("Account").select_option(label="Northwind Logistics")
            page.get_by_label("Product model").select_option(label=str(model))
            # The device picker: the account's devices of that model, searched by serial.
            page.get_by_label("Device (optional)").fill("NW-00")
            page.get_by_label("Studio X50 · NW-0001").check()
            page.get_by_label("Severity").select_option("S1")
            page.get_by_label("Subject").fill("Room system reboots")
            page.get_by_label("Description").fill("Reboots every hour since the update.")
            page.get_by_role("button", name="Open the case").click()
            expect(page.locator("#entitlement")).to_contain_text(
                "Device-as-a-Service"
            )  # the programme name
            case = Case.objects.get(subject="Room system reboots")
            expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
            page.context.clear_cookies()

            _login(page, live_server.url, "agent")
            page.goto(f"{live_server.url}/support/queue/")
            first = page.locator("#queue tbody tr").first
            expect(first).to_have_attribute("data-reference", case.reference)
            expect(first.locator(".case-due time")).to_have_attribute(
                "datetime",
                case.earliest_due.astimezone(timezone.get_current_timezone()).isoformat(),
            )
            expect(first.locator(".case-left")).to_contain_text("business hours")
            second = page.locator("#queue tbody tr").nth(1)
            expect(second).to_have_attribute("data-reference", later.reference)
        finally:
            browser.close()
    assert problems == []
