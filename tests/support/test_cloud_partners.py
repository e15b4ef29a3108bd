"""Cloud partners kept by vendor support staff in the portal and the API; customers see
which partners they have authorised (R-SUP-4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fleetcare.core.models import ChangeLogEntry
from fleetcare.support import services
from fleetcare.support.models import CloudPartner

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")


@pytest.fixture
def zoom(db):
    return CloudPartner.objects.create(code="zoom", name="Zoom", contact="zoom desk")


@pytest.mark.parametrize("role", ["support_agent", "escalation_manager", "vendor_admin"])
def test_vendor_support_staff_create_and_edit(vendor_user, role):
    user = vendor_user(role, username=f"u-{role}")
    partner = services.create_cloud_partner(
        actor=user,
        name=" Webex by Cisco ",
        contact="TAC +1 800",
        escalation_procedure="P1 by phone",
    )
    assert partner.code == "webex-by-cisco" and partner.name == "Webex by Cisco"
    partner = services.update_cloud_partner(partner, actor=user, contact="TAC portal", name=None)
    assert partner.contact == "TAC portal" and partner.name == "Webex by Cisco"
    assert partner.escalation_procedure == "P1 by phone"
    actions = set(
        ChangeLogEntry.objects.filter(object_id=str(partner.pk)).values_list("action", flat=True)
    )
    assert {"support.cloud_partner_created", "support.cloud_partner_updated"} <= actions


@pytest.mark.parametrize("role", ["service_operations", "csm", "billing"])
def test_other_vendor_roles_refused(vendor_user, role, zoom):
    user = vendor_user(role, username=f"u-{role}")
    with pytest.raises(PermissionDenied, match="Only support agents, escalation managers"):
        services.create_cloud_partner(actor=user, name="Webex")
    with pytest.raises(PermissionDenied):
        services.update_cloud_partner(zoom, actor=user, contact="x")


def test_customers_and_partners_refused(customer_user, partner_user, zoom):
    for user in (customer_user, partner_user):
        with pytest.raises(PermissionDenied):
            services.create_cloud_partner(actor=user, name="Webex")
        with pytest.raises(PermissionDenied):
            services.update_cloud_partner(zoom, actor=user, name="Zoom!")
    zoom.refresh_from_db()
    assert zoom.name == "Zoom"


def test_refusals_name_every_bad_field(agent, zoom):
    with pytest.raises(ValidationError) as exc:
        services.create_cloud_partner(actor=agent, name="zoom", contact="x" * 301, code="Bad Code!")
    errors = exc.value.message_dict
    assert "A cloud partner named zoom already exists." in errors["name"]
    assert "longer than 300" in errors["contact"][0]
    assert "lower-case letters" in errors["code"][0]
    with pytest.raises(ValidationError, match="already taken"):
        services.create_cloud_partner(actor=agent, name="Zoom Video", code="zoom")
    with pytest.raises(ValidationError, match="Give the cloud partner's name"):
        services.update_cloud_partner(zoom, actor=agent, name="  ")
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.update_cloud_partner(zoom, actor=agent, code="other")
    # a second partner with a name whose code is taken gets a numbered code
    assert services.create_cloud_partner(actor=agent, name="Zoom.").code == "zoom-2"


# --- portal ----------------------------------------------------------------------------


def test_portal_agent_adds_and_edits_a_cloud_partner(agent):
    c = _client(agent)
    page = c.get(reverse("support:authorisations")).content.decode()
    assert reverse("support:cloud_partner_new") in page
    r = c.post(
        reverse("support:cloud_partner_new"),
        {"name": "Google Meet", "contact": "partner desk", "escalation_procedure": "Ticket"},
    )
    assert r.status_code == 302 and r["Location"].endswith("#cloud-partners")
    partner = CloudPartner.objects.get(name="Google Meet")
    page = c.get(reverse("support:authorisations")).content.decode()
    assert "Google Meet" in page and "partner desk" in page
    assert reverse("support:cloud_partner_edit", args=[partner.pk]) in page
    edit = reverse("support:cloud_partner_edit", args=[partner.pk])
    assert 'value="Google Meet"' in c.get(edit).content.decode()
    r = c.post(edit, {"name": "Google Meet", "contact": "meet-support@example.com"})
    assert r.status_code == 302
    partner.refresh_from_db()
    assert partner.contact == "meet-support@example.com" and partner.escalation_procedure == ""


def test_portal_form_shows_why_it_refuses(agent, zoom):
    r = _client(agent).post(reverse("support:cloud_partner_new"), {"name": "ZOOM"})
    assert r.status_code == 422
    assert "A cloud partner named ZOOM already exists." in r.content.decode()


def test_portal_refuses_others(customer_user, vendor_user, zoom):
    ops = vendor_user("service_operations", username="ops")
    for user in (customer_user, ops):
        c = _client(user)
        assert c.get(reverse("support:cloud_partner_new")).status_code == 403
        r = c.post(reverse("support:cloud_partner_edit", args=[zoom.pk]), {"name": "Hacked"})
        assert r.status_code == 403
    zoom.refresh_from_db()
    assert zoom.name == "Zoom"
    page = _client(ops).get(reverse("support:authorisations")).content.decode()
    assert "Zoom" in page and reverse("support:cloud_partner_new") not in page


def test_customer_sees_which_partners_it_authorised(customer_user, agent, customer, teams, zoom):
    today = timezone.localdate()
    services.record_authorisation(
        actor=agent,
        account=customer,
        cloud_partner=teams,
        document=_pdf(),
        valid_from=today - timedelta(days=10),
        valid_to=today + timedelta(days=30),
    )
    services.record_authorisation(  # expired: does not count
        actor=agent,
        account=customer,
        cloud_partner=zoom,
        document=_pdf(),
        valid_from=date(2020, 1, 1),
        valid_to=date(2020, 12, 31),
    )
    page = _client(customer_user).get(reverse("support:authorisations")).content.decode()
    until = (today + timedelta(days=30)).isoformat()
    assert f"Yes, until {until}" in page
    assert 'data-code="zoom" class="not-authorised"' in page
    assert "zoom desk" not in page  # the vendor's notes stay internal


# --- API -------------------------------------------------------------------------------


def test_api_create_and_patch(agent, zoom):
    c = _client(agent)
    r = c.post(
        "/api/v1/cases/cloud-partners",
        {"name": "Webex", "contact": "TAC", "escalation_procedure": "P1 by phone"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "webex" and body["contact"] == "TAC"
    r = c.patch(
        "/api/v1/cases/cloud-partners/webex",
        {"escalation_procedure": "Partner portal"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["escalation_procedure"] == "Partner portal" and r.json()["contact"] == "TAC"
    listed = {p["code"]: p for p in c.get("/api/v1/cases/cloud-partners").json()}
    assert listed["webex"]["escalation_procedure"] == "Partner portal"
    assert listed["zoom"]["authorised"] is None


def test_api_refusals_are_problem_json(agent, customer_user, vendor_user, zoom):
    r = _client(agent).post(
        "/api/v1/cases/cloud-partners", {"name": "zoom"}, content_type="application/json"
    )
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert "name: A cloud partner named zoom already exists." in r.json()["detail"]
    r = _client(agent).patch(
        "/api/v1/cases/cloud-partners/nope", {"name": "x"}, content_type="application/json"
    )
    assert r.status_code == 404
    for user in (customer_user, vendor_user("billing", username="bill")):
        c = _client(user)
        r = c.post(
            "/api/v1/cases/cloud-partners", {"name": "Webex"}, content_type="application/json"
        )
        assert r.status_code == 403 and "Only support agents" in r.json()["detail"]
        r = c.patch(
            "/api/v1/cases/cloud-partners/zoom", {"name": "x"}, content_type="application/json"
        )
        assert r.status_code == 403
    assert not CloudPartner.objects.filter(name="Webex").exists()


def test_api_customer_sees_its_authorisations_only(
    customer_user, other_customer_user, agent, customer, teams, zoom
):
    today = timezone.localdate()
    services.record_authorisation(
        actor=agent,
        account=customer,
        cloud_partner=teams,
        document=_pdf(),
        valid_from=today - timedelta(days=1),
    )
    listed = {
        p["code"]: p for p in _client(customer_user).get("/api/v1/cases/cloud-partners").json()
    }
    assert listed["teams"]["authorised"] is True and listed["teams"]["authorised_until"] is None
    assert listed["zoom"]["authorised"] is False
    assert listed["teams"]["contact"] is None  # internal notes are for vendor staff
    only = _client(customer_user).get("/api/v1/cases/cloud-partners?authorised=true").json()
    assert [p["code"] for p in only] == ["teams"]
    other = {
        p["code"]: p
        for p in _client(other_customer_user).get("/api/v1/cases/cloud-partners").json()
    }
    assert other["teams"]["authorised"] is False
    r = _client(agent).get("/api/v1/cases/cloud-partners?authorised=true")
    assert r.status_code == 422


def test_new_partner_usable_for_an_incident_once_authorised(
    agent, customer_user, customer, model, pe_contract
):
    partner = services.create_cloud_partner(actor=agent, name="RingCentral")
    case = services.open_case(
        actor=customer_user,
        data=services.OpenCaseInput(
            product_model=model, severity="S2", subject="s", description="d"
        ),
    )
    with pytest.raises(PermissionDenied, match="No signed authorisation"):
        services.open_partner_incident(case, actor=agent, cloud_partner=partner)
    services.record_authorisation(
        actor=agent,
        account=customer,
        cloud_partner=partner,
        document=_pdf(),
        valid_from=timezone.localdate(),
    )
    incident = services.open_partner_incident(
        case, actor=agent, cloud_partner=partner, partner_ticket="RC-1"
    )
    assert incident.cloud_partner == partner
