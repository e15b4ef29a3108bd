"""Shared fixtures: one organisation of each kind with a user of each role."""

from __future__ import annotations

import pytest

from tests.factories import (
    DistributorFactory,
    OrganisationFactory,
    PartnerFactory,
    SiteFactory,
    UserFactory,
    VendorFactory,
    link_partner,
)


@pytest.fixture
def vendor(db):
    return VendorFactory(name="Poly")


@pytest.fixture
def vendor_user(vendor):
    def make(role: str = "support_agent", **kw):
        return UserFactory(organisation=vendor, role=role, **kw)

    return make


@pytest.fixture
def customer(db):
    org = OrganisationFactory(name="Acme SA", country="FR")
    SiteFactory(organisation=org, name="Paris HQ", country="FR", time_zone="Europe/Paris")
    return org


@pytest.fixture
def other_customer(db):
    org = OrganisationFactory(name="Globex Inc", country="US", currency="USD")
    SiteFactory(organisation=org, name="Austin", country="US", subdivision="US-TX", time_zone="America/Chicago")
    return org


@pytest.fixture
def customer_user(customer):
    return UserFactory(organisation=customer, role="customer_admin", username="acme-admin")


@pytest.fixture
def other_customer_user(other_customer):
    return UserFactory(organisation=other_customer, role="customer_admin", username="globex-admin")


@pytest.fixture
def partner(db):
    return PartnerFactory(name="Maple Partners", country="CA")


@pytest.fixture
def daas_customer(partner):
    org = OrganisationFactory(name="Northwind Ltd", country="CA", currency="CAD")
    SiteFactory(organisation=org, name="Toronto", country="CA", subdivision="CA-ON", time_zone="America/Toronto")
    link_partner(partner, org)
    return org


@pytest.fixture
def partner_user(partner):
    return UserFactory(organisation=partner, role="partner", username="maple")


@pytest.fixture
def distributor(db):
    return DistributorFactory(name="Channel Dist")


@pytest.fixture
def distributor_user(distributor):
    return UserFactory(organisation=distributor, role="distributor", username="dist")
