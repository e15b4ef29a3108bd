"""DaaS subscriptions: enrolment refusals, deliveries, threshold, tenancy (R-DS-1..5)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fleetcare.daas import services as daas
from fleetcare.daas.models import SubscribedDevice
from fleetcare.fleet.models import Device
from tests.factories import (
    OrganisationFactory,
    PartnerFactory,
    SiteFactory,
    UserFactory,
    daas_video_model,
    link_partner,
    subscribe,
    voice_model,
)

pytestmark = pytest.mark.django_db


def _auth(user):
    from fleetcare.organisations.models import ApiToken

    _, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_r_ds_1_3_4_enrolment_refusal_lists_every_reason_at_once(client, partner, partner_user):
    tokyo = OrganisationFactory(name="Tokyo KK", country="JP")
    site = SiteFactory(organisation=tokyo, name="Tokyo", country="JP", time_zone="Asia/Tokyo")
    link_partner(partner, tokyo)
    old_video = daas_video_model(sku="OLD-VID", end_of_sale_announced_on=date(2025, 6, 1))
    response = client.post(
        "/api/v1/daas/subscriptions",
        {
            "customer_id": tokyo.pk,
            "site_id": site.pk,
            "items": [{"product_model_id": old_video.pk, "quantity": 2, "extended_cover": True}],
        },
        content_type="application/json",
        **_auth(partner_user),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    reasons = [e["reason"] for e in response.json()["errors"]]
    assert len(reasons) == 3
    assert "only offered in North America and Emea; JP is not" in reasons[0]
    assert "end of sale was announced on 1 Jun 2025" in reasons[1]
    assert "Extended cover is only for Voice devices, not “Video”" in reasons[2]
    assert not Device.objects.exists() and not SubscribedDevice.objects.exists()


def test_r_ds_4_extended_cover_after_enrolment_refused(partner_user, daas_customer):
    sub = subscribe(partner_user, daas_customer, daas_video_model(), 1)
    with pytest.raises(ValidationError) as exc:
        daas.request_extended_cover(actor=partner_user, device=sub.devices.get())
    assert len(exc.value.messages) == 2  # not voice, and not at enrolment
    assert "only be chosen at enrolment" in exc.value.messages[1]


def test_only_a_partner_for_its_own_customers(partner_user, customer, customer_user, daas_customer):
    model = voice_model()
    with pytest.raises(PermissionDenied):
        daas.create_subscription(
            actor=customer_user,
            customer=daas_customer,
            site=daas_customer.sites.first(),
            items=[daas.EnrolmentItem(model, 1)],
        )
    with pytest.raises(PermissionDenied, match="not one of your DaaS customers"):
        daas.create_subscription(
            actor=partner_user,
            customer=customer,
            site=customer.sites.first(),
            items=[daas.EnrolmentItem(model, 1)],
        )


def test_r_ds_2_delivery_starts_each_devices_term(
    client, partner_user, daas_customer, distributor, distributor_user
):
    model = voice_model()
    sub = daas.create_subscription(
        actor=partner_user,
        customer=daas_customer,
        site=daas_customer.sites.first(),
        items=[daas.EnrolmentItem(model, 3, True)],
        term_months=36,
        on=date(2026, 1, 2),
        distributor=distributor,
    )
    response = client.post(
        f"/api/v1/daas/subscriptions/{sub.pk}/deliveries",
        {"delivered_on": "2026-01-05"},
        content_type="application/json",
        **_auth(distributor_user),
    )
    assert response.status_code == 200, response.content
    terms = {(d["term_start"], d["term_end"]) for d in response.json()}
    assert terms == {("2026-01-05", "2029-01-04")}
    again = client.post(
        f"/api/v1/daas/subscriptions/{sub.pk}/deliveries",
        {"delivered_on": "2026-01-06"},
        content_type="application/json",
        **_auth(distributor_user),
    )
    assert again.status_code == 422
    assert "already delivered" in again.json()["detail"]


def test_r_ds_3_devices_keep_service_past_end_of_support(partner_user, daas_customer):
    model = voice_model(end_of_support_on=date(2027, 6, 30))
    sub = subscribe(partner_user, daas_customer, model, 1, delivered_on=date(2026, 1, 5))
    assert daas.devices_under_contract(daas_customer.pk, date(2028, 1, 1)) == 1
    assert sub.devices.get().term_end == date(2029, 1, 4)


def test_threshold_endpoint(client, partner_user, daas_customer):
    subscribe(
        partner_user,
        daas_customer,
        voice_model(),
        150,
        extended_cover=True,
        delivered_on=date(2026, 1, 5),
    )
    response = client.get(
        f"/api/v1/daas/customers/{daas_customer.pk}/threshold?on=2026-03-01", **_auth(partner_user)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["devices_under_contract"] == 150
    assert body["replacements_this_year"] == 0
    assert body["next_is_chargeable"] is False


def test_r_ten_1_a_partner_never_sees_another_partners_subscriptions(
    client, partner_user, daas_customer, customer_user
):
    sub = subscribe(partner_user, daas_customer, voice_model(), 2)
    rival = PartnerFactory(name="Rival")
    rival_user = UserFactory(organisation=rival, role="partner", username="rival")
    assert (
        client.get(f"/api/v1/daas/subscriptions/{sub.pk}", **_auth(rival_user)).status_code == 404
    )
    assert client.get("/api/v1/daas/subscriptions", **_auth(rival_user)).json()["count"] == 0
    assert client.get("/api/v1/daas/devices", **_auth(rival_user)).json()["count"] == 0
    assert client.get("/api/v1/daas/subscriptions", **_auth(customer_user)).json()["count"] == 0
    mine = client.get("/api/v1/daas/subscriptions", **_auth(partner_user)).json()
    assert mine["count"] == 1 and mine["items"][0]["device_count"] == 2


def test_subscription_list_costs_constant_queries(
    client, partner_user, daas_customer, django_assert_max_num_queries
):
    for _ in range(5):
        subscribe(partner_user, daas_customer, voice_model(), 3)
    headers = _auth(partner_user)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/daas/subscriptions", **headers)
    assert response.json()["count"] == 5
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/daas/devices", **headers).json()["count"] == 15


def test_portal_partner_pages(client, partner_user, daas_customer):
    sub = subscribe(partner_user, daas_customer, voice_model(name="CCX 600"), 2)
    client.force_login(partner_user)
    assert b"CCX 600" in client.get(f"/daas/{sub.pk}/").content
    assert sub.reference.encode() in client.get("/daas/").content
    page = client.get("/daas/new/")
    assert page.status_code == 200
