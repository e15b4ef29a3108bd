"""The case page by role (issue 14): each role is offered only the controls it may use,
and a refused form re-renders with everything typed kept. The partner-incident update
works from the page; another tenant's incident is a 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fleetcare.replacements import services as rma
from fleetcare.support import services
from fleetcare.support.models import Case, CaseEvent, PartnerIncidentUpdate

pytestmark = pytest.mark.django_db

TYPED = "The headset drops every call after ten minutes — serial 7Q-42, tried two docks."


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def case(customer_user, pe_contract, model) -> Case:
    return services.open_case(
        actor=customer_user,
        data=services.OpenCaseInput(
            product_model=model, severity="S2", subject="Audio drops", description="Every call"
        ),
    )


def _url(name: str, case: Case, *args) -> str:
    return reverse(f"support:{name}", args=[case.pk, *args])


def _page(user, case) -> str:
    r = _client(user).get(_url("case_detail", case))
    assert r.status_code == 200
    return r.content.decode()


def _options(html: str, form_id: str, name: str) -> list[str]:
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert form, form_id
    select = re.search(rf'<select name="{name}".*?</select>', form.group(0), re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"', select.group(0))


AGENT_ONLY = ("assign-form", "severity-form", "escalate-form", "engref-form", "incident-form")


def test_customer_sees_reply_attach_and_close_only(customer_user, case):
    html = _page(customer_user, case)
    for form_id in ("reply-form", "attach-form", "status-form"):
        assert f'id="{form_id}"' in html
    assert 'name="internal"' not in html and "Internal note" not in html
    for form_id in AGENT_ONLY:
        assert f'id="{form_id}"' not in html
    assert _options(html, "status-form", "status") == ["closed"]
    assert _options(html, "reply-form", "status") == ["", "closed"]
    assert "Close the case" in html


def test_customer_of_a_closed_case_is_offered_reopen(customer_user, case):
    services.change_status(case, actor=customer_user, status="closed")
    html = _page(customer_user, case)
    assert _options(html, "status-form", "status") == ["in_progress"]
    assert "Reopen the case" in html


def test_agent_sees_internal_note_status_severity_and_assignment(agent, case):
    html = _page(agent, case)
    assert 'name="internal"' in html
    for form_id in ("reply-form", "attach-form", "status-form", *AGENT_ONLY):
        assert f'id="{form_id}"' in html
    statuses = _options(html, "status-form", "status")
    assert "solved" in statuses and "waiting_on_customer" in statuses and "new" not in statuses
    assert _options(html, "severity-form", "severity") == ["S1", "S2", "S3", "S4"]
    assert 'id="escalation-form"' not in html  # no escalation yet, and not a manager


def test_csm_reads_the_case_but_is_offered_no_control(csm, case):
    html = _page(csm, case)
    assert case.subject in html
    for form_id in ("reply-form", "attach-form", "status-form", *AGENT_ONLY):
        assert f'id="{form_id}"' not in html


def test_escalation_manager_gets_the_record_form_once_escalated(agent, escalation_manager, case):
    services.escalate(case, actor=agent, level=2, reason="VIP", owner=escalation_manager)
    assert 'id="escalation-form"' in _page(escalation_manager, case)
    assert 'id="escalation-form"' not in _page(agent, case)


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, name
    return found.group(1).strip()


def test_refused_internal_note_from_a_customer_keeps_the_typed_message(customer_user, case):
    before = CaseEvent.objects.filter(case=case).count()
    r = _client(customer_user).post(
        _url("case_reply", case), {"body": TYPED, "internal": "on", "status": ""}
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "Only agents write internal notes" in html
    assert _textarea(html, "body") == TYPED
    assert CaseEvent.objects.filter(case=case).count() == before  # nothing saved


def test_refused_status_from_a_customer_keeps_the_typed_message(customer_user, case):
    r = _client(customer_user).post(_url("case_reply", case), {"body": TYPED, "status": "solved"})
    assert r.status_code == 422
    html = r.content.decode()
    assert _textarea(html, "body") == TYPED
    assert "Select a valid choice" in html
    case.refresh_from_db()
    assert case.status == "new"


def test_reply_refused_by_the_service_keeps_the_typed_message(customer_user, case):
    bad = SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary", content_type="application/x-msdos")
    r = _client(customer_user).post(_url("case_reply", case), {"body": TYPED, "attachment": bad})
    assert r.status_code == 422
    html = r.content.decode()
    assert _textarea(html, "body") == TYPED
    assert 'class="form-errors"' in html or "field-error" in html
    assert not CaseEvent.objects.filter(case=case, kind="reply").exists()


def test_customer_reply_is_sent(customer_user, case):
    r = _client(customer_user).post(_url("case_reply", case), {"body": TYPED})
    assert r.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="reply", body=TYPED).exists()


def test_customer_closes_the_case_from_the_page(customer_user, case):
    r = _client(customer_user).post(_url("case_status", case), {"status": "closed", "note": ""})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"


def test_customer_may_not_set_any_status_and_the_note_is_kept(customer_user, case):
    r = _client(customer_user).post(
        _url("case_status", case), {"status": "solved", "note": "please fix"}
    )
    assert r.status_code == 422
    assert 'value="please fix"' in r.content.decode()


def test_agent_action_refused_keeps_what_was_typed(agent, case):
    r = _client(agent).post(_url("case_engref", case), {"kind": "nope", "reference": "ENG-77"})
    assert r.status_code == 422
    assert 'value="ENG-77"' in r.content.decode()


def test_customer_posting_an_agent_action_is_refused_not_saved(customer_user, case):
    r = _client(customer_user).post(_url("case_severity", case), {"severity": "S1"})
    assert r.status_code == 403
    case.refresh_from_db()
    assert case.severity == "S2"


def test_other_tenant_gets_404_for_every_action(other_customer_user, case):
    c = _client(other_customer_user)
    for name in ("case_reply", "case_status", "case_attach", "case_severity"):
        assert c.post(_url(name, case), {"body": "x"}).status_code == 404


def test_raise_a_replacement_is_not_offered_once_the_case_has_one(agent, case):
    assert 'id="raise-replacement"' in _page(agent, case)
    rma.request_replacement(
        actor=agent,
        case=case,
        cause="hardware_fault",
        delivery_site=case.account.sites.first(),
        fault_description="No audio",
    )
    html = _page(agent, case)
    assert 'id="raise-replacement"' not in html
    assert 'id="no-replacement"' not in html  # nor the "not entitled" notice


# --- the partner-incident update (R-SUP-4) --------------------------------------------


@pytest.fixture
def incident(agent, customer, case, teams):
    services.record_authorisation(
        actor=agent,
        account=customer,
        cloud_partner=teams,
        document=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 ok", content_type="application/pdf"),
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    return services.open_partner_incident(case, actor=agent, cloud_partner=teams)


def _incident_post(incident, **fields) -> dict[str, str]:
    return {f"inc{incident.pk}-{k}": v for k, v in fields.items()}


def test_r_sup_4_agent_updates_the_partner_incident_from_the_page(agent, case, incident):
    url = _url("case_incident_update", case, incident.pk)
    assert f'action="{url}"' in _page(agent, case)
    r = _client(agent).post(
        url, _incident_post(incident, kind="status", body="Ticket opened", partner_ticket="MS-9")
    )
    assert r.status_code == 302
    incident.refresh_from_db()
    assert incident.partner_ticket == "MS-9" and incident.status == "open"
    assert PartnerIncidentUpdate.objects.filter(incident=incident, body="Ticket opened").exists()


def test_r_sup_4_incident_update_refused_keeps_the_text(agent, case, incident):
    url = _url("case_incident_update", case, incident.pk)
    r = _client(agent).post(url, _incident_post(incident, kind="bogus", body="Joint call at 3"))
    assert r.status_code == 422
    assert "Joint call at 3" in r.content.decode()


def test_r_ten_1_foreign_users_get_404_on_the_incident(
    agent, case, incident, other_customer_user, partner_user, customer_user, pe_contract, model
):
    url = _url("case_incident_update", case, incident.pk)
    body = _incident_post(incident, kind="status", body="x")
    assert _client(other_customer_user).post(url, body).status_code == 404
    assert _client(partner_user).post(url, body).status_code == 404
    other_case = services.open_case(
        actor=customer_user,
        data=services.OpenCaseInput(
            product_model=model, severity="S3", subject="Other", description="x"
        ),
    )
    wrong = _url("case_incident_update", other_case, incident.pk)
    assert _client(agent).post(wrong, body).status_code == 404
    # The case's own customer sees the case, not the vendor's incident with the partner.
    assert _client(customer_user).post(url, body).status_code == 404
    assert not PartnerIncidentUpdate.objects.filter(body="x").exists()


def test_partner_that_opened_the_case_replies_attaches_and_closes(partner_user, daas_device, model):
    case = services.open_case(
        actor=partner_user,
        data=services.OpenCaseInput(
            product_model=model,
            severity="S3",
            subject="Reboots",
            description="Every hour",
            device=daas_device.device,
        ),
    )
    html = _page(partner_user, case)
    for form_id in ("reply-form", "attach-form", "status-form"):
        assert f'id="{form_id}"' in html
    assert 'name="internal"' not in html
    for form_id in AGENT_ONLY:
        assert f'id="{form_id}"' not in html
    assert _options(html, "status-form", "status") == ["closed"]


def test_billing_is_offered_no_case_at_all(billing_user, case):
    assert _client(billing_user).get(_url("case_detail", case)).status_code == 404
    assert _client(billing_user).post(_url("case_reply", case), {"body": TYPED}).status_code == 404
