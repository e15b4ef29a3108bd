"""Validating inventory rows: every bad row listed with row, column and reason (R-FLT-4)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from fleetcare.core.exports import FORMULA_PREFIXES
from fleetcare.fleet.importing.reading import (
    ACCOUNT_COLUMN,
    BATCH,
    COLUMNS,
    REQUIRED,
    ErrorLog,
    _err,
    _normalise_header,
)
from fleetcare.fleet.models import Device

if TYPE_CHECKING:  # pragma: no cover
    from fleetcare.fleet.importing.pg_writer import DirectWriter

# Field lengths come from the model, so a file is refused before the database would.
SERIAL_MAX = Device._meta.get_field("serial_number").max_length
FIRMWARE_MAX = Device._meta.get_field("firmware_version").max_length


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
        from fleetcare.organisations.models import Organisation, OrganisationKind, Site

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
                kind=OrganisationKind.CUSTOMER, account_number__isnull=False
            ).values_list("id", "account_number"):
                accounts[num.upper()] = pk
                accounts_exact[num] = pk
        sites = {
            (org, name.strip().lower()): pk
            for pk, org, name in sites_qs.values_list("id", "organisation_id", "name")
        }
        return cls(models, sites, accounts, account_id, models_exact, accounts_exact)


def _text(value: Any) -> str:
    """A cell as text, trimmed; a cell our exports neutralised against formula injection
    (``'`` before ``=``, ``+``, ``-``, ``@``…) reads as the value exported, so an export
    re-imports as it is."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES and text[1:2]:
        text = text[1:].strip()
    return text


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
    errors: ErrorLog = field(default_factory=ErrorLog)
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
                errors.append(_err(1, col, "missing_column"))
        if lookups.fixed_account is None and ACCOUNT_COLUMN not in self.index:
            errors.append(_err(1, ACCOUNT_COLUMN, "missing_account_column"))
        seen: set[str] = set()
        for n in names:
            if n in wanted and n in seen:
                errors.append(_err(1, n, "column_twice"))
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


def _parse_row(
    number: int,
    cells: list[Any],
    header: _Header,
    lk: Lookups,
    as_of: date,
    errors: list[dict[str, Any]] | None,
) -> Parsed | None:
    """The row rules, stated once: one row → parsed tuple, or None when it is bad (each
    problem appended to ``errors`` with row, column and reason; ``errors=None`` only
    checks)."""
    bad = False

    def fail(column: str, code: str, value: Any = "", **params: Any) -> None:
        nonlocal bad
        bad = True
        if errors is not None:
            errors.append(_err(number, column, code, value, **params))

    if lk.fixed_account is not None:
        account = lk.fixed_account
    else:
        raw_acc = _text(header.get(cells, ACCOUNT_COLUMN))
        account = lk.accounts.get(raw_acc.upper(), 0)
        if not raw_acc:
            fail(ACCOUNT_COLUMN, "required")
        elif not account:
            fail(ACCOUNT_COLUMN, "unknown_account", raw_acc)

    sku = _text(header.get(cells, "sku"))
    model = lk.models.get(sku.upper()) if sku else None
    if not sku:
        fail("sku", "required")
    elif model is None:
        fail("sku", "unknown_sku", sku)

    serial = _text(header.get(cells, "serial_number")) or None
    if serial is not None and len(serial) > SERIAL_MAX:
        fail("serial_number", "too_long", serial, limit=SERIAL_MAX)

    site_name = _text(header.get(cells, "site"))
    site_id = None
    if site_name and account:
        site_id = lk.sites.get((account, site_name.lower()))
        if site_id is None:
            fail("site", "unknown_site", site_name)

    firmware = _text(header.get(cells, "firmware_version"))
    if len(firmware) > FIRMWARE_MAX:
        fail("firmware_version", "too_long", firmware, limit=FIRMWARE_MAX)

    first_raw = header.get(cells, "first_seen")
    first_seen = None
    if _text(first_raw):
        try:
            first_seen = _date(first_raw)
        except (TypeError, ValueError):
            fail("first_seen", "not_a_date", first_raw)
        else:
            if first_seen > as_of:
                fail("first_seen", "after_as_of", first_raw, as_of=as_of.isoformat())
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
        errors.append(_err(1, "", "empty_file"))
        return result
    header = _Header(header_cells, lk, errors)
    result.ignored_columns = header.ignored
    if errors:
        return result
    for model_id, cat, _code in lk.models.values():
        result.categories[model_id] = cat

    # The hot loop: locals only, exact dict look-ups, one dict update per row. It accepts
    # only rows that plainly pass; anything unusual (padding, spaces, case, a non-string
    # cell, a bad value) goes to _parse_row, the one statement of the row rules, which
    # also words the errors. tests/fleet/test_row_rules.py checks the two agree.
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
                    if serial is not None and (len(serial) > SERIAL_MAX or serial[0] == "'"):
                        good = False  # too long, or neutralised by an export: _parse_row
                else:
                    serial = None
                if site_name:
                    site_id = sites.get((acc, site_name.strip().lower()))
                    if site_id is None:
                        good = False
                if fw:
                    fw = fw.strip()
                    if len(fw) > FIRMWARE_MAX or fw[:1] == "'":
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
            parsed = _parse_row(number, cells, header, lk, as_of, errors)
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
                    _err(number, "serial_number", "duplicate_serial", serial, other_row=seen[0])
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
        errors.append(_err(2, "", "no_rows"))
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
    from django.db import connection

    from fleetcare.fleet.models import Device

    errors = []
    if not serials:
        return errors
    if connection.vendor == "postgresql":
        # One set-based join on (product_model_id, serial_number): the unique index's
        # columns, so it is used (a serial-only IN list cannot use it).
        models, numbers, accounts = [], [], []
        for (model, serial), (_row, acc) in serials.items():
            models.append(model)
            numbers.append(serial)
            accounts.append(acc)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT s.m, s.sn FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) "
                f"AS s(m, sn, acc) JOIN {Device._meta.db_table} d "
                "ON d.product_model_id = s.m AND d.serial_number = s.sn "
                "WHERE d.serial_number IS NOT NULL AND d.account_id <> s.acc",
                [models, numbers, accounts],
            )
            for model, serial in cur.fetchall():
                errors.append(_other_account(serials[(model, serial)][0], serial))
        return errors
    by_model: dict[int, list[str]] = defaultdict(list)
    for model, serial in serials:
        by_model[model].append(serial)
    for model, wanted in by_model.items():
        for i in range(0, len(wanted), 500):
            for serial, acc in Device.objects.filter(
                product_model_id=model, serial_number__in=wanted[i : i + 500]
            ).values_list("serial_number", "account_id"):
                hit = serials[(model, serial)]
                if hit[1] != acc:
                    errors.append(_other_account(hit[0], serial))
    return errors


def _other_account(row: int, serial: str) -> dict[str, Any]:
    # Never say whose: another tenant's serial numbers are not ours to reveal.
    return _err(row, "serial_number", "serial_taken", serial)
