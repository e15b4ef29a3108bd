"""The sentences that explain why a device is not covered, and how their parameters show.

:mod:`fleetcare.rules.coverage` decides and returns a reason *code* with plain
parameters; this module holds the sentence of each code (marked for translation) and
writes it at display time, in the language active then (the reader's). Dates are
formatted for that language, category codes become their catalogue names and
programme codes their programme's name. :func:`render` does the same for other reason
tables (a support case's entitlement).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fleetcare.catalog.models import CategoryCode
from fleetcare.rules.coverage import Reason
from fleetcare.rules.programmes import ProgrammeError, load_programme

__all__ = ["REASONS", "explain", "render"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Why a device is not covered on a date (R-FLT-3, R-CAT-2, R-CAT-3), keyed by code.
REASONS: dict[Reason, Promise] = {
    Reason.NOT_ACTIVE: _("The device is retired or replaced."),
    Reason.QUOTE_ONLY: _(
        "%(category)s is a quote-only class: never covered automatically, "
        "it needs its own quote line."
    ),
    Reason.NO_CONTRACT: _("The account has no %(programme)s contract in force on %(on)s."),
    Reason.CATEGORY_NOT_CHOSEN: _(
        "The device's category, %(category)s, is not one that contract "
        "%(contract_reference)s covers."
    ),
    Reason.END_OF_SUPPORT: _("The model is past its end-of-support date (%(end_of_support_on)s)."),
    Reason.NOT_IN_FLEET: _(
        "The device was not yet in the fleet on that date: it appeared on %(first_seen_on)s."
    ),
}


def _category_name(code: str) -> str:
    try:
        return str(CategoryCode(code).label)
    except ValueError:
        return code


def _programme_name(code: str) -> str:
    try:
        return load_programme(code).name
    except ProgrammeError:
        return code


class _Blank(dict[str, str]):
    """A parameter the decision did not give shows as blank; it never fails the page."""

    def __missing__(self, key: str) -> str:
        return ""


def _display(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        value = date.fromisoformat(value)  # a date stored in JSON
    if isinstance(value, date):
        return str(date_format(value))
    if key == "category":
        return _category_name(str(value))
    if key == "programme":
        return _programme_name(str(value))
    return str(value)


def explain(reason: Reason | str | None, params: Mapping[str, Any] | None = None) -> str:
    """The sentence for ``reason`` with ``params`` filled in, in the active language;
    "" for no reason (covered)."""
    if not reason:
        return ""
    values = dict(params or {})
    if reason == Reason.CATEGORY_NOT_CHOSEN and not values.get("contract_reference"):
        values["contract_reference"] = values.get("contract_id") or ""
    return render(REASONS[Reason(reason)], values)


def render(template: Promise | str, params: Mapping[str, Any]) -> str:
    """``template`` (translated now) filled with ``params`` shown for the reader: dates
    (or ISO dates from JSON) in their language's format, category codes as catalogue
    names, programme codes as programme names."""
    return str(template) % _Blank({k: _display(k, v) for k, v in params.items()})
