"""Inventory import engine (R-FLT-2, R-FLT-4): stream rows, validate all, then write.

A file (CSV or XLSX) or an API batch is the account's whole inventory on ``as_of``.
Never the whole file in memory:

- :func:`analyse` parses and validates every row and collects *every* error (row
  number as in the file: 1 is the header, data starts at 2; column; reason), the
  counts per account and product model, and the serial numbers (for duplicates).
- On PostgreSQL it is the only pass: inside the caller's transaction it hands every
  clean row to a :class:`DirectWriter` (binary ``COPY`` into the device table for new
  devices, a spool matched set-based at the end for accounts that have devices); any
  error and the caller rolls back.
- Elsewhere :func:`apply` (only when there is no error) reads the stream again and
  writes with ``bulk_create`` / ``bulk_update`` inside the caller's transaction.

Matching: a row with a serial number is that device (same model and serial) and is
updated; rows without a serial are matched, per account, model and site, to the
active devices without a serial, oldest first; extra rows are new devices. Devices
missing from the file are neither deleted nor retired: they keep their last-seen date.

A file may carry an ``account`` column (main account identifier) instead of being
imported for one account: then each account gets its own snapshot (vendor only).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

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


# --------------------------------------------------------------------------- reading


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


# --------------------------------------------------------------------------- context


@dataclass
class Lookups:
    """What validation needs, loaded once: models by SKU, sites and accounts by name."""

    models: dict[str, tuple[int, int, str]]  # SKU upper → (model id, category id, category code)
    sites: dict[tuple[int, str], int]  # (account id, site name lower) → site id
    accounts: dict[str, int]  # account number upper → account id (multi-account files)
    fixed_account: int | None
    models_exact: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    accounts_exact: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, account_id: int | None) -> Lookups:
        from fleetcare.catalog.models import ProductModel
        from fleetcare.organisations.models import Organisation, Site

        rows = list(ProductModel.objects.values_list("id", "sku", "category_id", "category__code"))
        models = {sku.upper(): (pk, cat, code) for pk, sku, cat, code in rows}
        models_exact = {sku: (pk, cat, code) for pk, sku, cat, code in rows}
        sites_qs = Site.objects.all()
        accounts: dict[str, int] = {}
        accounts_exact: dict[str, int] = {}
        if account_id is not None:
            sites_qs = sites_qs.filter(organisation_id=account_id)
        else:
            for pk, num in Organisation.objects.filter(
                kind="customer", account_number__isnull=False
            ).values_list("id", "account_number"):
                accounts[num.upper()] = pk
                accounts_exact[num] = pk
        sites = {
            (org, name.strip().lower()): pk
            for pk, org, name in sites_qs.values_list("id", "organisation_id", "name")
        }
        return cls(models, sites, accounts, account_id, models_exact, accounts_exact)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(_text(value))


@dataclass
class Analysis:
    """Result of the validation pass."""

    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # account → model → count
    counts: dict[int, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    # account → (model, site) → rows without serial
    serialless: dict[int, Counter[tuple[int, int | None]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    # (model, serial) → (row, account)
    serials: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    categories: dict[int, int] = field(default_factory=dict)  # model → category
    ignored_columns: list[str] = field(default_factory=list)
    sites_used: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def account_ids(self) -> list[int]:
        return sorted(self.counts)


Parsed = tuple[
    int, int, str | None, int | None, str, date | None
]  # acc, model, serial, site, fw, first


class _Header:
    def __init__(self, cells: list[Any], lookups: Lookups, errors: list[dict[str, Any]]) -> None:
        names = _normalise_header(cells)
        self.index = {n: i for i, n in enumerate(names) if n}
        wanted = set(COLUMNS) | ({ACCOUNT_COLUMN} if lookups.fixed_account is None else set())
        self.ignored = [n for n in names if n and n not in wanted]
        for col in REQUIRED:
            if col not in self.index:
                errors.append(_err(1, col, "missing column"))
        if lookups.fixed_account is None and ACCOUNT_COLUMN not in self.index:
            errors.append(
                _err(1, ACCOUNT_COLUMN, "missing column (needed when no account is chosen)")
            )
        seen: set[str] = set()
        for n in names:
            if n in wanted and n in seen:
                errors.append(_err(1, n, "column appears twice"))
            seen.add(n)

        # Fast path: fixed positions, ``width`` (a padding None) for an absent column.
        self.width = len(names)
        self.ix = tuple(
            self.index.get(c, self.width)
            for c in (
                ACCOUNT_COLUMN,
                "sku",
                "serial_number",
                "site",
                "firmware_version",
                "first_seen",
            )
        )

    def get(self, cells: list[Any], name: str) -> Any:
        i = self.index.get(name)
        return cells[i] if i is not None and i < len(cells) else None


def _fast_parse(cells: list[Any], header: _Header, lk: Lookups, as_of: date) -> Parsed | None:
    """The common case, quickly: a clean row → parsed tuple; any doubt → None (then
    :func:`_parse_row` finds and words the problems)."""
    width = header.width
    cells = cells + [None] * (width - len(cells)) if len(cells) < width else list(cells)
    cells.append(None)
    i_acc, i_sku, i_serial, i_site, i_fw, i_first = header.ix
    if lk.fixed_account is not None:
        account = lk.fixed_account
    else:
        raw = cells[i_acc]
        raw = raw.strip() if type(raw) is str else _text(raw)
        account = lk.accounts_exact.get(raw) or lk.accounts.get(raw.upper())
        if not account:
            return None
    sku = cells[i_sku]
    sku = sku.strip() if type(sku) is str else _text(sku)
    model = lk.models_exact.get(sku) or lk.models.get(sku.upper())
    if model is None:
        return None
    serial = cells[i_serial]
    serial = (serial.strip() if type(serial) is str else _text(serial)) or None
    if serial is not None and len(serial) > 64:
        return None
    site_name = cells[i_site]
    site_name = site_name.strip() if type(site_name) is str else _text(site_name)
    site_id = None
    if site_name:
        site_id = lk.sites.get((account, site_name.lower()))
        if site_id is None:
            return None
    firmware = cells[i_fw]
    firmware = firmware.strip() if type(firmware) is str else _text(firmware)
    if len(firmware) > 40:
        return None
    first = cells[i_first]
    first_seen = None
    if first is not None and first != "":
        try:
            first_seen = _date(first)
        except (TypeError, ValueError):
            return None
        if first_seen > as_of:
            return None
    return account, model[0], serial, site_id, firmware, first_seen


def _parse_row(
    number: int,
    cells: list[Any],
    header: _Header,
    lk: Lookups,
    as_of: date,
    errors: list[dict[str, Any]] | None,
) -> Parsed | None:
    """One row → parsed tuple, or None (errors appended) when it is bad."""
    bad = False

    def fail(column: str, reason: str, value: Any = "") -> None:
        nonlocal bad
        bad = True
        if errors is not None:
            errors.append(_err(number, column, reason, value))

    if lk.fixed_account is not None:
        account = lk.fixed_account
    else:
        raw_acc = _text(header.get(cells, ACCOUNT_COLUMN))
        account = lk.accounts.get(raw_acc.upper(), 0)
        if not raw_acc:
            fail(ACCOUNT_COLUMN, "required")
        elif not account:
            fail(ACCOUNT_COLUMN, "unknown account", raw_acc)

    sku = _text(header.get(cells, "sku"))
    model = lk.models.get(sku.upper()) if sku else None
    if not sku:
        fail("sku", "required")
    elif model is None:
        fail("sku", "unknown SKU", sku)

    serial = _text(header.get(cells, "serial_number")) or None
    if serial is not None and len(serial) > 64:
        fail("serial_number", "longer than 64 characters", serial)

    site_name = _text(header.get(cells, "site"))
    site_id = None
    if site_name and account:
        site_id = lk.sites.get((account, site_name.lower()))
        if site_id is None:
            fail("site", "no site of that name in the account", site_name)

    firmware = _text(header.get(cells, "firmware_version"))
    if len(firmware) > 40:
        fail("firmware_version", "longer than 40 characters", firmware)

    first_raw = header.get(cells, "first_seen")
    first_seen = None
    if _text(first_raw):
        try:
            first_seen = _date(first_raw)
        except (TypeError, ValueError):
            fail("first_seen", "not a date (use YYYY-MM-DD)", first_raw)
        else:
            if first_seen > as_of:
                fail("first_seen", f"after the inventory date {as_of.isoformat()}", first_raw)
    if bad or model is None:
        return None
    return account, model[0], serial, site_id, firmware, first_seen


def _data_rows(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in rows:
        if all(_text(c) == "" for c in cells):
            continue  # blank lines are not rows
        yield number, cells


def _is_blank(cells: list[Any]) -> bool:
    return all(_text(c) == "" for c in cells)


def analyse(
    rows: Iterator[tuple[int, list[Any]]],
    account_id: int | None,
    as_of: date,
    progress: Callable[[int], None] | None = None,
    lookups: Lookups | None = None,
    sink: DirectWriter | None = None,
) -> Analysis:
    """Pass 1: validate every row, collect every error and the counts.

    Without a ``sink`` nothing is written. With a :class:`DirectWriter` (PostgreSQL,
    inside the caller's transaction) every clean row is handed over as it is validated,
    so that the database writes while Python parses; the first bad row stops the writing
    (the caller then rolls back) but the checking goes on to list every problem. The
    caller checks serial numbers against other accounts' devices (see
    :func:`serials_of_other_accounts`): the unique index refuses them while writing.
    """
    lk = lookups or Lookups.load(account_id)
    result = Analysis()
    errors = result.errors
    try:
        _, header_cells = next(rows)
    except StopIteration:
        errors.append(_err(1, "", "the file is empty: a header row is needed"))
        return result
    header = _Header(header_cells, lk, errors)
    result.ignored_columns = header.ignored
    if errors:
        return result
    for model_id, cat, _code in lk.models.values():
        result.categories[model_id] = cat

    # The hot loop: locals only, exact dict look-ups, one dict update per row. Anything
    # unusual (padding, spaces, case, a non-string cell, a bad value) goes to the careful
    # path (_fast_parse, then _parse_row which words the errors).
    serials = result.serials
    serialless: dict[tuple[int, int, int | None], int] = {}
    serialless_get = serialless.get
    serials_get = serials.get
    sites_used: set[int] = set()
    fixed = lk.fixed_account
    accounts_exact = lk.accounts_exact
    model_ids = {sku: m[0] for sku, m in lk.models_exact.items()}
    sites = lk.sites
    width = header.width
    i_acc, i_sku, i_serial, i_site, i_fw, i_first = header.ix
    fromisoformat = date.fromisoformat
    text = getattr(rows, "text_cells", False)  # every cell a str (CSV): the fast path applies
    write = sink.add if sink is not None else None
    n = 0
    next_progress = BATCH
    for number, cells in rows:
        parsed: Parsed | None = None
        if text and len(cells) == width:
            cells.append("")
            acc = fixed or accounts_exact.get(cells[i_acc])
            model = model_ids.get(cells[i_sku])
            if acc and model is not None:
                serial = cells[i_serial]
                site_name = cells[i_site]
                fw = cells[i_fw]
                first = cells[i_first]
                good = True
                site_id = None
                if serial:
                    serial = serial.strip() or None
                    if serial is not None and len(serial) > 64:
                        good = False
                else:
                    serial = None
                if site_name:
                    site_id = sites.get((acc, site_name.strip().lower()))
                    if site_id is None:
                        good = False
                if fw:
                    fw = fw.strip()
                    if len(fw) > 40:
                        good = False
                first_seen = None
                if first:
                    try:
                        first_seen = fromisoformat(first)
                    except ValueError:
                        good = False
                    else:
                        if first_seen > as_of:
                            good = False
                if good:
                    parsed = (acc, model, serial, site_id, fw, first_seen)
            if parsed is None:
                cells.pop()
        if parsed is None:
            if _is_blank(cells):
                continue  # blank lines are not rows
            parsed = _fast_parse(cells, header, lk, as_of) or _parse_row(
                number, cells, header, lk, as_of, errors
            )
        n += 1
        if progress and n >= next_progress:
            progress(n)
            next_progress += BATCH
        if parsed is None:
            continue
        acc, model, serial, site_id, fw, first_seen = parsed
        if serial is None:
            key3 = (acc, model, site_id)
            serialless[key3] = serialless_get(key3, 0) + 1
        else:
            key2 = (model, serial)
            seen = serials_get(key2)
            if seen is not None:
                errors.append(
                    _err(
                        number,
                        "serial_number",
                        f"duplicate serial number (also on row {seen[0]})",
                        serial,
                    )
                )
                continue
            serials[key2] = (number, acc)
        if site_id is not None:
            sites_used.add(site_id)
        if write is not None:
            if errors:  # refused anyway: stop writing, keep checking
                write = None
            else:
                write(number, acc, model, serial, site_id, fw, first_seen)
    result.rows = n
    result.sites_used = sites_used
    counts = result.counts
    by_account = result.serialless
    for (acc, model, site_id), k in serialless.items():
        counts[acc][model] += k
        by_account[acc][(model, site_id)] += k
    for (model, _serial), (_row, acc) in serials.items():
        counts[acc][model] += 1
    if result.rows == 0 and not errors:
        errors.append(_err(2, "", "no device rows: an inventory needs at least one device"))
    if serials and sink is None:
        errors.extend(serials_of_other_accounts(serials))
    errors.sort(key=lambda e: (e["row"], e["column"]))
    if progress:
        progress(result.rows)
    return result


def serials_of_other_accounts(
    serials: dict[tuple[int, str], tuple[int, int]],
) -> list[dict[str, Any]]:
    """Serial numbers (first occurrence in the file) already used by another account's device."""
    from fleetcare.fleet.models import Device

    errors = []
    keys = list(serials)
    for i in range(0, len(keys), 2000):
        chunk = keys[i : i + 2000]
        wanted = {s for _m, s in chunk}
        for model, serial, acc in Device.objects.filter(serial_number__in=wanted).values_list(
            "product_model_id", "serial_number", "account_id"
        ):
            hit = serials.get((model, serial))
            if hit is not None and hit[1] != acc:
                errors.append(_other_account(hit[0], serial))
    return errors


