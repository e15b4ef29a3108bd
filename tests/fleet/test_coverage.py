"""R-FLT-3, R-CAT-2, R-CAT-3, R-DS-3: automatic coverage, or why not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fleetcare.contracts.models import ContractCategory, EnterpriseContract
from fleetcare.fleet.models import Device
from fleetcare.fleet.services import coverage_for
from tests.factories import api

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 1)


def _device(account, model, first="2026-02-01"):
    day = date.fromisoformat(first)
    return Device.objects.create(
        account=account, product_model=model, first_seen_on=day, last_seen_on=day
    )


@pytest.fixture
def contract(customer, models):
    c = EnterpriseContract.objects.create(
        account=customer,
        reference="PE-T",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        status="active",
    )
    for code in ("video", "voice"):
        cat = models["video" if code == "video" else "voice"].category
        ContractCategory.objects.create(
            contract=c,
            category=cat,
            installed=1,
            growth=0,
            ordered=1,
            baseline=Decimal("1.05"),
            unit_price=Decimal("60"),
        )
    return c


def test_r_flt_3_covered_from_the_day_it_appears_without_a_serial(contract, customer, models):
    dev = _device(customer, models["video"], first="2026-02-10")
    cov = coverage_for(dev, ON)
    assert (
        cov.covered and cov.programme == "poly_plus_enterprise" and cov.contract_reference == "PE-T"
    )
    assert (cov.covered_from, cov.covered_to) == (date(2026, 2, 10), date(2026, 12, 31))
    assert coverage_for(dev, date(2026, 2, 1)).reason == "not_in_fleet"


def test_reasons_for_no_coverage(contract, customer, other_customer, models):
    assert coverage_for(_device(customer, models["immersive"]), ON).reason == "quote_only"
    assert coverage_for(_device(customer, models["old"]), ON).reason == "end_of_support"
    assert coverage_for(_device(other_customer, models["video"]), ON).reason == "no_contract"
    ContractCategory.objects.filter(contract=contract, category__code="voice").delete()
    assert coverage_for(_device(customer, models["voice"]), ON).reason == "category_not_chosen"


def test_r_cat_3_coverage_ends_the_day_before_end_of_support(contract, customer, models):
    models["video"].end_of_support_on = date(2026, 9, 1)
    models["video"].save()
    assert coverage_for(_device(customer, models["video"]), ON).covered_to == date(2026, 8, 31)


def test_r_ds_3_daas_device_covered_for_its_term_even_past_end_of_support(
    daas_customer, partner, models
):
    from fleetcare.daas.models import SubscribedDevice, Subscription

    dev = _device(daas_customer, models["old"], first="2025-01-01")
    sub = Subscription.objects.create(
        reference="DS-1", partner=partner, customer=daas_customer, site=daas_customer.sites.first()
    )
    SubscribedDevice.objects.create(
        subscription=sub,
        device=dev,
        product_model=models["old"],
        monthly_price=Decimal("20"),
        enrolled_on=date(2025, 1, 1),
        term_start=date(2025, 1, 1),
        term_end=date(2027, 12, 31),
    )
    cov = coverage_for(dev, ON)
    assert (
        cov.covered
        and cov.programme == "device_as_a_service"
        and cov.subscription_reference == "DS-1"
    )


def test_coverage_endpoint(contract, customer, customer_user, models):
    dev = _device(customer, models["video"])
    body = api(customer_user).get(f"/api/v1/devices/{dev.pk}/coverage?on=2026-03-01").json()
    assert (
        body["covered"]
        and body["contract_id"] == contract.pk
        and body["covered_to"] == "2026-12-31"
    )
    body = api(customer_user).get(f"/api/v1/devices/{dev.pk}/coverage?on=2027-03-01").json()
    assert not body["covered"] and body["reason"] == "no_contract" and body["explanation"]


def test_coverage_of_many_accounts_in_two_queries(
    contract, customer, other_customer, models, django_assert_num_queries
):
    """A vendor's list: devices of several accounts, each account's own contract (the
    latest started of those in force) and chosen categories, in two queries."""
    from fleetcare.fleet.services import coverage_for_many

    older = EnterpriseContract.objects.create(
        account=other_customer,
        reference="PE-OLD",
        start_date=date(2025, 6, 1),
        end_date=date(2026, 5, 31),
        status="active",
    )
    newer = EnterpriseContract.objects.create(
        account=other_customer,
        reference="PE-NEW",
        start_date=date(2026, 2, 1),
        end_date=date(2027, 1, 31),
        status="active",
    )
    for c, model in ((older, models["voice"]), (newer, models["video"])):
        ContractCategory.objects.create(
            contract=c,
            category=model.category,
            installed=1,
            growth=0,
            ordered=1,
            baseline=Decimal("1.05"),
            unit_price=Decimal("60"),
        )
    devices = [
        _device(customer, models["voice"]),
        _device(customer, models["immersive"]),
        _device(other_customer, models["video"]),
        _device(other_customer, models["voice"]),
    ]
    devices = list(Device.objects.filter(pk__in=[d.pk for d in devices]).for_list().order_by("pk"))
    with django_assert_num_queries(2):
        got = coverage_for_many(devices, ON)
    summary = [(got[d.pk].covered, got[d.pk].contract_reference, got[d.pk].reason) for d in devices]
    assert summary == [
        (True, "PE-T", None),
        (False, None, "quote_only"),
        (True, "PE-NEW", None),
        (False, None, "category_not_chosen"),
    ]
    assert got[devices[0].pk] == coverage_for(devices[0], ON)
