"""Documents a person can read and reconcile (R-MON-1, R-MON-2, R-DS-7): amounts in the
reader's locale with the currency, one language per document, one tax rate per customer,
the DaaS partner invoice grouped by customer and model with a device annex."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from fleetcare.billing.models import Document
from fleetcare.billing.pdf import render_document_html
from fleetcare.billing.services import LineSpec, create_document, tax_rate_for
from fleetcare.contracts import options as contract_options
from fleetcare.core.currency import format_count, format_money, format_percent
from fleetcare.core.jobs import run_job
from fleetcare.daas.invoicing import billed_devices
from tests.factories import (
    DistributorFactory,
    OrganisationFactory,
    api,
    pe_contract,
    subscribe,
    voice_model,
)

pytestmark = pytest.mark.django_db

NBSP = "\u202f"  # Babel's narrow no-break space, the French thousands separator


def test_r_mon_1_amounts_in_english_and_french():
    assert format_money(Decimal("14548.45"), "USD", "en") == "$14,548.45"
    assert format_money(Decimal("14548.45"), "EUR", "fr") == f"14{NBSP}548,45\xa0€"
    assert format_money(Decimal("14548.45"), "EUR", "en") == "€14,548.45"
    assert format_money(Decimal("-5"), "GBP", "en") == "-£5.00"
    assert format_money(Decimal("4877.25"), "CAD", "en") == "CA$4,877.25"
    assert format_percent(Decimal("19.00"), "fr") == "19\xa0%"
    assert format_percent(Decimal("5.50"), "en") == "5.5%"
    template = Template("{% load money %}{{ amount|money:'EUR' }} · {{ rate|percent }}")
    with translation.override("fr"):
        text = template.render(Context({"amount": Decimal("1234.5"), "rate": Decimal("20")}))
    assert text == f"1{NBSP}234,50\xa0€ · 20\xa0%"


def test_r_mon_1_counts_and_quantities_in_english_and_french():
    assert format_count(1324, "en") == "1,324"
    assert format_count(1324, "fr") == f"1{NBSP}324"
    assert format_count(Decimal("12.0000"), "fr") == "12"  # a document line's quantity
    assert format_count(Decimal("1234.5000"), "fr") == f"1{NBSP}234,5"
    assert format_count(Decimal("0.25"), "en") == "0.25"
    template = Template("{% load money %}{{ n|count }} · {{ none|count }}")
    with translation.override("fr"):
        assert template.render(Context({"n": 1500000, "none": None})) == f"1{NBSP}500{NBSP}000 · 0"


def test_r_mon_2_tax_rate_is_the_customers_on_every_document(billing_user):
    """Initech (DE) is taxed at the German rate, also on what goes to a French distributor."""
    initech = OrganisationFactory(name="Initech GmbH", country="DE", currency="EUR")
    french = DistributorFactory(name="EuroChannel", country="FR")
    assert tax_rate_for(initech) == Decimal("19")
    contract = pe_contract(
        initech, currency="EUR", distribution_partner=french, onsite_destruction=True
    )
    options = contract_options.raise_options_order(contract, actor=billing_user)
    services = contract_options.raise_professional_services_quote(
        contract, actor=billing_user, description="Workshop", hours=2
    )
    own = create_document(
        kind="invoice",
        purpose="options",
        account=initech,
        currency="EUR",
        title="T",
        lines=[LineSpec("x", 1, Decimal("100.00"))],
    )
    assert options.addressed_to == french
    assert {options.tax_rate, services.tax_rate, own.tax_rate} == {Decimal("19")}
    html = render_document_html(options)
    assert "Tax (19%)" in html and "Germany" in html


def test_r_mon_2_one_language_per_document_the_recipients(customer):
    customer.language = "fr"
    customer.save(update_fields=["language"])
    with translation.override("fr"):
        doc = create_document(
            kind="invoice",
            purpose="options",
            account=customer,
            currency="EUR",
            title="Frais",
            lines=[LineSpec("Chose", 3, Decimal("1000.10"))],
        )
    html = render_document_html(doc)  # whoever downloads it
    assert "Facture" in html and "Sous-total" in html and "Prix unitaire" in html
    assert "Subtotal" not in html and "Unit price" not in html
    assert f"3{NBSP}000,30\xa0€" in html
    # Status shown once: "Facture · Brouillon", never "Facture (brouillon) (Brouillon)".
    assert "(brouillon)" not in html.lower()
    assert doc.label == "Invoice"


def test_r_pe_3_upfront_lines_carry_service_skus(customer, vendor_user):
    from fleetcare.contracts.services import CategoryInput, create_contract
    from tests.factories import CategoryFactory

    CategoryFactory(code="video")
    contract = create_contract(
        actor=vendor_user("csm"),
        account=customer,
        start_date=date(2026, 1, 1),
        categories=[CategoryInput("video", 10, 2, Decimal("60.00"))],
    )
    skus = {ln.sku for ln in contract.upfront_order.lines.all()}
    assert skus == {"PPE-VIDEO-1Y"}


def test_r_ds_7_partner_invoice_grouped_by_customer_and_model_with_annex(
    partner, partner_user, daas_customer
):
    partner.currency = "CAD"
    partner.save()
    phone = voice_model(sku="CCX-500", name="CCX 500", daas_monthly_price=Decimal("23.00"))
    video = voice_model(sku="G7500", name="G7500", daas_monthly_price=Decimal("239.00"))
    sub = subscribe(partner_user, daas_customer, phone, 3, delivered_on=date(2026, 1, 5))
    subscribe(partner_user, daas_customer, video, 2, delivered_on=date(2026, 3, 20))
    for i, enrolment in enumerate(sub.devices.order_by("id")):
        enrolment.device.serial_number = f"SN-{i}"
        enrolment.device.save()
    run_job("billing.daas_monthly_invoices", datetime.fromisoformat("2026-04-01T02:00+00:00"))
    march = Document.objects.get(source_key=f"daas-invoice:{partner.pk}:2026-03")
    assert march.currency == "CAD"
    lines = [(ln.sku, ln.quantity, ln.unit_price, ln.amount) for ln in march.lines.all()]
    # Three phones the whole month; two video bars 12 of 31 days (239 × 12/31 = 92.52 each).
    assert lines == [
        ("CCX-500", Decimal(3), Decimal("23.00"), Decimal("69.00")),
        ("G7500", Decimal(2), Decimal("239.00"), Decimal("185.04")),
    ]
    annex = billed_devices(partner.pk, date(2026, 3, 1))
    assert len(annex) == 5 and {"SN-0", "SN-1", "SN-2"} <= {r.identifier for r in annex}
    html = render_document_html(march)
    assert "Annex: devices billed" in html and "SN-1" in html
    assert "CA$254.04" in html  # the customer's subtotal
    assert "12/31" in html


def test_r_ds_7_partner_invoice_pdf_renders(partner, partner_user, daas_customer):
    from fleetcare.billing.pdf import render_document_pdf

    subscribe(partner_user, daas_customer, voice_model(), 2, delivered_on=date(2026, 1, 5))
    run_job("billing.daas_monthly_invoices", datetime.fromisoformat("2026-03-01T02:00+00:00"))
    doc = Document.objects.filter(purpose="daas_monthly_invoice").first()
    assert render_document_pdf(doc).startswith(b"%PDF")


@pytest.mark.django_db(transaction=False)
def test_r_mon_1_demo_documents_of_eur_gbp_cad_accounts_in_their_currency():
    """Through the API, every money document of the demo's EUR, GBP and CAD accounts is in
    that currency, each model line priced from that currency's list."""
    from fleetcare.catalog.models import ProductModel
    from fleetcare.organisations.models import User

    call_command("demo", "--quiet")
    client = api(User.objects.get(username="billing"))
    docs = client.get("/api/v1/billing/documents?page_size=200").json()["items"]
    seen = set()
    models = {m.sku: m for m in ProductModel.objects.prefetch_related("prices")}
    for item in docs:
        doc = Document.objects.select_related("account").get(pk=item["id"])
        if doc.account.currency not in ("EUR", "GBP", "CAD"):
            continue
        seen.add(doc.account.currency)
        assert item["currency"] == doc.account.currency, item["title"]
        detail = client.get(f"/api/v1/billing/documents/{doc.pk}").json()
        for line in detail["lines"]:
            model = models.get(line["sku"])
            if model is None:
                continue
            entry = model.price_in(item["currency"])
            expected = {str(entry.list_price), str(entry.daas_monthly_price)}
            assert line["unit_price"] in expected, (item["title"], line)
    assert seen == {"EUR", "GBP", "CAD"}


