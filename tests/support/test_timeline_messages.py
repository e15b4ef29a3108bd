"""Timeline entries are stored as a kind with parameters and written in the reader's
language and time zone (issue 14); old rows are converted by a data migration."""

from __future__ import annotations

import importlib
import re
from html import unescape

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from fleetcare.support import services
from fleetcare.support.models import CaseEvent, EventKind
from tests.factories import at

pytestmark = pytest.mark.django_db
NOW = at("2026-12-01T16:01:00+01:00")  # 15:01 UTC


def _open(actor, model):
    return services.open_case(
        actor=actor,
        data=services.OpenCaseInput(
            product_model=model, severity="S2", subject="Audio drops", description="Every call"
        ),
        now=NOW,
    )


def _timeline_text(user, case, language: str) -> str:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    page = c.get(reverse("support:case_detail", args=[case.pk])).content.decode()
    block = re.search(r'<ol class="plain-list" id="timeline">.*?</ol>', page, re.S).group(0)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", block)).split())


@pytest.fixture
def worked_case(customer_user, agent, escalation_manager, pe_contract, model):
    case = _open(customer_user, model)
    services.change_status(case, actor=agent, status="waiting_on_customer", now=NOW)
    services.change_severity(case, actor=agent, severity="S1", now=NOW)
    services.assign(case, actor=agent, owner=agent, now=NOW)
    esc = services.escalate(case, actor=agent, level=2, reason="Customer board meeting", now=NOW)
    services.update_escalation(
        esc,
        actor=escalation_manager,
        specialist="Dana (DSP team)",
        actions="Captured logs",
        workaround="Use the USB cable",
        now=NOW,
    )
    services.add_engineering_reference(
        case, actor=agent, kind="bug", reference="ENG-1", title="Echo", now=NOW
    )
    return case


def test_r_sup_1_timeline_in_english_has_human_wording_and_no_code(worked_case, agent):
    text = _timeline_text(agent, worked_case, "en")
    assert "Status changed from New to Waiting on customer." in text
    assert "Severity changed from S2 – major to S1 – critical." in text
    assert "Entitled by Poly+ Enterprise contract PE-0001 until 31 Dec 2027." in text
    assert "Escalated to level 2." in text and "Customer board meeting" in text
    assert "Escalated to specialist Dana (DSP team)" in text
    assert "Actions taken: Captured logs" in text
    assert "Workaround: Use the USB cable" in text
    assert "Bug ENG-1 recorded." in text
    assert "1 Dec 2026 15:01 UTC" in text  # a vendor agent without site reads UTC
    for raw in ("waiting_on_customer", "→", "specialist:", "actions:", "Couvert par"):
        assert raw not in text


def test_r_sup_1_the_same_timeline_in_french_for_a_french_reader(worked_case, agent):
    agent.time_zone = "Europe/Paris"
    agent.save(update_fields=["time_zone"])
    text = _timeline_text(agent, worked_case, "fr")
    assert "Statut passé de « Nouveau » à « En attente du client »." in text
    assert "Couvert par le contrat Poly+ Enterprise PE-0001 jusqu’au 31 décembre 2027." in text
    assert "Escaladé au spécialiste Dana (DSP team)" in text
    assert "Contournement : Use the USB cable" in text
    assert "1 décembre 2026 16:01 CET" in text
    for english in ("Entitled by", "Status changed", "Workaround", "UTC"):
        assert english not in text


def test_r_sup_1_customer_sees_public_entries_only_in_its_language(worked_case, customer_user):
    # The customer's main site is in Paris: times in CET without any setting.
    text = _timeline_text(customer_user, worked_case, "fr")
    assert "Contournement : Use the USB cable" in text
    assert "1 décembre 2026 16:01 CET" in text
    assert "Escaladé" not in text and "Dana" not in text  # internal entries


def test_legacy_sentences_are_converted_by_the_data_migration(customer_user, pe_contract, model):
    case = _open(customer_user, model)
    ev = case.events.get(kind=EventKind.ENTITLEMENT)
    ev.body = "Entitled by Poly+ Enterprise contract PE-0001 until 2027-12-31."
    ev.data = {"entitlement": "account_wide", "until": "2027-12-31"}
    ev.save()
    other = CaseEvent.objects.create(
        case=case, kind=EventKind.REPLY, at=NOW, body="Typed by a person", data={}
    )
    migration = importlib.import_module(
        "fleetcare.support.migrations.0007_timeline_messages_as_codes"
    )
    migration.forwards(apps, None)
    ev.refresh_from_db()
    other.refresh_from_db()
    assert ev.body == ""
    assert ev.data["ref"] == "PE-0001" and ev.data["programme"] == case.programme_code
    assert other.body == "Typed by a person"


def test_e_mails_in_the_recipient_language_and_zone(
    customer, agent, escalation_manager, pe_contract, model, django_capture_on_commit_callbacks
):
    """The French requester (Paris site) reads French and CET; the English queue reads
    English and UTC; the partner's result reaches the customer in French."""
    from django.core import mail

    from tests.factories import UserFactory

    jeanne = UserFactory(
        organisation=customer, role="customer_admin", language="fr", username="jeanne"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = _open(jeanne, model)
    to_jeanne = next(m for m in mail.outbox if m.to == [jeanne.email])
    queue = next(m for m in mail.outbox if m.to == ["support-queue@fleetcare.local"])
    due = case.first_response_due
    assert due is not None
    assert "Première réponse attendue :" in to_jeanne.body and "CET" in to_jeanne.body
    assert "UTC" not in to_jeanne.body
    assert "First response due:" in queue.body and "UTC" in queue.body
    mail.outbox.clear()
    esc = services.escalate(case, actor=agent, level=1, reason="VIP", now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_escalation(esc, actor=escalation_manager, fix="Firmware 9.1", now=NOW)
        services.add_reply(case, actor=agent, body="Fixed?", now=NOW)
    reply = next(m for m in mail.outbox if m.to == [jeanne.email])
    assert "Fixed?" in reply.body


def test_legacy_workaround_reply_is_converted_but_a_person_s_reply_is_not(
    customer_user, agent, escalation_manager, pe_contract, model
):
    case = _open(customer_user, model)
    esc = services.escalate(case, actor=agent, level=1, reason="VIP", now=NOW)
    services.update_escalation(esc, actor=escalation_manager, workaround="Reboot", now=NOW)
    written = case.events.get(kind=EventKind.REPLY)
    written.body, written.data = "Contournement : Reboot", {}
    written.save()
    typed = CaseEvent.objects.create(
        case=case, kind=EventKind.REPLY, at=NOW, body="Fix: I tried a reboot", data={}
    )
    typed.at = at("2026-12-01T17:00:00+01:00")
    typed.save()
    migration = importlib.import_module(
        "fleetcare.support.migrations.0007_timeline_messages_as_codes"
    )
    migration.forwards(apps, None)
    written.refresh_from_db()
    typed.refresh_from_db()
    assert written.body == "" and written.data == {"workaround": "Reboot"}
    assert typed.body == "Fix: I tried a reboot" and typed.data == {}
