"""Fixtures of the support tests: devices, a P+E contract, a DaaS subscription."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fleetcare.daas.models import SubscribedDevice, Subscription
from fleetcare.fleet.models import Device
from fleetcare.support.models import CloudPartner
from tests.factories import (
    CategoryFactory,
    PartnerFactory,
    ProductModelFactory,
    SiteFactory,
    UserFactory,
    active_pe_contract,
    link_partner,
)

UTC = ZoneInfo("UTC")


@pytest.fixture
def video(db):
    return CategoryFactory(code="video")


@pytest.fixture
def model(video):
    return ProductModelFactory(name="Studio X50", category=video)


@pytest.fixture
def partner_site(partner):
    return SiteFactory(
        organisation=partner,
        name="Toronto office",
        country="CA",
        subdivision="CA-ON",
        time_zone="America/Toronto",
    )


@pytest.fixture
def pe_contract(customer, video):
    return active_pe_contract(
        customer,
        video,
        reference="PE-0001",
        start=date(2025, 1, 1),
        end=date(2027, 12, 31),
        installed=10,
        growth=1,
        baseline=Decimal("10.5"),
    )


@pytest.fixture
def pe_device(customer, model):
    return Device.objects.create(
        account=customer,
        product_model=model,
        serial_number="PE-1",
        first_seen_on=date(2025, 1, 1),
        last_seen_on=date(2025, 1, 1),
    )


@pytest.fixture
def daas_device(daas_customer, partner, partner_site, model):
    device = Device.objects.create(
        account=daas_customer,
        product_model=model,
        serial_number="DAAS-1",
        first_seen_on=date(2025, 1, 1),
        last_seen_on=date(2025, 1, 1),
    )
    sub = Subscription.objects.create(
        reference="DS-0001",
        partner=partner,
        customer=daas_customer,
        site=daas_customer.sites.first(),
        term_months=36,
        currency="CAD",
    )
    return SubscribedDevice.objects.create(
        subscription=sub,
        device=device,
        product_model=model,
        monthly_price=Decimal("25"),
        enrolled_on=date(2025, 1, 1),
        delivered_on=date(2025, 1, 2),
        term_start=date(2025, 1, 2),
        term_end=date(2028, 1, 1),
    )


@pytest.fixture
def daas_end_user(daas_customer):
    return UserFactory(organisation=daas_customer, role="end_user", username="nw-user")


@pytest.fixture
def daas_admin(daas_customer):
    return UserFactory(organisation=daas_customer, role="customer_admin", username="nw-admin")


@pytest.fixture
def other_partner(daas_customer):
    other = PartnerFactory(name="Thames Unified", country="GB")
    link_partner(other, daas_customer)  # it serves the same customer, but did not sell the device
    SiteFactory(organisation=other, name="London", country="GB", time_zone="Europe/London")
    return other


@pytest.fixture
def other_partner_user(other_partner):
    return UserFactory(organisation=other_partner, role="partner", username="thames")


@pytest.fixture
def teams(db):
    return CloudPartner.objects.create(code="teams", name="Microsoft Teams")
