"""Replacement orders through the API and the portal: follow, queues, tenancy, queries."""

from __future__ import annotations

from datetime import date

import pytest

from fleetcare.replacements import services as rma
from fleetcare.replacements.models import ReplacementOrder
from tests.factories import (
    PartnerFactory,
    UserFactory,
    at,
    make_case,
    pe_contract,
    pe_device,
    subscribe,
    voice_model,
)

pytestmark = pytest.mark.django_db


def _auth(user):
    from fleetcare.organisations.models import ApiToken

    _, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def daas_order(daas_customer, partner, partner_user):
    sub = subscribe(partner_user, daas_customer, voice_model(), 5, delivered_on=date(2026, 1, 5))
    enrolment = sub.devices.first()
    case = make_case(
        daas_customer,
        partner_user,
        entitlement="per_device",
        product_model=enrolment.product_model,
        device=enrolment.device,
        daas_device=enrolment,
        partner=partner,
    )
    return case


@pytest.fixture
def pe_case(customer, customer_user):
    model = voice_model()
    return make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        device=pe_device(customer, model),
        contract=pe_contract(customer),
    )


def test_partner_follows_a_replacement_through_the_api(
    client, daas_order, daas_customer, partner_user, agent, ops
):
    p, a, o = _auth(partner_user), _auth(agent), _auth(ops)
    created = client.post(
        "/api/v1/replacements",
        {
            "case_id": daas_order.pk,
            "cause": "hardware_fault",
            "delivery_site_id": daas_customer.sites.first().pk,
        },
        content_type="application/json",
        **p,
    )
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    assert created.json()["status"] == "requested"
    assert (
        client.post(
            f"/api/v1/replacements/{order_id}/approve", {}, content_type="application/json", **p
        ).status_code
        == 403
    )
    approved = client.post(
        f"/api/v1/replacements/{order_id}/approve", {}, content_type="application/json", **a
    )
    assert approved.json()["delivery_target"] is not None
    out_of_order = client.post(
        f"/api/v1/replacements/{order_id}/deliver",
        {"delivered_on": "2026-11-20"},
        content_type="application/json",
        **o,
    )
    assert out_of_order.status_code == 422
    assert "only be delivered when shipped" in out_of_order.json()["detail"]
    client.post(
        f"/api/v1/replacements/{order_id}/ship",
        {"carrier": "Purolator", "tracking_number": "PUR123"},
        content_type="application/json",
        **o,
    )
    followed = client.get(f"/api/v1/replacements/{order_id}", **p).json()
    assert (followed["carrier"], followed["tracking_number"]) == ("Purolator", "PUR123")
    delivered = client.post(
        f"/api/v1/replacements/{order_id}/deliver",
        {"delivered_on": date.today().isoformat()},
        content_type="application/json",
        **o,
    ).json()
    assert delivered["status"] == "awaiting_return" and delivered["return_due"]
    assert "list price" in delivered["if_late"]
    assert delivered["service_centre_code"] in {"north_america", "emea", "international"}
    assert delivered["service_centre"].startswith("Service centre ")
    returned = client.post(
        f"/api/v1/replacements/{order_id}/return",
        {"returned_on": date.today().isoformat()},
        content_type="application/json",
        **o,
    ).json()
    assert returned["status"] == "returned"


def test_missing_field_problem_json(client, agent):
    response = client.post(
        "/api/v1/replacements", {"cause": "spill"}, content_type="application/json", **_auth(agent)
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "case_id" in response.json()["detail"]


def test_r_ten_1_partner_never_sees_pe_orders_or_another_partners(
    client,
    daas_order,
    daas_customer,
    partner_user,
    pe_case,
    customer,
    customer_user,
    agent,
    other_customer_user,
):
    daas = rma.request_replacement(
        actor=partner_user,
        case=daas_order,
        cause="hardware_fault",
        delivery_site=daas_customer.sites.first(),
    )
    pe = rma.request_replacement(
        actor=agent, case=pe_case, cause="hardware_fault", delivery_site=customer.sites.first()
    )
    rival = UserFactory(organisation=PartnerFactory(name="Rival"), role="partner")
    mine = client.get("/api/v1/replacements", **_auth(partner_user)).json()
    assert [o["reference"] for o in mine["items"]] == [daas.reference]
    assert client.get(f"/api/v1/replacements/{pe.pk}", **_auth(partner_user)).status_code == 404
    assert client.get("/api/v1/replacements", **_auth(rival)).json()["count"] == 0
    assert client.get(f"/api/v1/replacements/{daas.pk}", **_auth(rival)).status_code == 404
    customer_view = client.get("/api/v1/replacements", **_auth(customer_user)).json()
    assert [o["reference"] for o in customer_view["items"]] == [pe.reference]
    assert client.get("/api/v1/replacements", **_auth(other_customer_user)).json()["count"] == 0
    # a partner cannot raise an order on a case it cannot see
    denied = client.post(
        "/api/v1/replacements",
        {
            "case_id": pe_case.pk,
            "cause": "hardware_fault",
            "delivery_site_id": customer.sites.first().pk,
        },
        content_type="application/json",
        **_auth(partner_user),
    )
    assert denied.status_code == 404


def test_queues_and_list_cost_constant_queries(
    client, customer, customer_user, agent, ops, django_assert_max_num_queries
):
    model = voice_model()
    contract = pe_contract(customer)
    for i in range(6):
        case = make_case(
            customer,
            customer_user,
            entitlement="account_wide",
            product_model=model,
            device=pe_device(customer, model),
            contract=contract,
        )
        order = rma.request_replacement(
            actor=agent, case=case, cause="hardware_fault", delivery_site=customer.sites.first()
        )
        if i % 2:
            rma.approve(order, actor=agent, now=at("2026-11-02 10:00"))
    headers = _auth(ops)
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/replacements?queue=shipping", **headers).json()
    assert body["count"] == 3
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/replacements", **headers).json()["count"] == 6
    client.force_login(ops)
    with django_assert_max_num_queries(14):
        page = client.get("/replacements/?queue=shipping")
    assert page.status_code == 200 and page.content.count(b"RMA-") == 3


def test_portal_ship_and_destruction_forms(client, customer, customer_user, agent, ops):
    model = voice_model()
    contract = pe_contract(customer, onsite_destruction=True)
    case = make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        device=pe_device(customer, model),
        contract=contract,
    )
    order = rma.request_replacement(
        actor=agent,
        case=case,
        cause="hardware_fault",
        delivery_site=customer.sites.first(),
        onsite_destruction=True,
    )
    rma.approve(order, actor=agent)
    client.force_login(ops)
    bad = client.post(f"/replacements/{order.pk}/ship/", {"carrier": "DHL"})
    assert bad.status_code == 422 and b"This field is required" in bad.content
    client.post(f"/replacements/{order.pk}/ship/", {"carrier": "DHL", "tracking_number": "T1"})
    client.post(f"/replacements/{order.pk}/deliver/", {"delivered_on": date.today().isoformat()})
    order.refresh_from_db()
    assert order.status == "delivered"
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        f"/replacements/{order.pk}/destruction/",
        {
            "certificate": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 x", "application/pdf"),
            "certificate_number": "CD-1",
            "destroyed_on": date.today().isoformat(),
            "destroyed_by": "ShredCo",
        },
    )
    order.refresh_from_db()
    assert order.status == "destroyed"
    client.force_login(customer_user)
    detail = client.get(f"/replacements/{order.pk}/")
    assert b"CD-1" in detail.content
    cert = client.get(f"/replacements/{order.pk}/certificate/")
    assert b"".join(cert.streaming_content).startswith(b"%PDF")


