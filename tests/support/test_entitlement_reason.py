"""R-SUP-1 / R-CAT-2 / R-CAT-3: a case not entitled keeps the reason as a code and its
parameters; the sentence is written when shown, in the reader's language, whoever opened
it and in whatever language."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from fleetcare.support.models import Case, Entitlement
from tests.factories import CategoryFactory, ProductModelFactory, api

from .test_cases import _open

pytestmark = pytest.mark.django_db


def test_r_cat_3_end_of_support_reason_stored_as_code_and_shown_in_the_readers_language(
    customer_user, pe_contract, video
):
    old = ProductModelFactory(category=video, end_of_support_on=date(2026, 1, 1), name="Old cam")
    with translation.override("fr"):
        case = _open(customer_user, old)
    case.refresh_from_db()
    assert case.entitlement == Entitlement.NONE
    assert case.entitlement_reason == "end_of_support"
    assert case.entitlement_params == {"model": "Old cam", "date": "2026-01-01"}
    with translation.override("en"):
        assert case.entitlement_note == "Old cam is past its end of support (1 Jan 2026)."
    with translation.override("fr"):
        assert "Old cam" in case.entitlement_note and "1 janvier 2026" in case.entitlement_note


def test_r_cat_2_quote_only_and_no_cover_reasons(customer_user, pe_contract):
    quote_only = ProductModelFactory(category=CategoryFactory(code="media_engine", quote_only=True))
    case = _open(customer_user, quote_only)
    assert (case.entitlement_reason, case.entitlement_params) == (
        "quote_only",
        {"category": "media_engine"},
    )
    voice = ProductModelFactory(category=CategoryFactory(code="voice"))
    case = _open(customer_user, voice)
    assert (case.entitlement_reason, case.entitlement_params) == ("no_cover", {})
    with translation.override("en"):
        assert case.entitlement_note.startswith("No Poly+ Enterprise contract or DaaS term")


def test_r_sup_1_api_shows_the_reason_in_the_callers_language(customer_user, pe_contract, video):
    old = ProductModelFactory(category=video, end_of_support_on=date(2026, 1, 1), name="Old cam")
    case = _open(customer_user, old)
    body = api(customer_user).get(f"/api/v1/cases/{case.pk}", HTTP_ACCEPT_LANGUAGE="fr")
    assert body.status_code == 200
    assert "fin de support" in body.json()["entitlement_note"]


@pytest.mark.django_db(transaction=True)
def test_migration_turns_stored_sentences_into_codes(customer, customer_user, video):
    executor = MigrationExecutor(connection)
    executor.migrate([("support", "0003_cloud_partner_contact")])
    old_apps = executor.loader.project_state([("support", "0003_cloud_partner_contact")]).apps
    OldCase = old_apps.get_model("support", "Case")
    eos = ProductModelFactory(category=video, end_of_support_on=date(2026, 1, 1), name="Old cam")
    quote = ProductModelFactory(category=CategoryFactory(code="media_engine", quote_only=True))
    notes = [
        (eos, "Le modèle Old cam a dépassé sa date de fin de support (2026-01-01)."),
        (quote, "Media engine is quote-only: not covered by Poly+ Enterprise."),
        (eos, ""),
    ]
    for i, (model, note) in enumerate(notes):
        OldCase.objects.create(
            reference=f"OLD-{i}",
            account_id=customer.pk,
            requester_id=customer_user.pk,
            product_model_id=model.pk,
            severity="S3",
            subject="s",
            description="d",
            entitlement="none",
            entitlement_note=note,
            opened_at="2026-03-02T08:00:00Z",
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    got = {c.reference: (c.entitlement_reason, c.entitlement_params) for c in Case.objects.all()}
    assert got == {
        "OLD-0": ("end_of_support", {"model": "Old cam", "date": "2026-01-01"}),
        "OLD-1": ("quote_only", {"category": "media_engine"}),
        "OLD-2": ("no_cover", {}),
    }
