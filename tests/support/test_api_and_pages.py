"""API (/api/v1/cases) and portal pages: tenancy on every endpoint and page (R-TEN-1),
the queue's order and its constant query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fleetcare.support import services
from fleetcare.support.models import Case
from tests.factories import at

pytestmark = pytest.mark.django_db
NOW = at("2026-03-02T08:00:00+00:00")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _open(actor, model, **kw):
    now = kw.pop("now", None)
    return services.open_case(
        actor=actor,
        data=services.OpenCaseInput(
            product_model=model,
            severity=kw.pop("severity", "S2"),
            subject="Audio drops",
            description="Every call",
            **kw,
        ),
        now=now,
    )


@pytest.fixture
def cases(customer_user, partner_user, pe_contract, daas_device, model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pe = services.open_case(
        actor=customer_user,
        data=services.OpenCaseInput(
            product_model=model, severity="S2", subject="P+E case", description="d"
        ),
        attachments=[SimpleUploadedFile("log.txt", b"line 1\nline 2\n")],
    )
    daas = _open(partner_user, model, device=daas_device.device)
    return pe, daas


def test_api_open_case_and_problem_json_for_end_user(
    daas_end_user, daas_device, model, customer_user, pe_contract
):
    body = {
        "product_model_id": model.pk,
        "severity": "S1",
        "subject": "x",
        "description": "y",
        "device_id": daas_device.device_id,
    }
    r = _client(daas_end_user).post("/api/v1/cases", body, content_type="application/json")
    assert r.status_code in (403, 404)
    r = _client(customer_user).post(
        "/api/v1/cases", {**body, "device_id": None}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["entitlement"] == "account_wide"
    assert r.json()["reference"].startswith("CASE-")


def test_api_end_user_device_refusal_names_partner(
    daas_end_user, daas_customer, daas_device, model
):
    body = {
        "product_model_id": model.pk,
        "severity": "S1",
        "subject": "x",
        "description": "y",
        "account_id": daas_customer.pk,
    }
    r = _client(daas_end_user).post("/api/v1/cases", body, content_type="application/json")
    assert r.status_code == 403
    assert r["Content-Type"] == "application/problem+json"
    assert "Maple Partners" in r.json()["detail"]


def test_r_ten_1_api_tenancy_on_every_endpoint(
    cases,
    customer_user,
    other_customer_user,
    partner_user,
    other_partner_user,
    daas_end_user,
    agent,
    distributor_user,
):
    pe, daas = cases
    expectations = {
        customer_user: {pe.pk},
        partner_user: {daas.pk},  # never the P+E customer's case
        other_partner_user: set(),
        other_customer_user: set(),
        daas_end_user: set(),
        distributor_user: set(),
        agent: {pe.pk, daas.pk},
    }
    att = pe.attachments.get()
    for user, visible in expectations.items():
        c = _client(user)
        listed = {row["id"] for row in c.get("/api/v1/cases").json()["items"]}
        assert listed == visible, user
        for case in (pe, daas):
            expected = 200 if case.pk in visible else 404
            for path in ("", "/timeline", "/attachments", "/engineering-references"):
                assert c.get(f"/api/v1/cases/{case.pk}{path}").status_code == expected, (user, path)
            r = c.post(
                f"/api/v1/cases/{case.pk}/replies", {"body": "hi"}, content_type="application/json"
            )
            assert (r.status_code == 404) == (case.pk not in visible), (user, r.content)
        r = c.get(f"/api/v1/cases/{pe.pk}/attachments/{att.pk}")
        assert r.status_code == (200 if pe.pk in visible else 404)


def test_r_ten_1_pages_tenancy(cases, customer_user, partner_user, other_customer_user, agent):
    pe, daas = cases
    att = pe.attachments.get()
    for user, visible in (
        (customer_user, {pe}),
        (partner_user, {daas}),
        (other_customer_user, set()),
        (agent, {pe, daas}),
    ):
        c = _client(user)
        page = c.get(reverse("support:cases")).content.decode()
        for case in (pe, daas):
            assert (case.reference in page) == (case in visible)
            r = c.get(reverse("support:case_detail", args=[case.pk]))
            assert r.status_code == (200 if case in visible else 404)
        r = c.get(reverse("support:attachment", args=[att.pk]))
        assert r.status_code == (200 if pe in visible else 404)


def test_internal_note_attachment_hidden_from_customer(cases, customer_user, agent):
    pe, _ = cases
    services.add_reply(
        pe,
        actor=agent,
        body="internal",
        internal=True,
        attachments=[SimpleUploadedFile("dump.log", b"secret")],
    )
    att = pe.attachments.get(original_name="dump.log")
    assert (
        _client(customer_user).get(reverse("support:attachment", args=[att.pk])).status_code == 404
    )
    assert _client(agent).get(reverse("support:attachment", args=[att.pk])).status_code == 200
    page = _client(customer_user).get(reverse("support:case_detail", args=[pe.pk])).content.decode()
    assert "dump.log" not in page


def test_end_user_page_sends_to_partner(daas_end_user):
    page = _client(daas_end_user).get(reverse("support:case_new")).content.decode()
    assert "Please contact Maple Partners, your service partner" in page


def test_queue_sorted_by_earliest_deadline_with_constant_queries(
    agent,
    customer_user,
    partner_user,
    pe_contract,
    daas_device,
    model,
    django_assert_max_num_queries,
):
    s4 = _open(customer_user, model, severity="S4", now=NOW)
    s1 = _open(customer_user, model, severity="S1", now=NOW)
    daas = _open(partner_user, model, device=daas_device.device, severity="S3", now=NOW)
    c = _client(agent)
    c.get(reverse("support:queue"))  # warm caches (sessions, content types)
    with django_assert_max_num_queries(12) as ctx:
        page = c.get(reverse("support:queue")).content.decode()
    few = len(ctx.captured_queries)
    order = [page.index(x.reference) for x in (s1, daas, s4)]
    assert order == sorted(order)
    for i in range(20):
        _open(customer_user, model, severity="S3", now=NOW + timedelta(minutes=i))
        _open(partner_user, model, device=daas_device.device, severity="S2", now=NOW)
    with django_assert_max_num_queries(few):
        c.get(reverse("support:queue"))
    r = c.get("/api/v1/cases/queue")
    assert r.status_code == 200
    items = r.json()["items"]
    assert items[0]["reference"] == s1.reference
    assert items[0]["clock"] == "24x7"


def test_queue_forbidden_to_customers(customer_user):
    assert _client(customer_user).get(reverse("support:queue")).status_code == 403
    assert _client(customer_user).get("/api/v1/cases/queue").status_code == 403


def test_portal_open_case_and_work_it(customer_user, agent, escalation_manager, pe_contract, model):
    c = _client(customer_user)
    r = c.post(
        reverse("support:case_new"),
        {
            "product_model": model.pk,
            "severity": "S2",
            "subject": "Portal case",
            "description": "From the form",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get(subject="Portal case")
    a = _client(agent)
    assert (
        a.post(reverse("support:case_reply", args=[case.pk]), {"body": "On it"}).status_code == 302
    )
    a.post(
        reverse("support:case_escalate", args=[case.pk]),
        {"level": "2", "reason": "VIP", "owner": escalation_manager.pk},
    )
    case.refresh_from_db()
    assert case.first_responded_at is not None and case.escalation_level == 2
    page = _client(escalation_manager).get(reverse("support:escalations")).content.decode()
    assert case.reference in page
    detail = a.get(reverse("support:case_detail", args=[case.pk])).content.decode()
    assert "On it" in detail and "Escalate" in detail


def test_api_partner_incident_refused_without_authorisation(cases, agent, teams):
    pe, _ = cases
    r = _client(agent).post(
        f"/api/v1/cases/{pe.pk}/partner-incidents",
        {"cloud_partner": "teams", "partner_ticket": "T1"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert "No signed authorisation" in r.json()["detail"]