def test_customer_sees_what_happens_if_late(client, pe_case, customer, customer_user, agent, ops):
    order = rma.request_replacement(
        actor=agent, case=pe_case, cause="hardware_fault", delivery_site=customer.sites.first()
    )
    rma.approve(order, actor=agent)
    rma.ship(order, actor=ops, carrier="DHL", tracking_number="JD1")
    rma.deliver(order, actor=ops, delivered_on=date.today())
    client.force_login(customer_user)
    page = client.get(f"/replacements/{order.pk}/").content.decode()
    assert "JD1" in page and "Service centre EMEA" in page and "list price" in page
    # The order stores the centre's code; its name is shown in the reader's language.
    client.cookies["django_language"] = "fr"
    page = client.get(f"/replacements/{order.pk}/").content.decode()
    assert "Centre de service EMEA" in page and "Service centre EMEA" not in page


def test_api_destruction_certificate_multipart_and_threshold_decision(
    client, customer, customer_user, agent, ops, vendor_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    model = voice_model()
    contract = pe_contract(customer, onsite_destruction=True)
    case = make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        device=pe_device(customer, model),
        contract=contract,
    )
    order = rma.request_replacement(
        actor=agent,
        case=case,
        cause="hardware_fault",
        delivery_site=customer.sites.first(),
        onsite_destruction=True,
    )
    rma.approve(order, actor=agent)
    rma.ship(order, actor=ops, carrier="DHL", tracking_number="T9")
    rma.deliver(order, actor=ops, delivered_on=date.today())
    headers = _auth(ops)
    missing = client.post(
        f"/api/v1/replacements/{order.pk}/destruction",
        {
            "certificate_number": "CD-9",
            "destroyed_on": date.today().isoformat(),
            "destroyed_by": "ShredCo",
        },
        **headers,
    )
    assert missing.status_code == 422 and "certificate" in missing.json()["detail"]
    done = client.post(
        f"/api/v1/replacements/{order.pk}/destruction",
        {
            "certificate": SimpleUploadedFile("c.pdf", b"%PDF-1.4 c", "application/pdf"),
            "certificate_number": "CD-9",
            "destroyed_on": date.today().isoformat(),
            "destroyed_by": "ShredCo",
        },
        **headers,
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "destroyed"
    cert = client.get(f"/api/v1/replacements/{order.pk}/certificate", **_auth(customer_user))
    assert b"".join(cert.streaming_content).startswith(b"%PDF")
    not_flagged = client.post(
        f"/api/v1/replacements/{order.pk}/threshold-decision",
        {"decision": "charge"},
        content_type="application/json",
        **_auth(vendor_user("billing")),
    )
    assert not_flagged.status_code == 422 and "not awaiting" in not_flagged.json()["detail"]


def test_portal_raise_from_case(client, pe_case, customer, agent):
    client.force_login(agent)
    assert client.get(f"/replacements/from-case/{pe_case.pk}/").status_code == 200
    bad = client.post(
        f"/replacements/from-case/{pe_case.pk}/",
        {
            "cause": "hardware_fault",
            "delivery_site": customer.sites.first().pk,
            "onsite_destruction": "on",
        },
    )
    assert bad.status_code == 422 and b"On-site destruction needs the option" in bad.content
    ok = client.post(
        f"/replacements/from-case/{pe_case.pk}/",
        {"cause": "hardware_fault", "delivery_site": customer.sites.first().pk},
    )
    assert ok.status_code == 302
    assert ReplacementOrder.objects.get().case == pe_case