def test_r_mon_2_lines_are_written_in_the_readers_language_and_issued_in_the_recipients(
    customer, vendor_user
):
    """A line stores a code and parameters: the PDF is in the recipient's language, the
    portal page and the API in the reader's; the text as issued is kept."""
    from django.test import Client

    from fleetcare.contracts.services import CategoryInput, create_contract
    from tests.factories import CategoryFactory, api

    CategoryFactory(code="video")
    customer.language = "fr"
    customer.save(update_fields=["language"])
    contract = create_contract(
        actor=vendor_user("csm"),
        account=customer,
        start_date=date(2026, 1, 1),
        categories=[CategoryInput("video", 10, 2, Decimal("60.00"))],
    )
    order = contract.upfront_order
    installed, growth = order.lines.order_by("position")
    assert (installed.text_code, installed.text_params["category"]) == (
        "billing.line.pe_installed",
        "video",
    )
    # As issued, in French (the recipient's), with French dates and percentage.
    assert installed.description == "Vidéo : appareils installés, 1 janvier 2026 – 31 décembre 2026"
    assert growth.description == "Vidéo : croissance convenue, part facturée à l’avance 50\xa0%"
    pdf_html = render_document_html(order)
    assert "Vidéo : appareils installés, 1 janvier 2026" in pdf_html
    # An English reader of the same document.
    billing = vendor_user("billing")
    client = Client()
    client.force_login(billing)
    page = client.get(f"/billing/{order.pk}/").content.decode()
    assert "Video: installed devices, 1 Jan 2026 – 31 Dec 2026" in page
    assert "Video: agreed growth, share billed upfront 50%" in page
    assert "appareils installés" not in page
    body = api(billing).get(f"/api/v1/billing/documents/{order.pk}").json()
    first = body["lines"][0]
    assert first["description"] == "Video: installed devices, 1 Jan 2026 – 31 Dec 2026"
    assert first["issued_description"] == installed.description
    assert first["text_code"] == "billing.line.pe_installed"
    assert first["text_params"] == {"category": "video", "start": "2026-01-01", "end": "2026-12-31"}


