"""Every paid option billed from the portal (R-PE-8, R-MON-2): billing raises the options
order and professional-services quotes from the contract page, which lists what has been
billed; the API does the same."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from fleetcare.billing.models import Document
from tests.factories import api, pe_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(customer, distributor):
    return pe_contract(
        customer,
        currency="EUR",
        distribution_partner=distributor,
        extra_csm_blocks=2,
        technical_account_management=True,
        onsite_destruction=True,
        professional_services_discount=Decimal("15"),
    )


def _page(client, contract):
    return client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()


def test_r_pe_8_billing_raises_the_options_order_from_the_contract_page(
    client, vendor_user, contract
):
    billing = vendor_user("billing")
    client.force_login(billing)
    html = _page(client, contract)
    assert 'id="billing-actions"' in html and "Nothing billed yet." in html
    r = client.post(reverse("contracts:raise_options", args=[contract.pk]))
    assert r.status_code == 302
    order = Document.objects.get(source_key=f"options:{contract.pk}")
    assert order.currency == "EUR" and order.addressed_to == contract.distribution_partner
    lines = list(order.lines.all())
    assert [ln.sku for ln in lines] == ["OPT-CSM-BLOCK", "OPT-TAM", "OPT-DESTRUCTION"]
    assert lines[0].quantity == 2 and "8 hours a month each" in lines[0].description
    html = _page(client, contract)
    assert reverse("billing:document_detail", args=[order.pk]) in html
    # 18 200 + 28 500 + 1 450 EUR, plus French VAT 20 %
    assert "Paid options" in html and "€57,780.00" in html


def test_r_pe_8_professional_services_at_the_contract_discount_from_the_page(
    client, vendor_user, contract
):
    client.force_login(vendor_user("billing"))
    url = reverse("contracts:raise_professional_services", args=[contract.pk])
    refused = client.post(url, {"description": "Room design workshop", "hours": "0"})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'value="Room design workshop"' in html  # what was typed is kept
    assert "Hours must be positive." in html or "greater than or equal" in html
    assert not Document.objects.filter(purpose="professional_services").exists()
    ok = client.post(url, {"description": "Room design workshop", "hours": "10"})
    assert ok.status_code == 302
    second = client.post(url, {"description": "Follow-up", "hours": "2", "hourly_rate": "100"})
    assert second.status_code == 302
    quotes = Document.objects.filter(purpose="professional_services").order_by("id")
    assert [q.subtotal for q in quotes] == [Decimal("1445.00"), Decimal("170.00")]  # 10×170×0.85
    # Written in the recipient's language, the rate as that language writes it.
    assert quotes[0].lines.get().description == "Room design workshop (contract discount 15%)"
    contract.distribution_partner.language = "fr"
    contract.distribution_partner.save(update_fields=["language"])
    client.post(url, {"description": "Atelier", "hours": "1"})
    french = Document.objects.filter(purpose="professional_services").latest("id")
    assert french.lines.get().description == "Atelier (remise contractuelle de 15\xa0%)"
    html = _page(client, contract)
    for q in quotes:
        assert reverse("billing:document_detail", args=[q.pk]) in html


def test_r_pe_8_only_billing_is_offered_and_may_raise(client, vendor_user, contract):
    client.force_login(vendor_user("csm"))
    html = _page(client, contract)
    assert 'id="billing-actions"' not in html
    assert client.post(reverse("contracts:raise_options", args=[contract.pk])).status_code == 403
    r = client.post(
        reverse("contracts:raise_professional_services", args=[contract.pk]),
        {"description": "x", "hours": "1"},
    )
    assert r.status_code == 403
    assert not Document.objects.exists()


def test_r_mon_2_the_api_raises_the_same_documents(vendor_user, contract):
    billing = api(vendor_user("billing"))
    r = billing.post(f"/api/v1/billing/contracts/{contract.pk}/options")
    assert r.status_code in (200, 201), r.content
    r = billing.post(
        f"/api/v1/billing/contracts/{contract.pk}/professional-services",
        {"description": "Workshop", "hours": "4"},
        content_type="application/json",
    )
    assert r.status_code in (200, 201), r.content
    assert r.json()["currency"] == "EUR" and r.json()["subtotal"] == "578.00"  # 4×170×0.85
