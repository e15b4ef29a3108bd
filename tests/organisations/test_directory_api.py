"""Directory API: organisations, sites, users with roles, partner–customer links
(R-TEN-1: another tenant's record is a 404; every change in the change log)."""

from __future__ import annotations

import pytest

from fleetcare.core.models import ChangeLogEntry
from fleetcare.organisations.models import Organisation, PartnerCustomer, Site, User
from tests.factories import PartnerFactory, UserFactory, link_partner

PROBLEM = "application/problem+json"


@pytest.fixture
def admin(vendor_user):
    return vendor_user("vendor_admin", username="vadmin")


def _logged(action, obj_id=None):
    qs = ChangeLogEntry.objects.filter(action=action)
    if obj_id is not None:
        qs = qs.filter(object_id=str(obj_id))
    return qs


# --- vendor administrator ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["customer", "certified_partner", "distribution_partner", "vendor"]
)
def test_vendor_admin_creates_every_kind(api_client, admin, kind):
    response = api_client.as_user(admin).post(
        "/api/v1/organisations",
        {"name": f"New {kind}", "kind": kind, "country": "de", "currency": "eur", "language": "fr"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["country"], body["currency"], body["language"]) == (
        kind,
        "DE",
        "EUR",
        "fr",
    )
    entry = _logged("organisation.created", body["id"]).get()
    assert entry.actor == admin and entry.after["name"] == f"New {kind}"


def test_bad_organisation_lists_every_field_and_saves_nothing(api_client, admin):
    response = api_client.as_user(admin).post(
        "/api/v1/organisations",
        {"name": "Bad", "kind": "customer", "country": "XX", "currency": "ABC", "language": "de"},
    )
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"country", "currency", "language"}
    assert not Organisation.objects.filter(name="Bad").exists()


def test_vendor_admin_changes_an_organisation_with_before_and_after(api_client, admin, customer):
    response = api_client.as_user(admin).patch(
        f"/api/v1/organisations/{customer.pk}", {"currency": "CHF", "language": "fr"}
    )
    assert response.status_code == 200 and response.json()["currency"] == "CHF"
    entry = _logged("organisation.changed", customer.pk).get()
    assert entry.before["currency"] == "EUR" and entry.after["currency"] == "CHF"


