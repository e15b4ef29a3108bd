"""A case's life in each language, in a real Chromium (issue 14): a customer opens a
case, an agent answers and sets it waiting on the customer, escalates it and raises a
replacement; the customer reads the result. Every page on the way shows no text of the
other language of the catalogue and no raw code (tests/i18n/catalogue.py), and the
times name the reader's zone."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from fleetcare.support.models import Case
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
    pe_device,
)
from tests.i18n.catalogue import other_language, raw_codes
from tests.i18n.pages import data_texts, visible_text

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WORDS = {
    "en": {"opened": "Case opened", "status": "Status changed from", "zone": "CET"},
    "fr": {"opened": "Dossier ouvert", "status": "Statut passé de", "zone": "CET"},
}


def _login(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, url, username, PASSWORD)


def _submit(page, form_selector: str) -> None:
    page.locator(form_selector).locator("button[type=submit]").first.click()
    page.wait_for_load_state()


def _check(page, language: str, seen: list[str]) -> None:
    """No text of the other language, no raw code, on the page now shown."""
    names = data_texts()
    segments = [s for s in visible_text(page.content()) if s not in names]
    other = other_language(segments, language)
    codes = raw_codes(segments)
    assert not other, f"{page.url}: other language: {other}"
    assert not codes, f"{page.url}: raw codes: {codes}"
    seen.append(page.url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_r_sup_1_case_life_in_one_language_without_the_other_or_codes(live_server, language):
    today = timezone.localdate()
    vendor = VendorFactory(name="Poly")
    SiteFactory(organisation=vendor, name="Paris office", country="FR", time_zone="Europe/Paris")
    UserFactory(organisation=vendor, role="support_agent", username="agent", language=language)
    acme = OrganisationFactory(name="Acme SA", country="FR", language=language)
    SiteFactory(organisation=acme, name="Paris HQ", country="FR", time_zone="Europe/Paris")
    UserFactory(organisation=acme, role="customer_admin", username="acme", language=language)
    video = CategoryFactory(code="video")
    model = ProductModelFactory(name="Studio X50", category=video)
    active_pe_contract(
        acme,
        video,
        reference="PE-1",
        start=date(today.year - 1, 1, 1),
        end=date(today.year + 2, 12, 31),
    )
    device = pe_device(acme, model)
    words = WORDS[language]
    seen: list[str] = []
    problems: list[str] = []
    url = live_server.url
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(locale="fr-FR" if language == "fr" else "en-GB")
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

            # The customer opens a case.
            _login(page, url, "acme")
            expect(page.locator("html")).to_have_attribute("lang", language)
            page.goto(f"{url}/support/new/")
            _check(page, language, seen)
            page.locator("#id_product_model").select_option(str(model.pk))
            if page.locator("#id_device").count():  # the type-ahead device picker
                # choosing the model loads its devices; a serial narrows them
                if device.serial_number:
                    page.locator("#id_device").fill(device.serial_number)
                page.locator(f"#id_device-options input[value='{device.pk}']").check()
            page.locator("#id_severity").select_option("S2")
            page.locator("#id_subject").fill("Audio drops")
            page.locator("#id_description").fill("Every call since Monday.")
            _submit(page, "form:has(#id_subject)")
            case = Case.objects.get(subject="Audio drops")
            expect(page.locator("h1")).to_contain_text(case.reference)
            expect(page.locator("#timeline")).to_contain_text(words["opened"])
            expect(page.locator("#timeline")).to_contain_text(words["zone"])
            _check(page, language, seen)

            # The agent answers and waits on the customer.
            _login(page, url, "agent")
            page.goto(f"{url}/support/cases/{case.pk}/")
            _check(page, language, seen)
            page.locator("form[action$='/reply/'] textarea[name=body]").fill("Please send logs.")
            _submit(page, "form[action$='/reply/']")
            page.goto(f"{url}/support/cases/{case.pk}/")
            page.locator("form[action$='/status/'] select[name=status]").select_option(
                "waiting_on_customer"
            )
            _submit(page, "form[action$='/status/']")
            page.goto(f"{url}/support/cases/{case.pk}/")
            expect(page.locator("#timeline")).to_contain_text(words["status"])
            _check(page, language, seen)
            page.goto(f"{url}/support/queue/")
            _check(page, language, seen)

            # Escalation.
            page.goto(f"{url}/support/cases/{case.pk}/")
            page.locator("form[action$='/escalate/'] select[name=level]").select_option("2")
            page.locator("form[action$='/escalate/'] textarea[name=reason]").fill("Board meeting")
            _submit(page, "form[action$='/escalate/']")
            page.goto(f"{url}/support/cases/{case.pk}/")
            expect(page.locator("#timeline")).to_contain_text("Board meeting")
            _check(page, language, seen)
            page.goto(f"{url}/support/escalations/")
            _check(page, language, seen)

            # Replacement.
            page.goto(f"{url}/support/cases/{case.pk}/")
            page.locator("#raise-replacement").click()
            page.wait_for_load_state()
            _check(page, language, seen)
            page.locator("select[name=cause]").select_option("hardware_fault")
            page.locator("select[name=delivery_site]").select_option(label="Paris HQ (FR)")
            page.locator("textarea[name=fault_description]").fill("No video output")
            _submit(page, "form.card")
            assert page.locator(".form-errors, .field-error").all_inner_texts() == []
            expect(page.locator("h1")).to_contain_text("RMA-")
            _check(page, language, seen)

            # The customer reads the case.
            _login(page, url, "acme")
            page.goto(f"{url}/support/cases/{case.pk}/")
            expect(page.locator("#timeline")).to_contain_text("Please send logs.")
            expect(page.locator("#timeline")).not_to_contain_text("Board meeting")  # internal
            _check(page, language, seen)
        finally:
            browser.close()
    assert problems == []
    assert len(seen) >= 10
