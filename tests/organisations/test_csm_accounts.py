"""Customer success managers are assigned accounts: by the vendor administrator, in the
directory API and the admin; only a vendor CSM, only on a customer account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fleetcare.core.models import ChangeLogEntry
from fleetcare.organisations.models import Organisation

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def admin(vendor_user):
    return vendor_user("vendor_admin", username="vadmin", is_staff=True, is_superuser=True)


def test_vendor_admin_assigns_and_unassigns_a_csm_through_the_api(
    api_client, admin, csm, customer, other_customer
):
    c = api_client.as_user(admin)
    response = c.patch(f"/api/v1/organisations/{customer.pk}", {"csm_id": csm.pk})
    assert response.status_code == 200, response.content
    assert response.json()["csm_id"] == csm.pk
    assert Organisation.objects.get(pk=customer.pk).csm == csm
    entry = ChangeLogEntry.objects.filter(
        action="organisation.changed", object_id=str(customer.pk)
    ).get()
    assert entry.actor == admin

    listed = c.get(f"/api/v1/organisations?csm_id={csm.pk}").json()["items"]
    assert [o["id"] for o in listed] == [customer.pk]

    # Other fields alone leave the assignment as it is; null unassigns.
    c.patch(f"/api/v1/organisations/{customer.pk}", {"language": "fr"})
    assert Organisation.objects.get(pk=customer.pk).csm == csm
    response = c.patch(f"/api/v1/organisations/{customer.pk}", {"csm_id": None})
    assert response.status_code == 200 and response.json()["csm_id"] is None


def test_only_a_vendor_csm_on_a_customer_account(
    api_client, admin, agent, csm, customer, partner, partner_user
):
    c = api_client.as_user(admin)
    response = c.patch(f"/api/v1/organisations/{customer.pk}", {"csm_id": agent.pk})
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert "customer success manager" in response.content.decode()
    response = c.patch(f"/api/v1/organisations/{customer.pk}", {"csm_id": partner_user.pk})
    assert response.status_code == 422
    response = c.patch(f"/api/v1/organisations/{partner.pk}", {"csm_id": csm.pk})
    assert response.status_code == 422
    response = c.patch(f"/api/v1/organisations/{customer.pk}", {"csm_id": 999999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "csm_id"
    assert Organisation.objects.get(pk=customer.pk).csm is None


def test_a_partner_may_not_assign_a_csm_to_its_customer(
    api_client, csm, partner_user, daas_customer
):
    c = api_client.as_user(partner_user)
    response = c.patch(f"/api/v1/organisations/{daas_customer.pk}", {"csm_id": csm.pk})
    assert response.status_code == 403
    assert Organisation.objects.get(pk=daas_customer.pk).csm is None
    # Changing what it may change still works.
    response = c.patch(f"/api/v1/organisations/{daas_customer.pk}", {"language": "fr"})
    assert response.status_code == 200


def test_the_admin_offers_vendor_csms_only(client, admin, csm, agent, customer):
    client.force_login(admin)
    html = client.get(
        reverse("admin:organisations_organisation_change", args=[customer.pk])
    ).content.decode()
    assert f'<option value="{csm.pk}">' in html
    assert f'<option value="{agent.pk}">' not in html
