"""R-FLT-4: the row rules are stated once (``_parse_row``); the import's hot loop only
accepts, faster, rows that plainly pass them. Whatever the file holds, both paths must
reach the same verdict, the same counts and the same errors."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetcare.fleet.importing import COLUMNS, Lookups, analyse
from fleetcare.fleet.importing.validation import FIRMWARE_MAX, SERIAL_MAX

AS_OF = date(2026, 6, 30)
LOOKUPS = Lookups(
    models={"CCX-500": (1, 10, "voice"), "STUDIO-X50": (2, 20, "video")},
    sites={(7, "paris hq"): 70, (7, "lyon"): 71},
    accounts={},
    fixed_account=7,
    models_exact={"CCX-500": (1, 10, "voice"), "STUDIO-X50": (2, 20, "video")},
)


class TextRows:
    """Rows the way the CSV reader hands them over: every cell a str (the fast path)."""

    text_cells = True

    def __init__(self, rows):
        self._it = iter(rows)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)


cell = {
    "sku": st.sampled_from(["CCX-500", "ccx-500", " STUDIO-X50", "NOPE", ""]),
    "serial_number": st.one_of(
        st.just(""),
        st.text(alphabet="AB12 ", max_size=5),
        st.just("S" * (SERIAL_MAX + 1)),
    ),
    "site": st.sampled_from(["", "Paris HQ", "paris hq ", "Lyon", "Nowhere"]),
    "firmware_version": st.sampled_from(["", "10.1.2", " 9.0 ", "F" * (FIRMWARE_MAX + 1)]),
    "first_seen": st.sampled_from(["", "2026-01-15", "2026-07-01", "15/01/2026", "  "]),
}
row = st.fixed_dictionaries(cell).map(lambda r: [r[c] for c in COLUMNS])


def _run(rows, fast: bool):
    numbered = [(1, list(COLUMNS)), *((i, list(r)) for i, r in enumerate(rows, start=2))]
    source = TextRows(numbered) if fast else iter(numbered)
    return analyse(source, 7, AS_OF, lookups=LOOKUPS)


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(row, min_size=1, max_size=12))
def test_r_flt_4_hot_loop_and_row_rules_agree(rows):
    fast, careful = _run(rows, fast=True), _run(rows, fast=False)
    assert fast.errors == careful.errors
    assert fast.rows == careful.rows
    assert {a: dict(c) for a, c in fast.counts.items()} == {
        a: dict(c) for a, c in careful.counts.items()
    }
    assert fast.serials == careful.serials
    assert fast.sites_used == careful.sites_used


@pytest.mark.django_db
def test_r_flt_4_field_lengths_come_from_the_model():
    long_serial = ["CCX-500", "S" * (SERIAL_MAX + 1), "", "", ""]
    result = _run([long_serial], fast=True)
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "serial_number")]
    assert result.errors[0]["params"] == {"limit": SERIAL_MAX}
