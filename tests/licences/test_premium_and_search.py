"""R-PE-8: the premium device-management flag per account (on while an account-wide
contract whose programme brings it is in force), for the customer and the API;
R-POR-1: the catalogue search finds spare parts and their models."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from fleetcare.catalog.models import SparePart
from fleetcare.contracts.models import ContractStatus, EnterpriseContract
from fleetcare.core.programmes import ProgrammeKind, codes
from fleetcare.licences.services import premium_status
from tests.factories import pe_contract

pytestmark = pytest.mark.django_db


def test_r_pe_8_premium_follows_the_contract_in_force(customer, in_force):
    assert premium_status(customer).premium is False
    contract = pe_contract(customer, start=in_force["start"], end=in_force["end"])
    status = premium_status(customer)
    assert status.premium and status.contract_reference == contract.reference
    assert status.until == in_force["end"]
    assert premium_status(customer, in_force["end"] + timedelta(days=1)).premium is False
    EnterpriseContract.objects.filter(pk=contract.pk).update(status=ContractStatus.CANCELLED)
    assert premium_status(customer).premium is False


def test_r_pe_8_premium_is_a_programme_feature_not_a_name():
    wide = codes(ProgrammeKind.ACCOUNT_WIDE, premium_device_management=True)
    assert wide and not codes(ProgrammeKind.PER_DEVICE, premium_device_management=True)


def test_r_pe_8_the_customer_sees_its_flag_and_the_api_answers_tenant_scoped(
    client, api_client, customer, customer_user, other_customer, in_force
):
    pe_contract(customer, start=in_force["start"], end=in_force["end"])
    client.force_login(customer_user)
    page = client.get(f"/organisations/{customer.pk}/").content.decode()
    assert 'data-premium="on"' in page and "Premium features on" in page
    assert 'data-premium="on"' in client.get("/licences/").content.decode()
    me = api_client.as_user(customer_user)
    body = me.get(f"/api/v1/licences/accounts/{customer.pk}/premium").json()
    assert body["premium"] is True and body["reason"] == "contract"
    assert me.get(f"/api/v1/licences/accounts/{other_customer.pk}/premium").status_code == 404


def test_r_pe_8_vendor_tool_asks_for_any_account(api_client, agent, other_customer):
    body = (
        api_client.as_user(agent)
        .get(f"/api/v1/licences/accounts/{other_customer.pk}/premium")
        .json()
    )
    assert body["premium"] is False and "off" in body["detail"]


def test_r_por_1_catalogue_search_finds_a_spare_part_and_its_model(client, customer_user, models):
    part = SparePart.objects.create(
        part_number="SP-PSU-CCX", name="Power supply (CCX)", list_price=Decimal("29.00")
    )
    part.compatible_models.set([models["voice"]])
    client.force_login(customer_user)
    for q in ("SP-PSU-CCX", "power supply"):
        page = client.get("/catalog/", {"q": q}).content.decode()
        assert "SP-PSU-CCX" in page, q
        assert "1 model found" in page and "CCX 500" in page
        assert "Studio X50" not in page
    api = client.get("/api/v1/catalog/models?q=power%20supply").json()
    assert [m["sku"] for m in api["items"]] == ["CCX-500"]
