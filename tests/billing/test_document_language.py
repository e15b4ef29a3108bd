"""Texts stored on documents are written in the recipient organisation's language;
errors are in the language of the request."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fleetcare.billing import services as billing
from fleetcare.billing.models import Document
from fleetcare.billing.services import LineSpec, create_document
from fleetcare.core.jobs import run_job
from tests.factories import api, subscribe, voice_model

pytestmark = pytest.mark.django_db


def test_daas_invoice_is_written_in_the_partners_language(partner, partner_user, daas_customer):
    partner.language = "fr"
    partner.save(update_fields=["language"])
    model = voice_model(daas_monthly_price=Decimal("30.00"))
    subscribe(partner_user, daas_customer, model, 1, delivered_on=date(2026, 3, 20), term_months=1)
    run_job("billing.daas_monthly_invoices", datetime.fromisoformat("2026-04-01T02:00+00:00"))
    march = Document.objects.get(source_key=f"daas-invoice:{partner.pk}:2026-03")
    assert march.title == "Device-as-a-Service — mars 2026"
    assert "1 appareil, 12 jours sur 31" in march.lines.get().description
    # The request's language is left as it was.
    assert translation.get_language() == "en"


def test_credit_note_in_the_recipients_language(customer, billing_user):
    customer.language = "fr"
    customer.save(update_fields=["language"])
    doc = create_document(
        kind="invoice",
        purpose="options",
        account=customer,
        currency="EUR",
        title="Test",
        lines=[LineSpec("Thing", 1, Decimal("10.00"))],
    )
    doc = billing.issue_document(doc, actor=billing_user)
    note = billing.credit_invoice(doc, actor=billing_user)
    assert note.title == f"Avoir sur {doc.number}"


def test_errors_follow_the_active_language(customer, billing_user):
    doc = create_document(
        kind="invoice",
        purpose="options",
        account=customer,
        currency="EUR",
        title="Test",
        lines=[LineSpec("Thing", 1, Decimal("10.00"))],
    )
    with pytest.raises(ValidationError, match="Unknown action 'x'"):
        billing.billing_action(doc, actor=billing_user, action="x")
    with translation.override("fr"), pytest.raises(ValidationError, match="Action inconnue"):
        billing.billing_action(doc, actor=billing_user, action="x")


def test_a_title_follows_the_reader_the_pdf_the_recipient(customer, billing_user):
    """Issue 14: a document's title is a code with parameters: the French recipient's
    PDF says "Avoir sur …", the English billing clerk's page "Credit note for …"."""
    from django.test import Client
    from django.urls import reverse

    from fleetcare.billing.pdf import render_document_html

    customer.language = "fr"
    customer.save(update_fields=["language"])
    doc = create_document(
        kind="invoice",
        purpose="options",
        account=customer,
        currency="EUR",
        title="Test",
        lines=[LineSpec("Thing", 1, Decimal("10.00"))],
    )
    doc = billing.issue_document(doc, actor=billing_user)
    note = billing.credit_invoice(doc, actor=billing_user)
    assert note.title_code == "billing.title.credit_note"
    assert note.title_params == {"number": doc.number}
    assert f"Avoir sur {doc.number}" in render_document_html(note)
    c = Client()
    c.force_login(billing_user)
    page = c.get(reverse("billing:document_detail", args=[note.pk])).content.decode()
    assert f"Credit note for {doc.number}" in page and "Avoir sur" not in page
    c.cookies["django_language"] = "fr"
    page = c.get(reverse("billing:document_detail", args=[note.pk])).content.decode()
    assert f"Avoir sur {doc.number}" in page
    body = api(billing_user).get(f"/api/v1/billing/documents/{note.pk}").json()
    assert body["title"] == f"Credit note for {doc.number}"
