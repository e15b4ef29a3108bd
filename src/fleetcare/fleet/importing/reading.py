"""Reading inventory files (CSV, XLSX) and pushed records into numbered rows (R-FLT-2)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

COLUMNS = ("sku", "serial_number", "site", "firmware_version", "first_seen")


REQUIRED = ("sku",)


ACCOUNT_COLUMN = "account"


HEADER_ALIASES = {
    "serial": "serial_number",
    "serial number": "serial_number",
    "firmware": "firmware_version",
    "first seen": "first_seen",
    "first_seen_on": "first_seen",
    "model": "sku",
    "account_number": "account",
}


BATCH = 5000


class ImportRejected(Exception):
    """The file or batch is refused whole; ``errors`` lists every bad row."""

    def __init__(self, errors: list[dict[str, Any]], detail: str | None = None) -> None:
        self.errors = errors
        rows = {e["row"] for e in errors}
        self.detail = detail or (
            f"The inventory was refused: {len(errors)} problem(s) in {len(rows)} row(s); "
            "nothing was saved."
        )
        super().__init__(self.detail)


def _err(row: int, column: str, reason: str, value: Any = "") -> dict[str, Any]:
    return {
        "row": row,
        "column": column,
        "reason": reason,
        "value": "" if value is None else str(value),
    }


def _normalise_header(cells: Iterable[Any]) -> list[str]:
    out = []
    for cell in cells:
        name = str(cell or "").strip().lower().lstrip("\ufeff")
        out.append(HEADER_ALIASES.get(name, name.replace(" ", "_")))
    return out


class _TextRows:
    """Rows whose cells are all ``str`` (CSV): :func:`analyse` may take its fast path."""

    text_cells = True

    def __init__(self, rows: Iterator[tuple[int, list[Any]]]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        return self._rows

    def __next__(self) -> tuple[int, list[Any]]:
        return next(self._rows)


def open_rows(path: str | Path, file_name: str = "") -> Iterator[tuple[int, list[Any]]]:
    """``(row_number, cells)`` from a CSV or XLSX file, header included (row 1)."""
    name = (file_name or str(path)).lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        return _xlsx_rows(path)
    return _TextRows(_csv_rows(path))


def _csv_rows(path: str | Path) -> Iterator[tuple[int, list[Any]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        yield from enumerate(reader, start=1)


def _xlsx_rows(path: str | Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        wb.close()


def rows_from_records(records: list[dict[str, Any]]) -> Iterator[tuple[int, list[Any]]]:
    """An API batch as rows: row 1 is a virtual header, device *i* (1-based) is row *i + 1*."""
    columns = list(COLUMNS)
    yield 1, columns
    for i, rec in enumerate(records, start=2):
        yield i, [rec.get(c) for c in columns]


def count_data_rows(path: str | Path, file_name: str = "") -> int:
    """A quick estimate of data rows (for progress and the background threshold)."""
    name = (file_name or str(path)).lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        try:
            return max(0, (wb.worksheets[0].max_row or 1) - 1)
        finally:
            wb.close()
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(0, lines - 1)


def template_csv() -> str:
    """The downloadable import template."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    w.writerow(["EXAMPLE-SKU", "SN0001", "Head office", "1.2.3", "2026-01-15"])
    w.writerow(["EXAMPLE-SKU", "", "", "", ""])
    return out.getvalue()
