"""Reading inventory files (CSV, XLSX) and pushed records into numbered rows (R-FLT-2)."""

from __future__ import annotations

import csv
import io
import json
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


ERRORS_LISTED = 1000  # pages and answers list this many problems; the report has all


class ErrorLog(list):
    """Problems of one file: the first ``ERRORS_LISTED`` kept in the list (sorted by row at
    the end of a check), ``total`` counts all, and the ones past the listed are spooled
    (JSON lines, a temporary file past 8 MB) for the error report: 3 million bad rows
    never sit in memory."""

    def __init__(self, items: Iterable[dict[str, Any]] = ()) -> None:
        super().__init__()
        self.total = 0
        self._spool: Any = None
        for item in items:
            self.append(item)

    def append(self, item: dict[str, Any]) -> None:
        self.total += 1
        if len(self) < ERRORS_LISTED:
            super().append(item)
            return
        if self._spool is None:
            import tempfile

            self._spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed with self
                max_size=8 << 20, mode="w+", encoding="utf-8"
            )
        self._spool.write(json.dumps(item) + "\n")

    def extend(self, items: Iterable[dict[str, Any]]) -> None:
        for item in items:
            self.append(item)

    def every(self) -> Iterator[dict[str, Any]]:
        """Every problem: the listed ones, then the rest in the order found."""
        yield from list(self)
        if self._spool is not None:
            self._spool.seek(0)
            for line in self._spool:
                yield json.loads(line)


def error_log(errors: Iterable[dict[str, Any]]) -> ErrorLog:
    return errors if isinstance(errors, ErrorLog) else ErrorLog(errors)


class ImportRejected(Exception):
    """The file or batch is refused whole; ``errors`` lists the first problems (every one
    when fewer than ``ERRORS_LISTED``), ``total`` counts them all."""

    def __init__(self, errors: Iterable[dict[str, Any]], detail: str | None = None) -> None:
        self.errors = error_log(errors)
        self.total = self.errors.total
        self.report: Any = None  # the stored ErrorReport, once the service has kept it
        rows = {e["row"] for e in self.errors}
        self.detail = detail or (
            f"The inventory was refused: {self.total} problem(s); nothing was saved."
            if self.total > len(rows)
            else f"The inventory was refused: {self.total} problem(s) in {len(rows)} row(s); "
            "nothing was saved."
        )
        super().__init__(self.detail)


ECHO_MAX = 100  # an error quotes at most this many characters of the bad value


def _err(row: int, column: str, code: str, value: Any = "", **params: Any) -> dict[str, Any]:
    """One problem: row, column, a code with its parameters (worded in the reader's
    language at display time, see messages.py) and the value, cut short."""
    text = "" if value is None else str(value)
    if len(text) > ECHO_MAX:
        text = text[:ECHO_MAX] + "…"
    return {"row": row, "column": column, "code": code, "params": params, "value": text}


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


def _limit(name: str) -> int:
    from django.conf import settings

    return int(getattr(settings, name))


def _too_many_rows(limit: int) -> ImportRejected:
    return ImportRejected([_err(limit + 2, "", "too_many_rows", limit=limit)])


def _too_long(row: int, column: str, value: Any, limit: int) -> ImportRejected:
    return ImportRejected([_err(row, column, "too_long", value, limit=limit)])


def _unreadable(detail: str) -> ImportRejected:
    return ImportRejected([_err(1, "", "unreadable", detail=detail)])


def check_file(path: str | Path, file_name: str = "") -> None:
    """Refuse at once what must not be read: a file over the upload limit, an XLSX that
    is not a zip or that would decompress beyond the limits (declared sizes; zipfile
    never yields more than the declared size), a CSV with a NUL character."""
    size = Path(path).stat().st_size
    if size > _limit("FLEET_IMPORT_MAX_UPLOAD_BYTES"):
        limit = _limit("FLEET_IMPORT_MAX_UPLOAD_BYTES")
        raise ImportRejected([_err(1, "", "too_big", limit=limit)])
    name = (file_name or str(path)).lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        _check_zip(path)
    else:
        _check_nul(path)


