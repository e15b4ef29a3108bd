"""Money documents: DaaS monthly invoices, options, professional services, actions, PDF."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fleetcare.billing import services as billing
from fleetcare.billing.models import Document
from fleetcare.billing.services import LineSpec, create_document
from fleetcare.contracts import options as contract_options
from fleetcare.core.jobs import run_job
from fleetcare.daas import invoicing as daas_invoicing
from tests.factories import (
    OrganisationFactory,
    PartnerFactory,
    SiteFactory,
    UserFactory,
    link_partner,
    pe_contract,
    subscribe,
    voice_model,
)

pytestmark = pytest.mark.django_db


def _auth(user):
    from fleetcare.organisations.models import ApiToken

    _, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_r_ds_7_monthly_invoices_partial_first_and_last_month(partner, partner_user, daas_customer):
    model = voice_model(daas_monthly_price=Decimal("30.00"))
    # 1-month term delivered 20 March: 20 Mar – 19 Apr.
    subscribe(partner_user, daas_customer, model, 2, delivered_on=date(2026, 3, 20), term_months=1)
    first = run_job(
        "billing.daas_monthly_invoices", datetime.fromisoformat("2026-04-01T02:00+00:00")
    )
    assert first == {"invoices": 1}  # March, the month just ended
    # Missed runs are caught up from the partner's last invoice: here April.
    result = run_job(
        "billing.daas_monthly_invoices", datetime.fromisoformat("2026-07-01T02:00+00:00")
    )
    assert result == {"invoices": 1}  # May and June have no active device: no invoice
    march = Document.objects.get(source_key=f"daas-invoice:{partner.pk}:2026-03")
    april = Document.objects.get(source_key=f"daas-invoice:{partner.pk}:2026-04")
    # March: 12 of 31 days → 30 × 12/31 = 11.61 each; April: 19 of 30 days → 19.00 each.
    # One line per customer and model (quantity = devices), the sum of the devices' fees.
    assert [(ln.quantity, ln.amount) for ln in march.lines.all()] == [(2, Decimal("23.22"))]
    assert [(ln.quantity, ln.amount) for ln in april.lines.all()] == [(2, Decimal("38.00"))]
    assert march.subtotal == Decimal("23.22") and april.subtotal == Decimal("38.00")
    assert march.status == "issued" and march.number.startswith("INV-")
    assert march.addressed_to == partner and march.tax_rate == Decimal("5")  # CA
    again = run_job(
        "billing.daas_monthly_invoices", datetime.fromisoformat("2026-07-02T02:00+00:00")
    )
    assert again == {"invoices": 0}
    assert Document.objects.filter(purpose="daas_monthly_invoice").count() == 2


def test_r_ds_7_full_month_and_one_invoice_per_partner(partner, partner_user, daas_customer):
    subscribe(
        partner_user,
        daas_customer,
        voice_model(daas_monthly_price=Decimal("30.00")),
        3,
        delivered_on=date(2026, 1, 1),
    )
    other = PartnerFactory(name="Thames")
    other_user = UserFactory(organisation=other, role="partner", username="thames")
    contoso = OrganisationFactory(name="Contoso", country="GB", currency="GBP")
    SiteFactory(organisation=contoso, name="London", country="GB", time_zone="Europe/London")
    link_partner(other, contoso)
    subscribe(
        other_user,
        contoso,
        voice_model(daas_monthly_price=Decimal("25.00")),
        1,
        delivered_on=date(2026, 1, 15),
    )
    docs = daas_invoicing.raise_daas_monthly_invoices(date(2026, 2, 1))
    assert {(d.addressed_to.name, d.subtotal) for d in docs} == {
        (partner.name, Decimal("90.00")),
        ("Thames", Decimal("25.00")),
    }
    assert daas_invoicing.raise_daas_monthly_invoices(date(2026, 2, 1)) == []


def test_professional_services_at_the_contract_discount(customer, billing_user, distributor):
    contract = pe_contract(
        customer, professional_services_discount=Decimal("15"), distribution_partner=distributor
    )
    quote = contract_options.raise_professional_services_quote(
        contract,
        actor=billing_user,
        description="Room design workshop",
        hours=10,
        hourly_rate=Decimal("180.00"),
    )
    assert quote.kind == "quote" and quote.addressed_to == distributor
    assert quote.subtotal == Decimal("1530.00")  # 10 × 180 × 0.85


def test_options_order(customer, billing_user):
    """R-PE-8 / R-MON-1: the options priced from the contract currency's (EUR) price list."""
    contract = pe_contract(
        customer, extra_csm_blocks=2, technical_account_management=True, onsite_destruction=True
    )
    assert contract.currency == "EUR"
    order = contract_options.raise_options_order(contract, actor=billing_user)
    assert order.currency == "EUR"
    assert [(line.sku, line.amount) for line in order.lines.all()] == [
        ("OPT-CSM-BLOCK", Decimal("18200.00")),  # 2 × 9 100.00 EUR
        ("OPT-TAM", Decimal("28500.00")),
        ("OPT-DESTRUCTION", Decimal("1450.00")),
    ]
    assert contract_options.raise_options_order(contract, actor=billing_user) == order  # idempotent
    bare = pe_contract(customer, start=date(2027, 1, 1), end=date(2027, 12, 31))
    with pytest.raises(ValidationError, match="no paid options"):
        contract_options.raise_options_order(bare, actor=billing_user)


