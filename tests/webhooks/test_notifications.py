"""E-mails on the webhook events, in each recipient's language: replacement shipped
(carrier, tracking), delivered, overdue; quote issued; charge raised."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fleetcare.billing.models import DocumentKind, DocumentPurpose
from fleetcare.billing.services import LineSpec, create_document, issue_document
from fleetcare.replacements import services as rma
from tests.factories import UserFactory, at, make_case, pe_contract, pe_device, voice_model


@pytest.fixture
def french_admin(customer_user):
    customer_user.language = "fr"
    customer_user.email = "it@acme.test"
    customer_user.save()
    return customer_user


@pytest.fixture
def order(customer, french_admin, vendor_user):
    model = voice_model(list_price=Decimal("499.00"), name="CCX 400")
    case = make_case(
        customer,
        french_admin,
        entitlement="pe",
        product_model=model,
        device=pe_device(customer, model),
        contract=pe_contract(customer),
    )
    return rma.request_replacement(
        actor=vendor_user("support_agent"),
        case=case,
        cause="hardware_fault",
        delivery_site=customer.sites.first(),
        now=at("2026-04-27 09:00"),
    )


def test_r_rma_2_shipped_delivered_overdue_emails_in_the_recipients_language(
    order, vendor_user, customer, mailoutbox, django_capture_on_commit_callbacks
):
    english = UserFactory(
        organisation=customer, role="customer_admin", email="en@acme.test", language="en"
    )
    agent, ops = vendor_user("support_agent"), vendor_user("service_operations")
    with django_capture_on_commit_callbacks(execute=True):
        rma.approve(order, actor=agent, now=at("2026-04-28 10:00"))
    assert mailoutbox == []  # approval: a webhook, no e-mail
    with django_capture_on_commit_callbacks(execute=True):
        rma.ship(
            order, actor=ops, carrier="DHL", tracking_number="JD0001", now=at("2026-04-28 17:00")
        )
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"it@acme.test", english.email}
    fr, en = by_address["it@acme.test"], by_address[english.email]
    assert "a été expédié" in fr.subject and "DHL" in fr.body and "JD0001" in fr.body
    assert "has shipped" in en.subject and "Carrier: DHL" in en.body
    assert f"/replacements/{order.pk}/" in en.body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rma.deliver(order, actor=ops, delivered_on=date(2026, 4, 30))
    fr = next(m for m in mailoutbox if m.to == ["it@acme.test"])
    assert "livré" in fr.subject and "renvoyer" in fr.body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rma.mark_overdue_returns(at("2026-05-20 09:00"))
    subjects = sorted(m.subject for m in mailoutbox)
    assert any("overdue" in s for s in subjects) and any("en retard" in s for s in subjects)


def test_charge_raised_email_when_the_charge_is_issued(
    order, vendor_user, mailoutbox, django_capture_on_commit_callbacks
):
    agent, ops = vendor_user("support_agent"), vendor_user("service_operations")
    rma.approve(order, actor=agent, now=at("2026-04-28 10:00"))
    rma.ship(order, actor=ops, carrier="DHL", tracking_number="JD0001", now=at("2026-04-28 17:00"))
    rma.deliver(order, actor=ops, delivered_on=date(2026, 4, 30))
    rma.mark_overdue_returns(at("2026-05-20 09:00"))
    order.refresh_from_db()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        charge = issue_document(order.charge_document, actor=vendor_user("billing"))
    [mail] = [m for m in mailoutbox if m.to == ["it@acme.test"]]
    assert mail.subject == f"Frais {charge.number}"
    # In French, with a decimal comma.
    assert f"{str(charge.total).replace('.', ',')} {charge.currency}" in mail.body
    assert charge.total > Decimal("499")
    assert "Facturation d’unité non retournée" in mail.body


def test_quote_issued_email_goes_to_the_distribution_partner(
    customer, distributor, vendor_user, mailoutbox, django_capture_on_commit_callbacks
):
    dist = UserFactory(
        organisation=distributor, role="distributor", email="sales@dist.test", language="en"
    )
    quote = create_document(
        kind=DocumentKind.QUOTE,
        purpose=DocumentPurpose.PE_ADJUSTMENT_QUOTE,
        account=customer,
        addressed_to=distributor,
        currency="EUR",
        title="Adjustment",
        lines=[LineSpec("11 × video", 11, Decimal("60.00"), Decimal("0.5"))],
    )
    with django_capture_on_commit_callbacks(execute=True):
        quote = issue_document(quote, actor=vendor_user("billing"))
    assert [m.to for m in mailoutbox] == [[dist.email]]
    assert mailoutbox[0].subject == f"Quote {quote.number}"
    assert f"{quote.total} EUR" in mailoutbox[0].body and quote.subtotal == Decimal("330.00")
