"""The page checks themselves catch what issue 14 reported (so a clean run means
something)."""

from __future__ import annotations

from tests.i18n.catalogue import other_language, raw_codes
from tests.i18n.pages import visible_text


def test_english_left_in_a_french_page_is_found():
    found = other_language(
        [
            "Timeline",
            "Entitled by Poly+ Enterprise contract PE-1 until 1 Jan 2027.",
            "Status changed from New to Waiting on customer.",
            "Acme SA",
            "Chronologie",
        ],
        "fr",
    )
    assert found == [
        "Timeline",
        "Entitled by Poly+ Enterprise contract PE-1 until 1 Jan 2027.",
        "Status changed from New to Waiting on customer.",
    ]


def test_french_in_an_english_page_is_found():
    found = other_language(
        ["Couvert par le contrat Poly+ Enterprise PE-1 jusqu’au 1 janvier 2027.", "Timeline"],
        "en",
    )
    assert found == ["Couvert par le contrat Poly+ Enterprise PE-1 jusqu’au 1 janvier 2027."]


def test_raw_codes_are_found_but_not_in_urls_or_labels():
    segments = ["new → waiting_on_customer", "per_device", "Per-device term", "/api/per_device/x"]
    assert raw_codes(segments) == ["new → waiting_on_customer", "per_device"]


def test_visible_text_skips_scripts_and_content_marked_with_its_own_language():
    html = (
        '<html lang="fr"><body><p>Bonjour</p><script>var x = "Timeline";</script>'
        '<select><option lang="en">English</option></select>'
        '<td lang="en">1 device, full month<br>more</td><input placeholder="Rechercher"></body></html>'
    )
    assert visible_text(html) == ["Bonjour", "Rechercher"]
