"""Import problems stored as English sentences before codes existed, as codes and
parameters (used by migration fleet 0006, and tested)."""

from __future__ import annotations

import re
from typing import Any

_EXACT = {
    "missing column": "missing_column",
    "missing column (needed when no account is chosen)": "missing_account_column",
    "column appears twice": "column_twice",
    "required": "required",
    "unknown account": "unknown_account",
    "unknown SKU": "unknown_sku",
    "no site of that name in the account": "unknown_site",
    "not a date (use YYYY-MM-DD)": "not_a_date",
    "the file is empty: a header row is needed": "empty_file",
    "no device rows: an inventory needs at least one device": "no_rows",
    "an account was deleted during the import": "account_deleted",
    "row changed between checking and writing": "row_changed",
    "the catalogue or the sites changed during the import; retry": "references_changed",
    "contains a NUL character": "nul",
    "a formula, not a value": "formula",
    "this serial number cannot be used (it is taken)": "serial_taken",
    "the import stopped (its worker ended); send the file again": "stale",
}
_PATTERNS = [
    (re.compile(r"^after the inventory date (\S+)$"), "after_as_of", ("as_of",)),
    (
        re.compile(r"^duplicate serial number \(also on row (\d+)\)$"),
        "duplicate_serial",
        ("other_row",),
    ),
    (re.compile(r"^longer than (\d+) characters$"), "too_long", ("limit",)),
    (re.compile(r"^more than (\d+) rows$"), "too_many_rows", ("limit",)),
    (re.compile(r"^the file cannot be read as CSV or XLSX \((.*)\)$"), "unreadable", ("detail",)),
    (re.compile(r"^not a valid CSV row \((.*)\)$"), "bad_csv", ("detail",)),
]


def as_code(error: dict[str, Any]) -> dict[str, Any]:
    """One stored problem with a code and parameters instead of its sentence (a sentence
    nothing maps is kept as it was: the pages show it as stored)."""
    out = dict(error)
    reason = out.get("reason")
    if not out.get("code") and isinstance(reason, str):
        code = _EXACT.get(reason)
        params: dict[str, Any] = {}
        if code is None:
            for pattern, name, keys in _PATTERNS:
                m = pattern.match(reason)
                if m:
                    code = name
                    params = {
                        k: (int(v) if v.isdigit() else v)
                        for k, v in zip(keys, m.groups(), strict=True)
                    }
                    break
        if code is None:
            return out
        out["code"], out["params"] = code, params
    if out.get("code"):
        out.pop("reason", None)
        out.setdefault("params", {})
    return out