def test_duplicate_account_number_is_422(api_client, admin, customer):
    response = api_client.as_user(admin).post(
        "/api/v1/organisations",
        {
            "name": "Twin",
            "country": "FR",
            "currency": "EUR",
            "account_number": customer.account_number,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "account_number"


def test_vendor_admin_links_and_unlinks_a_partner(api_client, admin, partner, customer):
    c = api_client.as_user(admin)
    response = c.post(
        "/api/v1/partner-links", {"partner_id": partner.pk, "customer_id": customer.pk}
    )
    assert response.status_code == 201
    link_id = response.json()["id"]
    # Kinds are checked: a customer cannot be a partner.
    wrong = c.post("/api/v1/partner-links", {"partner_id": customer.pk, "customer_id": partner.pk})
    assert wrong.status_code == 422
    assert c.delete(f"/api/v1/partner-links/{link_id}").status_code == 204
    assert not PartnerCustomer.objects.exists()
    assert _logged("partner_customer.linked").count() == 1
    assert _logged("partner_customer.unlinked").count() == 1


def test_other_vendor_roles_read_but_do_not_change(api_client, vendor_user, customer):
    agent = api_client.as_user(vendor_user("support_agent"))
    assert agent.get(f"/api/v1/organisations/{customer.pk}").status_code == 200
    response = agent.patch(f"/api/v1/organisations/{customer.pk}", {"name": "Renamed"})
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    response = agent.post(
        "/api/v1/organisations", {"name": "X", "country": "FR", "currency": "EUR"}
    )
    assert response.status_code == 403


# --- partner -------------------------------------------------------------------------------


def test_partner_creates_and_lists_its_own_daas_customers(api_client, partner_user, partner):
    c = api_client.as_user(partner_user)
    response = c.post(
        "/api/v1/organisations",
        {"name": "Fabrikam", "country": "CA", "currency": "CAD", "language": "fr"},
    )
    assert response.status_code == 201
    new_id = response.json()["id"]
    assert PartnerCustomer.objects.filter(partner=partner, customer_id=new_id).exists()
    listed = c.get("/api/v1/organisations?kind=customer").json()
    assert [o["id"] for o in listed["items"]] == [new_id]
    links = c.get("/api/v1/partner-links").json()["items"]
    assert [(link["partner_id"], link["customer_id"]) for link in links] == [(partner.pk, new_id)]
    assert _logged("partner_customer.linked").get().actor == partner_user


def test_partner_creates_customers_only(api_client, partner_user):
    response = api_client.as_user(partner_user).post(
        "/api/v1/organisations",
        {"name": "Rival", "kind": "certified_partner", "country": "CA", "currency": "CAD"},
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Rival").exists()


def test_partner_manages_its_customers_sites(api_client, partner_user, daas_customer):
    c = api_client.as_user(partner_user)
    response = c.post(
        "/api/v1/sites",
        {
            "organisation_id": daas_customer.pk,
            "name": "Montréal",
            "country": "ca",
            "subdivision": "QC",
            "time_zone": "America/Toronto",
        },
    )
    assert response.status_code == 201, response.content
    site = response.json()
    assert site["subdivision"] == "CA-QC" and site["country"] == "CA"
    sites = c.get(f"/api/v1/organisations/{daas_customer.pk}/sites").json()["items"]
    assert {s["name"] for s in sites} == {"Toronto", "Montréal"}
    response = c.patch(f"/api/v1/sites/{site['id']}", {"city": "Montréal"})
    assert response.status_code == 200 and response.json()["city"] == "Montréal"
    assert _logged("site.created", site["id"]).exists()
    assert _logged("site.changed", site["id"]).get().after["city"] == "Montréal"


def test_r_ten_1_another_partners_customer_is_404(
    api_client, partner_user, daas_customer, customer
):
    other_partner = PartnerFactory(name="Other partner")
    link_partner(other_partner, customer)
    c = api_client.as_user(partner_user)
    assert c.get(f"/api/v1/organisations/{customer.pk}").status_code == 404
    assert c.patch(f"/api/v1/organisations/{customer.pk}", {"name": "x"}).status_code == 404
    response = c.post(
        "/api/v1/sites",
        {"organisation_id": customer.pk, "name": "Sneaky", "country": "FR", "time_zone": "UTC"},
    )
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    site = customer.sites.first()
    assert c.get(f"/api/v1/sites/{site.pk}").status_code == 404
    assert c.patch(f"/api/v1/sites/{site.pk}", {"name": "x"}).status_code == 404
    assert not Site.objects.filter(name="Sneaky").exists()


# --- customer admin ----------------------------------------------------------------------


def test_customer_admin_manages_own_sites_with_validation(api_client, customer_user, customer):
    c = api_client.as_user(customer_user)
    response = c.post(
        "/api/v1/sites",
        {
            "organisation_id": customer.pk,
            "name": "Lyon",
            "country": "FR",
            "subdivision": "DE-BY",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"subdivision", "time_zone"}
    response = c.post(
        "/api/v1/sites",
        {"organisation_id": customer.pk, "name": "Paris HQ", "country": "FR", "time_zone": "UTC"},
    )
    assert response.status_code == 422  # the name is taken in this organisation
    response = c.post(
        "/api/v1/sites",
        {
            "organisation_id": customer.pk,
            "name": "Lyon",
            "country": "FR",
            "time_zone": "Europe/Paris",
        },
    )
    assert response.status_code == 201
    assert Site.objects.filter(organisation=customer).count() == 2


def test_customer_admin_adds_users_never_above_its_role(api_client, customer_user, customer):
    c = api_client.as_user(customer_user)
    response = c.post(
        "/api/v1/users",
        {
            "organisation_id": customer.pk,
            "username": "jdoe",
            "role": "end_user",
            "email": "j@x.test",
        },
    )
    assert response.status_code == 201, response.content
    new = User.objects.get(username="jdoe")
    assert new.organisation == customer and not new.has_usable_password()
    for role in ("vendor_admin", "support_agent", "partner"):
        response = c.post(
            "/api/v1/users", {"organisation_id": customer.pk, "username": f"x-{role}", "role": role}
        )
        assert response.status_code == 422, role
        assert response.json()["errors"][0]["field"] == "role"
    response = c.patch(f"/api/v1/users/{new.pk}", {"role": "customer_admin", "language": "fr"})
    assert response.status_code == 200 and response.json()["role"] == "customer_admin"
    response = c.patch(f"/api/v1/users/{new.pk}", {"is_active": False})
    assert response.json()["is_active"] is False
    assert _logged("user.created", new.pk).exists()
    assert _logged("user.changed", new.pk).count() == 2
    assert "password" not in _logged("user.created", new.pk).get().after


def test_customer_admin_password_is_validated(api_client, customer_user, customer):
    response = api_client.as_user(customer_user).post(
        "/api/v1/users",
        {"organisation_id": customer.pk, "username": "weak", "role": "end_user", "password": "123"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"
    assert not User.objects.filter(username="weak").exists()


def test_r_ten_1_customer_admin_cannot_reach_another_tenant(
    api_client, customer_user, other_customer, other_customer_user
):
    c = api_client.as_user(customer_user)
    assert c.get(f"/api/v1/users/{other_customer_user.pk}").status_code == 404
    assert (
        c.patch(f"/api/v1/users/{other_customer_user.pk}", {"role": "end_user"}).status_code == 404
    )
    response = c.post(
        "/api/v1/users", {"organisation_id": other_customer.pk, "username": "x", "role": "end_user"}
    )
    assert response.status_code == 404
    assert {u["username"] for u in c.get("/api/v1/users").json()["items"]} == {"acme-admin"}
    # Nor may it change its own organisation or link partners.
    assert (
        c.patch(f"/api/v1/organisations/{customer_user.organisation_id}", {"name": "x"}).status_code
        == 403
    )


def test_end_user_manages_nothing(api_client, customer):
    end_user = UserFactory(organisation=customer, role="end_user")
    c = api_client.as_user(end_user)
    response = c.post(
        "/api/v1/sites",
        {"organisation_id": customer.pk, "name": "X", "country": "FR", "time_zone": "UTC"},
    )
    assert response.status_code in (403, 404)
    assert not Site.objects.filter(name="X").exists()


def test_lists_cost_constant_queries(api_client, admin, django_assert_max_num_queries):
    from tests.factories import OrganisationFactory, SiteFactory

    c = api_client.as_user(admin)
    for i in range(3):
        SiteFactory(organisation=OrganisationFactory(name=f"Org {i}"))
    with django_assert_max_num_queries(6):
        c.get("/api/v1/organisations")
    with django_assert_max_num_queries(6):
        c.get("/api/v1/sites")
    with django_assert_max_num_queries(6):
        c.get("/api/v1/users")
