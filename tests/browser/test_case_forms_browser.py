"""Issue 14 in a real browser: an agent enters a phone case with the type-ahead pickers
(requester of the account, device of the chosen model searched by serial or site), and
a customer's refused reply keeps what they typed."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from fleetcare.fleet.models import Device
from fleetcare.support import services
from fleetcare.support.models import Case, CaseEvent
from tests.browser.chromium import launch, log_in
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

TYPED = "Since Monday the Studio X50 in room 4 loses audio after ten minutes; two docks tried."


def _login(page, url: str, username: str) -> None:
    log_in(page, url, username, PASSWORD)


def _world():
    today = timezone.localdate()
    vendor = VendorFactory(name="Poly")
    UserFactory(organisation=vendor, role="support_agent", username="agent")
    acme = OrganisationFactory(name="Acme SA", country="FR")
    paris = SiteFactory(organisation=acme, name="Paris HQ", country="FR", time_zone="Europe/Paris")
    lyon = SiteFactory(organisation=acme, name="Lyon plant", country="FR", time_zone="Europe/Paris")
    admin = UserFactory(organisation=acme, role="customer_admin", username="acme-admin")
    caller = UserFactory(
        organisation=acme,
        role="customer_admin",
        username="jdupont",
        first_name="Jeanne",
        last_name="Dupont",
    )
    globex = OrganisationFactory(name="Globex Inc", country="US", currency="USD")
    austin = SiteFactory(organisation=globex, name="Austin", country="US", time_zone="UTC")
    UserFactory(
        organisation=globex, role="customer_admin", username="globex-dupont", last_name="Dupont"
    )
    video = CategoryFactory(code="video")
    model = ProductModelFactory(name="Studio X50", category=video)
    other_model = ProductModelFactory(name="G7500", category=video)
    active_pe_contract(
        acme,
        video,
        reference="PE-1",
        start=date(today.year - 1, 1, 1),
        end=date(today.year + 2, 12, 31),
    )

    def device(account, site, serial, m=model):
        return Device.objects.create(
            account=account,
            site=site,
            product_model=m,
            serial_number=serial,
            first_seen_on=today,
            last_seen_on=today,
        )

    devices = {
        "lyon": device(acme, lyon, "SX-LY-1"),
        "paris": device(acme, paris, "SX-PA-2"),
        "g7500": device(acme, lyon, "G7-LY-3", other_model),
        "globex": device(globex, austin, "SX-GX-9"),
    }
    return {"acme": acme, "admin": admin, "caller": caller, "model": model, **devices}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_enters_a_phone_case_with_the_pickers(live_server):
    w = _world()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            _login(page, live_server.url, "agent")
            page.goto(f"{live_server.url}/support/new/")
            expect(page.get_by_text("Choose the account first.")).to_be_visible()
            page.get_by_label("Account").select_option(label="Acme SA")
            # Requester: people of Acme only (Globex's Dupont is never offered).
            page.get_by_label("Requester").fill("dupont")
            expect(page.get_by_label("Jeanne Dupont")).to_be_visible()
            expect(page.locator("#id_requester-options input[type=radio]")).to_have_count(1)
            page.get_by_label("Jeanne Dupont").check()
            # Device: Acme's Studio X50s only, searched by site.
            page.get_by_label("Product model").select_option(label=str(w["model"]))
            expect(page.get_by_label("Studio X50 · SX-PA-2")).to_be_visible()
            options = page.locator("#id_device-options")
            expect(options).not_to_contain_text("SX-GX-9")
            expect(options).not_to_contain_text("G7-LY-3")
            page.get_by_label("Device (optional)").fill("lyon")
            expect(options.locator("input[type=radio]")).to_have_count(1)
            page.get_by_label("Studio X50 · SX-LY-1").check()
            page.get_by_label("Severity").select_option("S2")
            page.get_by_label("Subject").fill("Caller: no audio")
            page.get_by_label("Description").fill(TYPED)
            page.get_by_role("button", name="Open the case").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Caller: no audio")
            case = Case.objects.get(subject="Caller: no audio")
            expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
            expect(page.locator(".facts").first).to_contain_text("Jeanne Dupont")
        finally:
            browser.close()
    assert case.requester == w["caller"] and case.device == w["lyon"]
    assert case.channel == "phone"
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_customers_refused_reply_keeps_the_typed_text(live_server):
    w = _world()
    case = services.open_case(
        actor=w["admin"],
        data=services.OpenCaseInput(
            product_model=w["model"], severity="S3", subject="Audio drops", description="x"
        ),
    )
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            _login(page, live_server.url, "acme-admin")
            page.goto(f"{live_server.url}/support/cases/{case.pk}/")
            reply = page.locator("#reply-form")
            expect(reply).to_be_visible()
            # No agent-only control is offered to the customer.
            expect(page.get_by_label("Internal note (agents only)")).to_have_count(0)
            expect(page.locator("#work")).to_have_count(0)
            reply.get_by_label("Message").fill(TYPED)
            reply.get_by_label("Attachment").set_input_files(
                files=[
                    {
                        "name": "tool.exe",
                        "mimeType": "application/octet-stream",
                        "buffer": b"MZ\x90\x00 not a log",
                    }
                ]
            )
            reply.get_by_role("button", name="Send").click()
            expect(page.get_by_text("Nothing was saved: see the form below.")).to_be_visible()
            expect(page.locator("#reply-form").get_by_label("Message")).to_have_value(TYPED)
            expect(
                page.locator("#reply-form .form-errors, #reply-form .field-error")
            ).not_to_have_count(0)
            # Without the file the same text goes through.
            page.locator("#reply-form").get_by_role("button", name="Send").click()
            expect(page.get_by_text("Reply sent.")).to_be_visible()
        finally:
            browser.close()
    assert CaseEvent.objects.filter(case=case, kind="reply", body=TYPED).count() == 1
    assert problems == []
