"""R-FLT-3 / R-CAT-2 / R-CAT-3: the reason a device is not covered is a code with
parameters; its sentence is written when shown, in the reader's language (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from fleetcare.fleet.coverage_messages import REASONS, explain
from fleetcare.rules.coverage import Reason


def test_every_reason_code_has_a_sentence():
    assert set(REASONS) == set(Reason)
    assert explain(None) == ""


@pytest.mark.parametrize(
    ("reason", "params", "english", "french"),
    [
        (
            Reason.NO_CONTRACT,
            {"programme": "poly_plus_enterprise", "on": date(2027, 3, 1)},
            "The account has no Poly+ Enterprise contract in force on 1 Mar 2027.",
            "Le compte n’a pas de contrat Poly+ Enterprise en vigueur le 1 mars 2027.",
        ),
        (
            Reason.QUOTE_ONLY,
            {"category": "media_engine"},
            "Media engine is a quote-only class",
            "Moteur multimédia est une classe sur devis uniquement",
        ),
        (
            Reason.END_OF_SUPPORT,
            {"end_of_support_on": date(2026, 1, 31)},
            "past its end-of-support date (31 Jan 2026).",
            "dépassé sa date de fin de support (31 janvier 2026).",
        ),
        (
            Reason.CATEGORY_NOT_CHOSEN,
            {"category": "voice", "contract_id": 7, "contract_reference": "PE-T"},
            "The device's category, Voice, is not one that contract PE-T covers.",
            "La catégorie de l’appareil, Voix, ne fait pas partie de celles que couvre le contrat "
            "PE-T.",
        ),
        (
            Reason.NOT_IN_FLEET,
            {"first_seen_on": date(2026, 2, 10)},
            "it appeared on 10 Feb 2026.",
            "il y est apparu le 10 février 2026.",
        ),
        (Reason.NOT_ACTIVE, {}, "retired or replaced", "retiré ou remplacé"),
    ],
)
def test_r_flt_3_reason_sentences_in_the_readers_language(reason, params, english, french):
    with translation.override("en"):
        assert english in explain(reason, params)
    with translation.override("fr"):
        assert french in explain(reason, params)
        assert explain(reason.value, params) == explain(reason, params)  # a stored code


def test_a_missing_parameter_shows_blank_rather_than_failing():
    with translation.override("en"):
        assert explain(Reason.NO_CONTRACT, {}).startswith("The account has no  contract")
