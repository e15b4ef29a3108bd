"""Texts the system writes, stored as a code with parameters and written when shown.

A record never stores a sentence in the language of whoever caused it: it stores a
message **code** and its **parameters** (plain JSON values: strings, numbers, ISO
dates and datetimes, enum codes). :func:`render` writes the sentence at display time,
in the active language (the reader's, or an e-mail's or PDF's recipient's) and time
zone.

Each app defines its messages once, at import::

    STATUS_CHANGED = define(
        "support.status_changed",
        _("Status changed from %(from)s to %(to)s."),
        **{"from": choice(CaseStatus), "to": choice(CaseStatus)},
    )

and stores ``STATUS_CHANGED.code`` with its parameters, or a :class:`Message`
(``STATUS_CHANGED.message(from_="new")``) where a text is expected. A parameter
without a formatter shows as given, except ISO dates and datetimes, which are
formatted for the reader. An unknown code renders as "" (callers keep a legacy text
for rows written before codes existed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise

__all__ = [
    "Definition",
    "Message",
    "choice",
    "define",
    "definition",
    "format_date",
    "format_when",
    "render",
]

Formatter = Callable[[Any], str]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

#: Every message code of the system, with its template and its parameters' formatters.
_REGISTRY: dict[str, Definition] = {}


#: Dates and moments in each language's own formats, as pages write them (English in
#: config/formats/en: "1 Dec 2026", "1 Dec 2026 16:01"; French "1 décembre 2026").
_DATE, _DATETIME = "DATE_FORMAT", "DATETIME_FORMAT"


def format_date(value: date) -> str:
    """A date in the active language (``1 Dec 2026`` / ``1 décembre 2026``)."""
    if isinstance(value, datetime):
        return str(date_format(value, _DATE))
    return _date_in(translation.get_language() or "en", value)


@lru_cache(maxsize=8192)
def _date_in(language: str, value: date) -> str:
    # Cached per (language, day): a list of 200 rows formats 400 dates, mostly the same
    # few hundred days; Django's formatter costs ~40 µs a date. ``language`` is the
    # active one (the key), so the month names are the reader's.
    return str(date_format(value, _DATE))


def format_when(value: datetime | None) -> str:
    """A moment in the active (the reader's) time zone, with the zone named:
    ``1 Dec 2026 16:01 CET``."""
    if value is None:
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.utc)
    local = timezone.localtime(value)
    zone = local.tzname() or str(timezone.get_current_timezone_name())
    return f"{date_format(local, _DATETIME)} {zone}"


def _default(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_when(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return format_when(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return format_date(date.fromisoformat(value))
    return str(value)


def choice(choices: Any) -> Formatter:
    """A formatter showing a stored enum code as its label (``new`` → "New")."""

    def show(value: Any) -> str:
        if value in (None, ""):
            return ""
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return show


class _Blank(dict[str, str]):
    """A parameter the caller did not give shows blank; it never fails the page."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Definition:
    """One message: its code, its template (lazy, translated when rendered) and the
    formatters of its parameters."""

    code: str
    template: Promise | str
    formatters: Mapping[str, Formatter] = field(default_factory=dict)
    number: str | None = None  # a plural message (ngettext_lazy): the parameter it counts

    def message(self, **params: Any) -> Message:
        return Message(self.code, params)

    def render(self, params: Mapping[str, Any] | None = None) -> str:
        values = _Blank()
        for key, value in (params or {}).items():
            show = self.formatters.get(key, _default)
            values[key] = show(value)
        if self.number is not None:
            # ngettext_lazy picks the form from the raw count (a formatted "1 200" is not
            # a number); the count then shows as given.
            values[self.number] = int((params or {}).get(self.number) or 0)
            return str(self.template % values)
        return str(self.template) % values


def define(
    code: str, template: Promise | str, *, number: str | None = None, **formatters: Formatter
) -> Definition:
    """Register a message code (once per code; a second definition is a programming
    error). A plural message is an ``ngettext_lazy(singular, plural, "n")`` template with
    ``number="n"``: the parameter that chooses the form."""
    existing = _REGISTRY.get(code)
    if existing is not None and existing.template != template:
        raise ValueError(f"message code {code!r} is defined twice")
    entry = Definition(code, template, formatters, number)
    _REGISTRY[code] = entry
    return entry


def definition(code: str) -> Definition | None:
    return _REGISTRY.get(code)


def codes() -> list[str]:
    return sorted(_REGISTRY)


def render(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The sentence of ``code`` with ``params``, in the active language ("" when the
    code is unknown or empty)."""
    entry = _REGISTRY.get(code) if code else None
    return "" if entry is None else entry.render(params)


@dataclass(frozen=True)
class Message:
    """A code with its parameters; ``str()`` writes it in the active language."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.code, self.params)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}