def test_r_ds_7_daas_lines_choose_their_plural_in_each_language():
    from fleetcare.billing import titles

    one = titles.LINE_DAAS_FULL_MONTH.message(customer="Northwind", model="CCX 500", n=1)
    many = titles.LINE_DAAS_PART_MONTH.message(
        customer="Northwind", model="CCX 500", n=3, active=12, days=31
    )
    with translation.override("en"):
        assert str(one) == "Northwind · CCX 500: 1 device, full month"
        assert str(many) == "Northwind · CCX 500: 3 devices, 12 of 31 days"
    with translation.override("fr"):
        assert str(one) == "Northwind · CCX 500 : 1 appareil, mois complet"
        assert str(many) == "Northwind · CCX 500 : 3 appareils, 12 jours sur 31"


def test_r_rma_4_a_generated_note_is_written_for_each_reader(customer, agent, vendor_user):
    from django.test import Client

    from fleetcare.replacements import services as rma
    from tests.factories import api, pe_replacement

    customer.language = "fr"
    customer.save(update_fields=["language"])
    model = voice_model(currency="EUR", list_price=Decimal("459.00"))
    charge = rma.raise_unreturned_charge(pe_replacement(customer, agent, model))
    english = "A return before this charge is invoiced cancels it."
    french = "Un retour avant la facturation de ces frais les annule."
    assert charge.notes_code == "billing.note.return_cancels_charge"
    assert charge.notes == french  # as issued, in the recipient's language
    assert french in render_document_html(charge)
    billing = vendor_user("billing")
    client = Client()
    client.force_login(billing)
    page = client.get(f"/billing/{charge.pk}/").content.decode()
    assert english in page and french not in page
    assert api(billing).get(f"/api/v1/billing/documents/{charge.pk}").json()["notes"] == english
    # Voiding with a reason keeps the note as issued and adds the reason.
    from fleetcare.billing.services import void_document

    void_document(charge, actor=billing, reason="posted twice")
    charge.refresh_from_db()
    assert charge.notes_code == "" and charge.notes.startswith(french + "\n")