def _draft(customer, title="Test"):
    return create_document(
        kind="invoice",
        purpose="options",
        account=customer,
        currency="EUR",
        title=title,
        lines=[LineSpec("Thing", 2, Decimal("10.00"))],
    )


def test_only_billing_acts_and_invoices_are_credited_not_edited(
    client, customer, customer_user, billing_user, vendor_user
):
    doc = _draft(customer)
    agent = vendor_user("support_agent")
    with pytest.raises(PermissionDenied):
        billing.billing_action(doc, actor=agent, action="issue")
    response = client.post(f"/api/v1/billing/documents/{doc.pk}/issue", **_auth(billing_user))
    assert response.status_code == 200
    assert response.json()["number"].startswith("INV-")
    assert response.json()["total"] == "24.00"  # 20 + 20 % FR tax
    void = client.post(
        f"/api/v1/billing/documents/{doc.pk}/void",
        {"reason": "x"},
        content_type="application/json",
        **_auth(billing_user),
    )
    assert void.status_code == 422 and "credit note" in void.json()["detail"]
    credit = client.post(
        f"/api/v1/billing/documents/{doc.pk}/credit",
        {"reason": "wrong"},
        content_type="application/json",
        **_auth(billing_user),
    )
    assert credit.status_code == 200
    assert credit.json()["kind"] == "credit_note" and credit.json()["total"] == "-24.00"
    # The customer sees its issued invoice and credit note, never drafts.
    _draft(customer, "Hidden draft")
    seen = client.get("/api/v1/billing/documents", **_auth(customer_user)).json()
    assert seen["count"] == 2


def test_pdf_download(client, customer, billing_user):
    doc = billing.issue_document(_draft(customer), actor=billing_user)
    response = client.get(f"/api/v1/billing/documents/{doc.pk}/pdf", **_auth(billing_user))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(billing_user)
    page = client.get(f"/billing/{doc.pk}/pdf/")
    assert page.status_code == 200 and page.content.startswith(b"%PDF")


def test_r_ten_1_partner_sees_its_invoices_only(
    client, partner, partner_user, daas_customer, customer, customer_user
):
    subscribe(partner_user, daas_customer, voice_model(), 1, delivered_on=date(2026, 1, 1))
    daas_invoicing.raise_daas_monthly_invoices(date(2026, 2, 1))
    billing.issue_document(_draft(customer), actor=None)
    rival = UserFactory(organisation=PartnerFactory(name="Rival"), role="partner")
    assert client.get("/api/v1/billing/documents", **_auth(partner_user)).json()["count"] == 1
    assert client.get("/api/v1/billing/documents", **_auth(rival)).json()["count"] == 0
    assert client.get("/api/v1/billing/documents", **_auth(customer_user)).json()["count"] == 1
    inv = Document.objects.get(purpose="daas_monthly_invoice")
    assert client.get(f"/api/v1/billing/documents/{inv.pk}", **_auth(rival)).status_code == 404


def test_document_list_constant_queries(
    client, customer, billing_user, django_assert_max_num_queries
):
    for i in range(12):
        _draft(customer, f"Doc {i}")
    headers = _auth(billing_user)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/billing/documents", **headers).json()["count"] == 12
    client.force_login(billing_user)
    with django_assert_max_num_queries(14):
        assert client.get("/billing/").status_code == 200


def test_portal_issue_button(client, customer, billing_user):
    doc = _draft(customer)
    client.force_login(billing_user)
    page = client.get(f"/billing/{doc.pk}/")
    assert b"Issue" in page.content
    response = client.post(f"/billing/{doc.pk}/issue/")
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.status == "issued"