def _other_account(row: int, serial: str) -> dict[str, Any]:
    return _err(
        row, "serial_number", "serial number already belongs to another account's device", serial
    )


# --------------------------------------------------------------------------- planning


@dataclass
class Plan:
    created: dict[int, int]
    updated: dict[int, int]


def plan_changes(analysis: Analysis) -> Plan:
    """What :func:`apply` would do, per account (for the preview); reads, never writes."""
    from fleetcare.fleet.models import Device, DeviceStatus

    created: dict[int, int] = defaultdict(int)
    updated: dict[int, int] = defaultdict(int)
    existing_pool: dict[tuple[int, int, int | None], int] = Counter()
    for acc, model, site in Device.objects.filter(
        account_id__in=analysis.account_ids, status=DeviceStatus.ACTIVE, serial_number__isnull=True
    ).values_list("account_id", "product_model_id", "site_id"):
        existing_pool[(acc, model, site)] += 1
    for acc, groups in analysis.serialless.items():
        for (model, site), n in groups.items():
            have = existing_pool.get((acc, model, site), 0)
            updated[acc] += min(n, have)
            created[acc] += max(0, n - have)
    if analysis.serials:
        found: set[tuple[int, str]] = set()
        keys = list(analysis.serials)
        for i in range(0, len(keys), 2000):
            wanted = {s for _m, s in keys[i : i + 2000]}
            found.update(
                Device.objects.filter(serial_number__in=wanted).values_list(
                    "product_model_id", "serial_number"
                )
            )
        for key, (_row, acc) in analysis.serials.items():
            if key in found:
                updated[acc] += 1
            else:
                created[acc] += 1
    return Plan(dict(created), dict(updated))


