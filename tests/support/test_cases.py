"""R-SUP-1 entitlement, R-DS-6 who may open, R-SUP-3 escalations, R-SUP-4 partner
incidents, attachments, notifications and the breach job."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fleetcare.core.models import ChangeLogEntry
from fleetcare.support import services, timeline
from fleetcare.support.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CloudPartnerAuthorisation,
    Entitlement,
    EventKind,
    PartnerIncidentStatus,
)
from tests.factories import CategoryFactory, ProductModelFactory, UserFactory, at

pytestmark = pytest.mark.django_db
NOW = at("2026-03-02T08:00:00+00:00")  # a Monday


def _open(actor, model, *, now=NOW, severity="S2", device=None, account=None, attachments=None):
    return services.open_case(
        actor=actor,
        data=services.OpenCaseInput(
            product_model=model,
            severity=severity,
            subject="Camera freezes",
            description="Freezes after 10 minutes",
            device=device,
            account=account,
        ),
        attachments=attachments,
        now=now,
    )


# --- R-SUP-1 entitlement ---------------------------------------------------------------


def test_r_sup_1_pe_contract_entitles_until_contract_end(customer_user, pe_contract, model):
    case = _open(customer_user, model)
    assert case.entitlement == Entitlement.ACCOUNT_WIDE
    assert case.enterprise_contract == pe_contract
    assert case.entitled_until == date(2027, 12, 31)
    assert case.reference == "CASE-000001"  # the first of the locked series (core.numbering)
    assert ChangeLogEntry.objects.filter(
        action="support.case_opened", object_id=str(case.pk)
    ).exists()


def test_r_sup_1_category_not_on_contract_is_not_entitled_but_kept(customer_user, pe_contract):
    voice = ProductModelFactory(category=CategoryFactory(code="voice"))
    case = _open(customer_user, voice)
    assert case.entitlement == Entitlement.NONE
    assert case.paid_support_offered
    assert Case.objects.filter(pk=case.pk).exists()


def test_r_sup_1_past_end_of_support_is_not_entitled(customer_user, pe_contract, video):
    old = ProductModelFactory(category=video, end_of_support_on=date(2026, 1, 1))
    case = _open(customer_user, old)
    assert case.entitlement == Entitlement.NONE
    assert "end of support" in case.entitlement_note


def test_r_sup_1_expired_contract_does_not_entitle(customer_user, pe_contract, model):
    pe_contract.status = "expired"
    pe_contract.save()
    assert _open(customer_user, model).entitlement == Entitlement.NONE


def test_r_sup_1_daas_device_term_entitles_until_term_end(partner_user, daas_device, model):
    case = _open(partner_user, model, device=daas_device.device)
    assert case.entitlement == Entitlement.PER_DEVICE
    assert case.daas_device == daas_device
    assert case.entitled_until == date(2028, 1, 1)
    assert case.opened_by_partner_id == partner_user.organisation_id
    assert case.account == daas_device.subscription.customer


def test_r_sup_1_daas_by_account_and_model_without_device(
    partner_user, daas_device, model, daas_customer
):
    case = _open(partner_user, model, account=daas_customer)
    assert case.entitlement == Entitlement.PER_DEVICE


# --- R-DS-6 who may open ---------------------------------------------------------------


def test_r_ds_6_end_user_is_refused_and_sent_to_partner_by_name(daas_end_user, daas_device, model):
    with pytest.raises(PermissionDenied) as exc:
        _open(daas_end_user, model, device=daas_device.device)
    assert "Please contact Maple Partners, your service partner" in str(exc.value)
    assert not Case.objects.exists()


def test_r_ds_6_daas_customer_admin_refused_for_daas_device(daas_admin, daas_device, model):
    with pytest.raises(PermissionDenied, match="Maple Partners"):
        _open(daas_admin, model, device=daas_device.device)


def test_r_ds_6_other_partner_refused(other_partner_user, daas_device, model):
    with pytest.raises(PermissionDenied, match="Only the certified partner that sold"):
        _open(other_partner_user, model, device=daas_device.device)


def test_r_ds_6_selling_partner_accepted(partner_user, daas_device, model):
    case = _open(partner_user, model, device=daas_device.device)
    assert case.status == CaseStatus.NEW


def test_r_ds_6_partner_cannot_open_for_pe_customer(partner_user, customer, pe_contract, model):
    with pytest.raises(PermissionDenied):
        _open(partner_user, model, account=customer)


def test_pe_customer_opens_at_any_hour(customer_user, pe_contract, model):
    case = _open(customer_user, model, now=at("2026-03-01T03:00:00+00:00"))  # Sunday 3 am
    assert case.entitlement == Entitlement.ACCOUNT_WIDE


def test_agent_enters_phone_case_for_a_customer(agent, customer, customer_user, pe_contract, model):
    case = services.open_case(
        actor=agent,
        data=services.OpenCaseInput(
            product_model=model,
            severity="S1",
            subject="Down",
            description="All rooms down",
            account=customer,
            channel="phone",
            requester=customer_user,
        ),
        now=NOW,
    )
    assert case.channel == "phone" and case.requester == customer_user


def test_bad_input_names_fields(customer_user, model):
    with pytest.raises(ValidationError) as exc:
        _open(customer_user, model, severity="S9")
    assert "severity" in exc.value.message_dict


# --- attachments -----------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attachment_type_checked_by_extension_and_content(customer_user, pe_contract, model):
    fake = SimpleUploadedFile("shot.png", b"MZ\x90\x00 not a png")
    with pytest.raises(ValidationError, match="not a .png file"):
        _open(customer_user, model, attachments=[fake])
    exe = SimpleUploadedFile("tool.exe", b"MZ")
    with pytest.raises(ValidationError, match="not allowed"):
        _open(customer_user, model, attachments=[exe])
    assert not Case.objects.exists()  # nothing half-saved


def test_attachment_size_limit(customer_user, pe_contract, model):
    big = SimpleUploadedFile("big.log", b"a" * (services.MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(ValidationError, match="limit"):
        _open(customer_user, model, attachments=[big])


def test_attachment_stored_under_random_name(customer_user, pe_contract, model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _open(customer_user, model, attachments=[SimpleUploadedFile("screen.png", PNG)])
    att = case.attachments.get()
    assert att.original_name == "screen.png" and att.content_type == "image/png"
    assert "screen" not in att.file.name and att.file.name.endswith(".png")


# --- notifications ---------------------------------------------------------------------


def test_emails_on_creation_and_reply_in_recipient_language(
    customer, agent, pe_contract, model, django_capture_on_commit_callbacks
):
    french = UserFactory(
        organisation=customer, role="customer_admin", language="fr", username="jeanne"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = _open(french, model)
    to_jeanne = [m for m in mail.outbox if m.to == [french.email]]
    assert len(to_jeanne) == 1 and case.reference in to_jeanne[0].subject
    queue = [m for m in mail.outbox if m.to == ["support-queue@fleetcare.local"]]
    assert queue and case.reference in queue[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_reply(case, actor=agent, body="Please reboot", now=NOW + timedelta(minutes=5))
    assert [m.to for m in mail.outbox] == [[french.email]]
    assert "Please reboot" in mail.outbox[0].body


# --- R-SUP-3 escalations ---------------------------------------------------------------


def test_r_sup_3_escalation_lifecycle_on_the_timeline(
    customer_user, agent, escalation_manager, pe_contract, model
):
    case = _open(customer_user, model)
    esc = services.escalate(
        case, actor=agent, level=2, reason="Customer-wide outage", owner=escalation_manager, now=NOW
    )
    case.refresh_from_db()
    assert case.escalation_level == 2
    services.update_escalation(
        esc,
        actor=escalation_manager,
        specialist="Video codec team",
        actions="Captured traces",
        workaround="Disable H.265",
        now=NOW + timedelta(hours=1),
    )
    services.add_engineering_reference(
        case, actor=agent, kind="bug", reference="ENG-4521", title="H.265 freeze"
    )
    with pytest.raises(ValidationError):
        services.deescalate(case, actor=escalation_manager)  # not solved yet
    services.add_reply(case, actor=agent, body="Fixed in 10.2", new_status="solved")
    services.deescalate(case, actor=escalation_manager)
    case.refresh_from_db()
    assert case.escalation_level == 0
    kinds = list(case.events.values_list("kind", flat=True))
    for kind in ("escalated", "escalation_update", "engineering_ref", "deescalated"):
        assert kind in kinds
    # the customer sees the workaround, not the internal escalation notes
    visible = {e.kind for e in services.timeline(case, customer_user)}
    assert "escalated" not in visible and "reply" in visible


def test_r_sup_3_only_escalation_managers_record_the_escalation(
    customer_user, agent, pe_contract, model
):
    case = _open(customer_user, model)
    esc = services.escalate(case, actor=agent, level=1, reason="Slow", now=NOW)
    with pytest.raises(PermissionDenied):
        services.update_escalation(esc, actor=agent, specialist="x")
    with pytest.raises(PermissionDenied):
        services.escalate(case, actor=customer_user, level=2, reason="please")


# --- R-SUP-4 cloud-partner incidents ---------------------------------------------------


def _authorise(agent, account, partner, settings, tmp_path, valid_to=None):
    settings.MEDIA_ROOT = tmp_path
    doc = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed")
    return services.record_authorisation(
        actor=agent,
        account=account,
        cloud_partner=partner,
        document=doc,
        valid_from=date(2026, 1, 1),
        valid_to=valid_to,
    )


def test_r_sup_4_incident_refused_without_authorisation(
    customer_user, agent, pe_contract, model, teams
):
    case = _open(customer_user, model)
    with pytest.raises(PermissionDenied, match="No signed authorisation"):
        services.open_partner_incident(
            case, actor=agent, cloud_partner=teams, partner_ticket="T-1", now=NOW
        )


def test_r_sup_4_expired_authorisation_refused(
    customer_user, agent, pe_contract, model, teams, settings, tmp_path
):
    _authorise(agent, customer_user.organisation, teams, settings, tmp_path, date(2026, 2, 1))
    case = _open(customer_user, model)
    with pytest.raises(PermissionDenied):
        services.open_partner_incident(
            case, actor=agent, cloud_partner=teams, partner_ticket="T-1", now=NOW
        )


def test_r_sup_4_incident_with_authorisation_and_updates(
    customer_user, agent, pe_contract, model, teams, settings, tmp_path
):
    auth = _authorise(agent, customer_user.organisation, teams, settings, tmp_path)
    assert CloudPartnerAuthorisation.objects.visible_to(customer_user).get() == auth
    case = _open(customer_user, model)
    incident = services.open_partner_incident(
        case, actor=agent, cloud_partner=teams, partner_ticket="MS-778", now=NOW
    )
    assert incident.authorisation == auth and incident.status == "open"
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_ON_PARTNER
    services.update_partner_incident(
        incident, actor=agent, kind="joint_call", body="Call with Teams engineers"
    )
    services.update_partner_incident(
        incident, actor=agent, kind="result", body="Tenant policy fixed by Microsoft"
    )
    incident.refresh_from_db()
    assert incident.status == PartnerIncidentStatus.RESOLVED
    assert incident.updates.count() == 2
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    public = [timeline.text(e) for e in services.timeline(case, customer_user)]
    assert any("Tenant policy fixed" in b for b in public)


def test_r_sup_4_partner_will_not_open_findings_point_customer_to_partner(
    customer_user, agent, pe_contract, model, teams, settings, tmp_path
):
    _authorise(agent, customer_user.organisation, teams, settings, tmp_path)
    case = _open(customer_user, model)
    incident = services.open_partner_incident(case, actor=agent, cloud_partner=teams, now=NOW)
    services.update_partner_incident(
        incident, actor=agent, kind="findings", body="Packet loss inside Teams relay"
    )
    incident.refresh_from_db()
    assert incident.status == PartnerIncidentStatus.REFUSED
    public = [timeline.text(e) for e in services.timeline(case, customer_user)]
    assert any("Please contact Microsoft Teams directly" in b for b in public)


# --- breach job ------------------------------------------------------------------------


def test_r_sup_2_breach_job_warns_marks_and_is_idempotent(
    customer_user, agent, pe_contract, model, django_capture_on_commit_callbacks
):
    case = _open(customer_user, model, severity="S1")  # first response due 08:30
    services.assign(case, actor=agent, owner=agent)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_breaches(NOW + timedelta(minutes=5)) == {"breached": 0, "warned": 0}
        assert services.mark_breaches(NOW + timedelta(minutes=25)) == {"breached": 0, "warned": 1}
        assert services.mark_breaches(NOW + timedelta(minutes=26)) == {"breached": 0, "warned": 0}
    assert len(mail.outbox) == 2
    assert "about to breach" in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_breaches(NOW + timedelta(minutes=31)) == {"breached": 1, "warned": 0}
        assert services.mark_breaches(NOW + timedelta(minutes=32)) == {"breached": 0, "warned": 0}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [agent.email, "support-queue@fleetcare.local"]
    )
    case.refresh_from_db()
    assert case.breached_milestones == ["first_response"]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.BREACH).count() == 1


def test_breach_job_is_registered():
    from fleetcare.core.jobs import REGISTRY, autodiscover

    autodiscover()
    assert "support.sla_breaches" in REGISTRY
