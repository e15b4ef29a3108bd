"""Exports spreadsheets take as they are: one table per CSV, typed XLSX cells, formula
injection neutralised (OWASP) in CSV and XLSX (R-PE-4 exports)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fleetcare.core.exports import csv_text, neutralise, xlsx_bytes

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_could_start_a_formula_is_neutralised(text):
    assert neutralise(text) == "'" + text


def test_harmless_values_are_left_alone():
    assert neutralise("Acme SA") == "Acme SA"
    assert neutralise(-5) == -5 and neutralise(Decimal("-1.5")) == Decimal("-1.5")
    assert neutralise("") == ""


def test_csv_one_table_numbers_dates_and_neutralised_text():
    text = csv_text(
        ["name", "count", "share", "on"],
        [["=cmd|' /C calc'!A0", 3, Decimal("-2.50"), date(2026, 6, 1)], ["Plain", 0, None, None]],
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["name", "count", "share", "on"],
        ["'=cmd|' /C calc'!A0", "3", "-2.50", "2026-06-01"],
        ["Plain", "0", "", ""],
    ]


def test_xlsx_numbers_as_numbers_dates_as_dates_text_never_a_formula():
    body = xlsx_bytes(
        [
            (
                "2026-06",
                ["name", "count", "baseline", "on"],
                [['=HYPERLINK("http://evil","x")', 7, Decimal("242.55"), date(2026, 6, 1)]],
            )
        ]
    )
    ws = load_workbook(io.BytesIO(body))["2026-06"]
    name, count, baseline, on = (c for c in ws[2])
    assert name.data_type == "s" and name.value == '\'=HYPERLINK("http://evil","x")'
    assert count.data_type == "n" and count.value == 7
    assert baseline.data_type == "n" and baseline.value == pytest.approx(242.55)
    assert on.is_date and on.value.date() == date(2026, 6, 1)
