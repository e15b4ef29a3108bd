"""Import problems in the reader's language: stored as a code and parameters (never a
sentence), worded here at display time (pages, API, the error report)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def _reasons() -> dict[str, str]:
    return {
        "missing_column": _("missing column"),
        "missing_account_column": _("missing column (needed when no account is chosen)"),
        "column_twice": _("column appears twice"),
        "required": _("required"),
        "unknown_account": _("unknown account"),
        "unknown_sku": _("unknown SKU"),
        "unknown_site": _("no site of that name in the account"),
        "not_a_date": _("not a date (use YYYY-MM-DD)"),
        "after_as_of": _("after the inventory date %(as_of)s"),
        "duplicate_serial": _("duplicate serial number (also on row %(other_row)s)"),
        "empty_file": _("the file is empty: a header row is needed"),
        "no_rows": _("no device rows: an inventory needs at least one device"),
        "account_deleted": _("an account was deleted during the import"),
        "row_changed": _("row changed between checking and writing"),
        "references_changed": _("the catalogue or the sites changed during the import; retry"),
        "stale": _("the import stopped (its worker ended); send the file again"),
        "duplicate": _("the same file was imported meanwhile (import %(snapshot)s)"),
        "too_many_rows": _("more than %(limit)s rows"),
        "too_long": _("longer than %(limit)s characters"),
        "too_big": _("the file is larger than %(limit)s bytes"),
        "xlsx_too_big": _("the XLSX file would decompress to %(size)s bytes (limit %(limit)s)"),
        "xlsx_strings_too_big": _(
            "the XLSX text table would take %(size)s bytes (limit %(limit)s)"
        ),
        "nul": _("contains a NUL character"),
        "formula": _("a formula, not a value"),
        "unreadable": _("the file cannot be read as CSV or XLSX (%(detail)s)"),
        "bad_csv": _("not a valid CSV row (%(detail)s)"),
        "serial_taken": _("this serial number cannot be used (it is taken)"),
        "retire_unconfirmed": _(
            "this full inventory would retire %(retired)s of the account's %(active)s active "
            "devices, more than %(share)s: tick the confirmation (confirm_retire) or import "
            "in add-or-update mode"
        ),
    }


def reason_text(error: dict[str, Any]) -> str:
    """The problem's reason worded from its code (entries stored before codes: their text)."""
    code = error.get("code")
    text = _reasons().get(code) if code else None
    if text is None:
        return str(error.get("reason", code or ""))
    try:
        return text % _shown(error.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return text


_COUNTS = frozenset({"active", "retired", "limit", "size"})  # not row numbers or ids


def _shown(params: dict[str, Any]) -> dict[str, Any]:
    """Stored parameters (plain numbers) written for the reader: ``1,000`` / ``1 000``,
    a share as a percentage."""
    from fleetcare.core.currency import format_count, format_percent

    shown: dict[str, Any] = {}
    for key, value in params.items():
        if key == "share" and isinstance(value, int | float):
            shown[key] = format_percent(value, places=2)
        elif key in _COUNTS and isinstance(value, int) and not isinstance(value, bool):
            shown[key] = format_count(value)
        else:
            shown[key] = value
    return shown


def present(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored problems as the API shows them: row, column, code, params, value and the
    reason in the reader's language."""
    return [
        {
            "row": e.get("row"),
            "column": e.get("column", ""),
            "code": e.get("code", ""),
            "params": e.get("params") or {},
            "reason": reason_text(e),
            "value": e.get("value", ""),
        }
        for e in errors
    ]
