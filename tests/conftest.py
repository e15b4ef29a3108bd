"""Shared fixtures: one organisation of each kind with a user of each role."""

from __future__ import annotations

import pytest

from tests.factories import (
    CategoryFactory,
    DistributorFactory,
    OrganisationFactory,
    PartnerFactory,
    ProductModelFactory,
    SiteFactory,
    UserFactory,
    VendorFactory,
    api,
    link_partner,
    video_model,
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
def agent(vendor_user):
    return vendor_user("support_agent", username="agent")


@pytest.fixture
def escalation_manager(vendor_user):
    return vendor_user("escalation_manager", username="escalation")


@pytest.fixture
def ops(vendor_user):
    return vendor_user("service_operations", username="ops")


@pytest.fixture
def billing_user(vendor_user):
    return vendor_user("billing", username="billing")


@pytest.fixture
def csm(vendor_user):
    return vendor_user("csm")


@pytest.fixture
def customer(db):
    org = OrganisationFactory(name="Acme SA", country="FR")
    SiteFactory(organisation=org, name="Paris HQ", country="FR", time_zone="Europe/Paris")
    return org


@pytest.fixture
def other_customer(db):
    org = OrganisationFactory(name="Globex Inc", country="US", currency="USD")
    SiteFactory(
        organisation=org,
        name="Austin",
        country="US",
        subdivision="US-TX",
        time_zone="America/Chicago",
    )
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
    SiteFactory(
        organisation=org,
        name="Toronto",
        country="CA",
        subdivision="CA-ON",
        time_zone="America/Toronto",
    )
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


@pytest.fixture
def admin_api(customer_user):
    """The customer admin's integration (bearer token)."""
    return api(customer_user)


@pytest.fixture
def models(db):
    """The fleet tests' catalogue: video, voice, a quote-only class, an end-of-support model."""
    from datetime import date

    return {
        "video": video_model(sku="STUDIO-X50", name="Studio X50"),
        "voice": ProductModelFactory(
            sku="CCX-500", name="CCX 500", category=CategoryFactory(code="voice")
        ),
        "immersive": ProductModelFactory(
            sku="ITP-1",
            name="Immersive Room",
            category=CategoryFactory(code="immersive_telepresence"),
        ),
        "old": ProductModelFactory(
            sku="VVX-300",
            name="VVX 300",
            category=CategoryFactory(code="voice"),
            end_of_support_on=date(2025, 6, 1),
        ),
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with PBKDF2 at full strength costs ~0.3 s a user; tests don't need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client(client):
    """A test client that sends a bearer token for a user: ``api_client.as_user(user)``."""
    from fleetcare.organisations.models import ApiToken

    class BearerClient:
        def __init__(self, user=None):
            self.headers = {}
            if user is not None:
                _, raw = ApiToken.issue(user, "test")
                self.headers = {"Authorization": f"Bearer {raw}"}

        def as_user(self, user):
            return BearerClient(user)

        def get(self, path, **kw):
            return client.get(path, headers=self.headers, **kw)

        def post(self, path, data=None, content_type="application/json", **kw):
            if content_type == "multipart":
                return client.post(path, data, headers=self.headers, **kw)
            return client.post(path, data, content_type=content_type, headers=self.headers, **kw)

        def put(self, path, data=None, **kw):
            return client.put(
                path, data, content_type="application/json", headers=self.headers, **kw
            )

        def patch(self, path, data=None, **kw):
            return client.patch(
                path, data, content_type="application/json", headers=self.headers, **kw
            )

        def delete(self, path, **kw):
            return client.delete(path, headers=self.headers, **kw)

    return BearerClient()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English: a request in French (LocaleMiddleware) or a test that
    activates French leaves it active in the thread, and the next test would see it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
