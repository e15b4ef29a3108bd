"""The French catalogue is complete and pages show labels, not codes (issue 14).

Every page reachable by one person of each role in the demo data (the browser suite's
people and records: Acme, Northwind, Maple, the vendor's staff) is rendered in French
and in English with the test client (tests/i18n/pages.py).

- In French, no text a reader sees may be an English source string of the catalogue
  (a ``msgid`` whose French differs): such a string was left untranslated, or was
  written in another language than the reader's (tests/i18n/catalogue.py).
- In either language, no text may be a raw enum value (``waiting_on_customer``,
  ``per_device``): a page shows the choice's label.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from fleetcare.core.demo import load_all
from tests.i18n.catalogue import enum_codes, other_language, raw_codes
from tests.i18n.pages import Page, crawl, data_texts, visible_text

pytestmark = pytest.mark.django_db  # the test database is set up for the module
DEMO_TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> tuple[list[Page], set[str]]:
    """The demo loaded once for the module, every page rendered, then rolled back;
    with the names in the data (never a left-over string)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = load_all(today=DEMO_TODAY)
        rendered = crawl(ctx.users)
        names = data_texts()
        transaction.set_rollback(True)
    return rendered, names


def _segments(page: Page, names: set[str]) -> list[str]:
    return [s for s in visible_text(page.html) if s not in names]


def test_every_page_in_french_has_no_english_source_string_left(demo):
    pages, names = demo
    french = [p for p in pages if p.language == "fr"]
    visited = {(p.person, p.url) for p in french}
    print(f"{len(visited)} pages in French, {len({p.person for p in french})} people")
    assert len(visited) > 80  # the crawl reached the portal
    problems = {
        f"{page.person} {page.url}: {segment!r}"
        for page in french
        for segment in other_language(_segments(page, names), "fr")
    }
    assert not problems, "English left in French pages:\n" + "\n".join(sorted(problems))


def test_no_page_shows_a_raw_enum_value(demo):
    pages, names = demo
    assert {"waiting_on_customer", "per_device", "account_wide"} <= enum_codes()
    assert raw_codes(["new → waiting_on_customer", "Per-device term"]) == [
        "new → waiting_on_customer"
    ]
    problems = {
        f"{page.person} {page.language} {page.url}: {segment!r}"
        for page in pages
        for segment in raw_codes(_segments(page, names))
    }
    assert not problems, "raw codes in pages:\n" + "\n".join(sorted(problems))
