"""Price lists per currency (R-CAT-1, R-MON-1): every charge takes the price of the
contract's or subscription's currency; a missing price is a refusal, never USD instead."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fleetcare.catalog.models import MissingPrice, ProductPrice
from fleetcare.contracts import options as contract_options
from fleetcare.replacements import services as rma
from tests.factories import (
    api,
    fleet_csv,
    make_case,
    pe_contract,
    pe_device,
    pe_replacement,
    subscribe,
    upload,
    video_model,
    voice_model,
)

pytestmark = pytest.mark.django_db


def _priced(model, currency, list_price, pe=None, daas=None):
    return ProductPrice.objects.create(
        product_model=model,
        currency=currency,
        list_price=Decimal(list_price),
        pe_yearly_price=Decimal(pe) if pe else None,
        daas_monthly_price=Decimal(daas) if daas else None,
    )


def test_r_cat_1_one_price_per_currency_never_converted():
    model = voice_model(currency="USD", list_price=Decimal("499.00"))
    _priced(model, "EUR", "459.00", "28.00", "27.50")
    assert model.list_price_in("USD") == Decimal("499.00")
    assert model.list_price_in("eur") == Decimal("459.00")
    assert model.daas_monthly_price_in("EUR") == Decimal("27.50")
    with pytest.raises(MissingPrice) as refused:
        model.list_price_in("GBP")
    message = refused.value.messages[0]
    assert model.sku in message and "GBP" in message


def test_r_mon_1_unreturned_charge_from_the_contract_currency_price_list(customer, agent):
    model = voice_model(currency="USD", list_price=Decimal("499.00"))
    _priced(model, "EUR", "459.00")
    order = pe_replacement(customer, agent, model, currency="EUR")
    charge = rma.raise_unreturned_charge(order)
    assert charge.currency == "EUR"
    assert [(ln.sku, ln.unit_price) for ln in charge.lines.all()] == [
        (model.sku, Decimal("459.00"))
    ]


def test_r_mon_1_unreturned_charge_refused_without_a_price_in_the_currency(customer, agent):
    model = voice_model(currency="USD", list_price=Decimal("499.00"))
    contract = pe_contract(customer, currency="GBP")
    case = make_case(
        customer,
        agent,
        entitlement="pe",
        product_model=model,
        device=pe_device(customer, model),
        contract=contract,
    )
    order = rma.request_replacement(
        actor=agent, case=case, cause="hardware_fault", delivery_site=customer.sites.first()
    )
    with pytest.raises(ValidationError, match=rf"{model.sku}.*GBP"):
        rma.raise_unreturned_charge(order)


def test_r_mon_1_daas_subscription_in_the_partner_currency(partner, partner_user, daas_customer):
    partner.currency = "CAD"
    partner.save()
    model = voice_model(currency="USD", daas_monthly_price=Decimal("30.00"))
    _priced(model, "CAD", "679.00", daas="41.00")
    sub = subscribe(partner_user, daas_customer, model, 2, delivered_on=date(2026, 1, 5))
    assert sub.currency == "CAD"
    assert {d.monthly_price for d in sub.devices.all()} == {Decimal("41.00")}

    only_usd = voice_model(currency="USD", daas_monthly_price=Decimal("30.00"))
    with pytest.raises(ValidationError) as refused:
        subscribe(partner_user, daas_customer, only_usd, 1)
    text = " ".join(refused.value.messages)
    assert only_usd.sku in text and "CAD" in text


def test_r_pe_8_options_priced_in_the_contract_currency(customer, billing_user):
    contract = pe_contract(customer, currency="GBP", extra_csm_blocks=1)
    order = contract_options.raise_options_order(contract, actor=billing_user)
    assert order.currency == "GBP"
    assert order.lines.get().unit_price == Decimal("7900.00")
    no_list = pe_contract(
        customer,
        currency="JPY",
        start=date(2027, 1, 1),
        end=date(2027, 12, 31),
        onsite_destruction=True,
    )
    with pytest.raises(ValidationError, match="JPY"):
        contract_options.raise_options_order(no_list, actor=billing_user)


@pytest.fixture
def fleet_in_eur(customer, customer_user):
    model = video_model(sku="STUDIO-X50", currency="USD")  # sold in USD only
    r = upload(api(customer_user), fleet_csv({"STUDIO-X50": 10}), as_of="2025-12-31")
    assert r.status_code == 201, r.content
    return model


def _create(csm, customer, currency):
    return csm.post(
        "/api/v1/contracts/enterprise",
        {
            "account_id": customer.pk,
            "start_date": "2026-01-01",
            "currency": currency,
            "categories": [
                {"category": "video", "installed": 10, "growth": 0, "unit_price": "60.00"}
            ],
        },
        content_type="application/json",
    )


def test_r_mon_1_contract_refused_when_a_counted_model_is_not_sold_in_its_currency(
    customer, vendor_user, fleet_in_eur
):
    csm = api(vendor_user("csm"))
    r = _create(csm, customer, "EUR")
    assert r.status_code == 422
    assert r["Content-Type"].startswith("application/problem+json")
    detail = r.json()["detail"]
    assert "STUDIO-X50" in detail and "EUR" in detail
    r = csm.get(f"/api/v1/contracts/enterprise/proposal?account_id={customer.pk}&currency=EUR")
    assert r.status_code == 422 and "STUDIO-X50" in r.json()["detail"]
    assert _create(csm, customer, "XYZ").status_code == 422  # not a currency we sell in
    r = _create(csm, customer, "USD")
    assert r.status_code == 201, r.content
    assert r.json()["currency"] == "USD"


def test_r_mon_1_the_portal_offers_only_supported_currencies(client, vendor_user):
    client.force_login(vendor_user("csm"))
    html = client.get("/contracts/new/").content.decode()
    for code in ("USD", "EUR", "GBP", "CAD"):
        assert f'<option value="{code}"' in html
