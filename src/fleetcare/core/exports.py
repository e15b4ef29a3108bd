"""Exports that spreadsheets take as they are: one table per CSV file; XLSX cells typed
(numbers as numbers, dates as dates); every text cell that a spreadsheet could read as a
formula neutralised (OWASP "CSV injection": a leading ``=``, ``+``, ``-``, ``@``, tab or
carriage return gets a ``'`` in front), in CSV and XLSX alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that could start a formula, prefixed with ``'``; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float | Decimal):
        return value
    return neutralise(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """One table: a header row, then ``rows``; text cells neutralised."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([neutralise(h) for h in header])
    for row in rows:
        w.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(
    header: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = 1000
) -> Iterator[str]:
    """:func:`csv_text` as chunks of ``batch`` rows, for a StreamingHttpResponse: a million
    rows are never in memory at once."""
    w = csv.writer(_Echo())
    yield w.writerow([neutralise(h) for h in header])
    chunk: list[str] = []
    for row in rows:
        chunk.append(w.writerow([_csv_cell(v) for v in row]))
        if len(chunk) >= batch:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip("'")
    return (cleaned or "Sheet")[:31]


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook, one sheet per (title, header, rows). Numbers (int, Decimal, float) are
    numbers, dates are dates (``yyyy-mm-dd``), text is neutralised and never a formula."""
    buf = io.BytesIO()
    xlsx_write(sheets, buf)
    return buf.getvalue()


def xlsx_write(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], target: Any
) -> None:
    """:func:`xlsx_bytes` written to ``target`` (a path or a binary file): openpyxl's
    write-only mode keeps the rows in a temporary file, not in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(_sheet_title(title))
        ws.append([neutralise(str(h)) for h in header])
        for row in rows:
            cells = []
            for value in row:
                if value is None or value == "":
                    cells.append(None)
                elif isinstance(value, bool | int | float | Decimal):
                    cells.append(value)
                elif isinstance(value, datetime | date):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = (
                        "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
                    )
                    cells.append(cell)
                else:
                    cell = WriteOnlyCell(ws, value=neutralise(str(value)))
                    cell.data_type = "s"  # text, never a formula
                    cells.append(cell)
            ws.append(cells)
    wb.save(target)
