"""An import problem in the reader's language: stored as a code and parameters, worded here."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _reasons() -> dict[str, str]:
    return {
        "stale": _("the import stopped (its worker ended); send the file again"),
        "duplicate": _("the same file was imported meanwhile (import %(snapshot)s)"),
        "too_many_rows": _("more than %(limit)s rows"),
        "too_long": _("longer than %(limit)s characters"),
        "too_big": _("the file is larger than %(limit)s bytes"),
        "xlsx_too_big": _("the XLSX file would decompress beyond the limit (%(limit)s bytes)"),
        "nul": _("contains a NUL character"),
        "formula": _("a formula, not a value"),
        "unreadable": _("the file cannot be read as CSV or XLSX"),
        "bad_csv": _("not a valid CSV row"),
        "serial_taken": _("this serial number cannot be used (it is taken)"),
    }


@register.filter
def import_reason(error: dict[str, Any]) -> str:
    """The problem's reason worded from its code (older entries: the stored reason)."""
    code = error.get("code")
    text = _reasons().get(code) if code else None
    if text is None:
        return str(error.get("reason", ""))
    try:
        return text % (error.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return text