def _check_zip(path: str | Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(f"not a valid XLSX file: {exc}") from None
    total_limit = _limit("FLEET_IMPORT_MAX_XLSX_BYTES")
    strings_limit = _limit("FLEET_IMPORT_MAX_SHARED_STRINGS_BYTES")
    total = 0
    for info in infos:
        total += info.file_size
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > strings_limit:
            raise ImportRejected(
                [_err(1, "", "xlsx_strings_too_big", size=info.file_size, limit=strings_limit)]
            )
    if total > total_limit:
        raise ImportRejected([_err(1, "", "xlsx_too_big", size=total, limit=total_limit)])


def _check_nul(path: str | Path) -> None:
    """A NUL character cannot be stored (PostgreSQL refuses it): name its row and column."""
    with open(path, "rb") as fh:
        head = fh.read(2)
        if head in (b"\xff\xfe", b"\xfe\xff"):
            raise _unreadable("the file is UTF-16; save it as UTF-8 CSV")
        fh.seek(0)
        found = False
        while chunk := fh.read(1 << 20):
            if b"\x00" in chunk:
                found = True
                break
    if not found:
        return
    errors = ErrorLog()  # the first listed, every one counted and reported
    header: list[str] = []
    for number, cells in _csv_rows(path):
        if number == 1:
            header = _normalise_header(c.replace("\x00", "") for c in cells)
        for i, cell in enumerate(cells):
            if "\x00" in cell:
                column = header[i] if i < len(header) else ""
                errors.append(_err(number, column, "nul", cell.replace("\x00", "")))
    raise ImportRejected(errors)


def nul_errors(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """NUL characters in pushed records (row = index + 2, as for the other problems)."""
    errors = []
    for i, rec in enumerate(records, start=2):
        for column in COLUMNS:
            value = rec.get(column)
            if isinstance(value, str) and "\x00" in value:
                errors.append(_err(i, column, "nul", value.replace("\x00", "")))
    return errors


def open_rows(path: str | Path, file_name: str = "") -> Iterator[tuple[int, list[Any]]]:
    """``(row_number, cells)`` from a CSV or XLSX file, header included (row 1)."""
    name = (file_name or str(path)).lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        return _xlsx_rows(path)
    return _TextRows(_csv_rows(path))


def _csv_rows(path: str | Path) -> Iterator[tuple[int, list[Any]]]:
    max_rows = _limit("FLEET_IMPORT_MAX_ROWS")
    max_cell = _limit("FLEET_IMPORT_MAX_CELL_CHARS")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        old = csv.field_size_limit(max_cell)  # the C parser refuses a longer field
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                if number > max_rows + 1:
                    raise _too_many_rows(max_rows)
                yield number, cells
        except csv.Error as exc:
            row = number + 1
            if "field larger" in str(exc):
                raise _too_long(row, "", "", max_cell) from None
            raise ImportRejected([_err(row, "", "bad_csv", detail=str(exc))]) from None
        finally:
            csv.field_size_limit(old)


def _xlsx_rows(path: str | Path) -> Iterator[tuple[int, list[Any]]]:
    import zipfile
    import zlib

    from openpyxl import load_workbook

    _check_zip(path)
    max_rows = _limit("FLEET_IMPORT_MAX_ROWS")
    max_cell = _limit("FLEET_IMPORT_MAX_CELL_CHARS")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _unreadable(f"not a valid XLSX file: {exc}") from None
    try:
        ws = wb.worksheets[0]
        formulas = _formulas_without_value(wb, ws)
        header: list[str] = []
        try:
            for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                if number > max_rows + 1:
                    raise _too_many_rows(max_rows)
                cells = list(cells)
                if number == 1:
                    header = _normalise_header(cells)
                for i, cell in enumerate(cells):
                    if isinstance(cell, str) and len(cell) > max_cell:
                        column = header[i] if i < len(header) else ""
                        raise _too_long(number, column, cell, max_cell)
                if formulas:
                    bad = [
                        _err(r, header[c] if c < len(header) else "", "formula")
                        for r, c in formulas
                    ]
                    raise ImportRejected(bad)  # the first listed, all counted
                yield number, cells
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
            raise _unreadable(f"the XLSX file is damaged: {exc}") from None
    finally:
        wb.close()


def _formulas_without_value(wb: Any, ws: Any) -> list[tuple[int, int]]:
    """(row, column index) of formula cells that carry no saved value: data_only reading
    would make them empty, so they are refused rather than guessed."""
    import re
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import coordinate_to_tuple

    sheet = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if sheet is None or archive is None:
        return []
    with archive.open(sheet) as fh:  # a quick byte scan: most sheets have no formula
        seen = b""
        has_formula = False
        while chunk := fh.read(1 << 20):
            if re.search(rb"<(\w+:)?f[ >/]", seen[-8:] + chunk):
                has_formula = True
                break
            seen = chunk
    if not has_formula:
        return []
    out = []
    with archive.open(sheet) as fh:
        for _event, el in iterparse(fh):
            if el.tag.endswith("}c") or el.tag == "c":
                f = v = None
                for child in el:
                    tag = child.tag.rsplit("}", 1)[-1]
                    if tag == "f":
                        f = child
                    elif tag in ("v", "is"):
                        v = child
                if f is not None and (v is None or not (v.text or "").strip()):
                    r, c = coordinate_to_tuple(el.get("r"))
                    out.append((r, c - 1))
                el.clear()
    return out


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

        _check_zip(path)
        try:
            wb = load_workbook(path, read_only=True)
        except Exception as exc:
            raise _unreadable(f"not a valid XLSX file: {exc}") from None
        try:
            ws = wb.worksheets[0]
            if ws.max_row:
                return max(0, ws.max_row - 1)
            with wb._archive.open(ws._worksheet_path) as fh:  # no <dimension>: count rows
                rows = 0
                while chunk := fh.read(1 << 20):
                    rows += chunk.count(b"<row ") + chunk.count(b"<row>")
                return max(0, rows - 1)
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