# --------------------------------------------------------------------------- writing

_DEVICE_COLUMNS = (
    "created_at",
    "updated_at",
    "account_id",
    "site_id",
    "product_model_id",
    "serial_number",
    "firmware_version",
    "first_seen_on",
    "last_seen_on",
    "status",
)


class _Writer:
    """Inserts new devices in batches with ``bulk_create`` (the non-PostgreSQL path)."""

    def __init__(self) -> None:
        self.buffer: list[tuple[Any, ...]] = []
        self.now = timezone.now()
        self.written = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.written += 1
        self.buffer.append(row)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        from fleetcare.fleet.models import Device

        if self.buffer:
            Device.objects.bulk_create(
                [
                    Device(
                        account_id=a,
                        site_id=s,
                        product_model_id=m,
                        serial_number=sn,
                        firmware_version=fw,
                        first_seen_on=f,
                        last_seen_on=last,
                        status=st,
                    )
                    for a, s, m, sn, fw, f, last, st in self.buffer
                ],
                batch_size=1000,
            )
            self.buffer.clear()

    def close(self) -> None:
        self.flush()


def apply(
    rows: Iterator[tuple[int, list[Any]]],
    analysis: Analysis,
    account_id: int | None,
    as_of: date,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Pass 2 (inside the caller's transaction): create and update the devices."""
    from fleetcare.fleet.models import Device, DeviceStatus

    lk = Lookups.load(account_id)
    _, header_cells = next(rows)
    header = _Header(header_cells, lk, [])
    accounts = analysis.account_ids
    by_serial: dict[tuple[int, str], tuple[int, int | None, str, date]] = {}
    pools: dict[tuple[int, int, int | None], list[tuple[int, str, date]]] = defaultdict(list)
    for pk, acc, model, serial, site, fw, last in (
        Device.objects.filter(account_id__in=accounts)
        .filter(Q(status=DeviceStatus.ACTIVE) | Q(serial_number__isnull=False))
        .order_by("id")
        .values_list(
            "id",
            "account_id",
            "product_model_id",
            "serial_number",
            "site_id",
            "firmware_version",
            "last_seen_on",
        )
        .iterator(chunk_size=10000)
    ):
        if serial is None:  # only active ones (see the filter)
            pools[(acc, model, site)].append((pk, fw, last))
        else:
            by_serial[(model, serial)] = (pk, site, fw, last)
    for pool in pools.values():
        pool.reverse()  # pop() takes the oldest first
    created: dict[int, int] = defaultdict(int)
    updated: dict[int, int] = defaultdict(int)
    updates: list[Device] = []
    writer = _Writer()
    done = 0
    for number, cells in _data_rows(rows):
        parsed = _fast_parse(cells, header, lk, as_of)
        if parsed is None:  # cannot happen after a clean analysis; be safe
            raise ImportRejected([_err(number, "", "row changed between checking and writing")])
        acc, model, serial, site, fw, first = parsed
        done += 1
        if progress and done % BATCH == 0:
            progress(done)
        existing = None
        if serial is not None:
            hit = by_serial.get((model, serial))
            if hit is not None:
                pk, old_site, old_fw, last = hit
                existing = (pk, site if site is not None else old_site, fw or old_fw, last)
        else:
            pool = pools.get((acc, model, site))
            if pool:
                pk, old_fw, last = pool.pop()
                existing = (pk, site, fw or old_fw, last)
        if existing is not None:
            pk, new_site, new_fw, last = existing
            updates.append(
                Device(
                    pk=pk,
                    site_id=new_site,
                    firmware_version=new_fw,
                    last_seen_on=max(last, as_of),
                    updated_at=writer.now,
                )
            )
            updated[acc] += 1
            if len(updates) >= BATCH:
                Device.objects.bulk_update(
                    updates,
                    ["site", "firmware_version", "last_seen_on", "updated_at"],
                    batch_size=1000,
                )
                updates.clear()
        else:
            writer.add((acc, site, model, serial, fw, first or as_of, as_of, DeviceStatus.ACTIVE))
            created[acc] += 1
    writer.close()
    if updates:
        Device.objects.bulk_update(
            updates, ["site", "firmware_version", "last_seen_on", "updated_at"], batch_size=1000
        )
    if progress:
        progress(done)
    return Plan(dict(created), dict(updated))


# --------------------------------------------------------------------------- PostgreSQL


def use_direct_writing() -> bool:
    """One pass writing while validating (PostgreSQL); two passes and the ORM elsewhere."""
    return connection.vendor == "postgresql"


_STAGE = "fleet_import_stage"
_DEVICE_TYPES = ["timestamptz", "timestamptz", "int8", "int8", "int8"]
_DEVICE_TYPES += ["text", "text", "date", "date", "text"]


_NULL = "\\N"


def _copy_text(value: str) -> str:
    """A value in COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t")
        value = value.replace("\n", "\\n").replace("\r", "\\r")
    return value


class DirectWriter:
    """Writes validated rows as they come, inside the caller's transaction (PostgreSQL).

    A row of an account that has no device yet is a new device: it goes straight into
    the device table by binary ``COPY`` (the server maintains the indexes while Python
    parses the next rows). A row of an account that has devices must be matched to them:
    it is spooled (a temporary file past 16 MB) and :meth:`finish` loads the spool into a
    TEMP table and matches it with set-based statements.
    """

    def __init__(self, as_of: date, accounts_with_devices: set[int]) -> None:
        from fleetcare.fleet.models import Device

        self.as_of = as_of
        self.now = timezone.now()
        self.known = accounts_with_devices
        self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by finish()
            max_size=16 << 20, mode="w+", newline="", encoding="utf-8"
        )
        self.spooled = 0
        self._cursor = connection.cursor()
        cols = ", ".join(_DEVICE_COLUMNS)
        self._copy_cm = self._cursor.cursor.copy(
            f"COPY {Device._meta.db_table} ({cols}) FROM STDIN (FORMAT BINARY)"
        )
        copy = self._copy_cm.__enter__()
        copy.set_types(_DEVICE_TYPES)
        self._write_row = copy.write_row

    def add(
        self,
        number: int,
        acc: int,
        model: int,
        serial: str | None,
        site: int | None,
        fw: str,
        first: date | None,
    ) -> None:
        if acc in self.known:
            self.spooled += 1
            null = _NULL
            sn = null if serial is None else _copy_text(serial)
            st = null if site is None else site
            fs = null if first is None else first.isoformat()
            self.spool.write(f"{number}\t{acc}\t{model}\t{sn}\t{st}\t{_copy_text(fw)}\t{fs}\n")
            return
        as_of, now = self.as_of, self.now
        self._write_row((now, now, acc, site, model, serial, fw, first or as_of, as_of, "active"))

    def close(self, exc: BaseException | None = None) -> None:
        """End the ``COPY`` (a unique-index clash surfaces here as IntegrityError)."""
        cm, self._copy_cm = self._copy_cm, None
        if cm is not None:
            try:
                if exc is None:
                    cm.__exit__(None, None, None)
                else:
                    cm.__exit__(type(exc), exc, exc.__traceback__)
            finally:
                self._cursor.close()
        if exc is not None:
            self.spool.close()

    def finish(self, analysis: Analysis) -> Plan:
        """Match and write the spooled rows; the plan of the whole import."""
        updated: dict[int, int] = {}
        if self.spooled:
            updated = self._apply_spool(analysis)
        self.spool.close()
        created = {}
        for acc, counter in analysis.counts.items():
            n = sum(counter.values()) - updated.get(acc, 0)
            if n:
                created[acc] = n
        return Plan(created, {a: n for a, n in updated.items() if n})

    def _apply_spool(self, analysis: Analysis) -> dict[int, int]:
        from fleetcare.fleet.models import Device

        t, d = _STAGE, Device._meta.db_table
        as_of, now = self.as_of, self.now
        self.spool.seek(0)
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {t}")
            cur.execute(
                f"CREATE TEMP TABLE {t} (row_no integer NOT NULL, account_id bigint NOT NULL, "
                "product_model_id bigint NOT NULL, serial_number text, site_id bigint, "
                "firmware_version text NOT NULL, first_seen_on date, device_id bigint) "
                "ON COMMIT DROP"
            )
            cols = "row_no, account_id, product_model_id, serial_number, site_id, "
            cols += "firmware_version, first_seen_on"
            with cur.cursor.copy(f"COPY {t} ({cols}) FROM STDIN") as copy:
                while chunk := self.spool.read(1 << 20):
                    copy.write(chunk)
            cur.execute(f"ANALYZE {t}")
            # Serial numbers of another account's device (the rows written directly were
            # checked by the unique index).
            cur.execute(
                f"SELECT s.row_no, s.serial_number FROM {t} s JOIN {d} d "
                "ON d.product_model_id = s.product_model_id "
                "AND d.serial_number = s.serial_number "
                "WHERE s.serial_number IS NOT NULL AND d.account_id <> s.account_id"
            )
            clashes = [_other_account(row, serial) for row, serial in cur.fetchall()]
            if clashes:
                raise ImportRejected(sorted(clashes, key=lambda e: e["row"]))
            # A row with a serial number is that device (same account, model and serial).
            cur.execute(
                f"UPDATE {t} s SET device_id = d.id FROM {d} d "
                "WHERE s.serial_number IS NOT NULL AND d.serial_number = s.serial_number "
                "AND d.product_model_id = s.product_model_id AND d.account_id = s.account_id"
            )
            # Rows without a serial: the k-th row (file order) of an (account, model, site)
            # group takes the k-th oldest active serial-less device of that group.
            cur.execute(
                f"""
                WITH r AS (
                    SELECT row_no, account_id, product_model_id, COALESCE(site_id, 0) AS g,
                           row_number() OVER (PARTITION BY account_id, product_model_id,
                               COALESCE(site_id, 0) ORDER BY row_no) AS k
                    FROM {t} WHERE serial_number IS NULL
                ), p AS (
                    SELECT id, account_id, product_model_id, COALESCE(site_id, 0) AS g,
                           row_number() OVER (PARTITION BY account_id, product_model_id,
                               COALESCE(site_id, 0) ORDER BY id) AS k
                    FROM {d}
                    WHERE account_id IN (SELECT DISTINCT account_id FROM {t})
                      AND status = 'active' AND serial_number IS NULL
                )
                UPDATE {t} s SET device_id = p.id
                FROM r JOIN p USING (account_id, product_model_id, g, k)
                WHERE s.row_no = r.row_no
                """
            )
            cur.execute(
                f"UPDATE {d} d SET site_id = COALESCE(s.site_id, d.site_id), "
                "firmware_version = CASE WHEN s.firmware_version <> '' "
                "THEN s.firmware_version ELSE d.firmware_version END, "
                "last_seen_on = GREATEST(d.last_seen_on, %s), updated_at = %s "
                f"FROM {t} s WHERE s.device_id = d.id",
                [as_of, now],
            )
            cur.execute(
                f"INSERT INTO {d} ({', '.join(_DEVICE_COLUMNS)}) "
                "SELECT %s, %s, account_id, site_id, product_model_id, serial_number, "
                "firmware_version, COALESCE(first_seen_on, %s), %s, 'active' "
                f"FROM {t} WHERE device_id IS NULL ORDER BY row_no",
                [now, now, as_of, as_of],
            )
            cur.execute(
                f"SELECT account_id, count(*) FROM {t} WHERE device_id IS NOT NULL "
                "GROUP BY account_id"
            )
            updated = dict(cur.fetchall())
            cur.execute(f"DROP TABLE {t}")
        return updated


def accounts_with_devices(account_ids: Iterable[int] | None) -> set[int]:
    """The accounts (all customers when None) that already have a device."""
    from fleetcare.fleet.models import Device
    from fleetcare.organisations.models import Organisation

    accounts = Organisation.objects.filter(kind="customer")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    has = Device.objects.filter(account_id=OuterRef("pk"))
    return set(accounts.filter(Exists(has)).values_list("pk", flat=True))


def lock_references(analysis: Analysis) -> None:
    """No FK constraint on the device references: hold the referenced catalogue rows and
    sites until commit (what an FK trigger does, once per row instead of once per device)
    and check that they are still there. The caller has locked the accounts."""
    from fleetcare.catalog.models import ProductModel
    from fleetcare.organisations.models import Site

    models = sorted({m for counter in analysis.counts.values() for m in counter})
    with connection.cursor() as cur:
        for model, ids in ((ProductModel, models), (Site, sorted(analysis.sites_used))):
            if not ids:
                continue
            cur.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {model._meta.db_table} "
                "WHERE id = ANY(%s) FOR KEY SHARE) x",
                [ids],
            )
            if cur.fetchone()[0] != len(ids):
                raise ImportRejected(
                    [_err(1, "", "the catalogue or the sites changed during the import; retry")]
                )


def template_csv() -> str:
    """The downloadable import template."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    w.writerow(["EXAMPLE-SKU", "SN0001", "Head office", "1.2.3", "2026-01-15"])
    w.writerow(["EXAMPLE-SKU", "", "", "", ""])
    return out.getvalue()
