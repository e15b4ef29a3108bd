"""``{% load when %}`` · ``{{ case.opened_at|when }}`` → ``1 Dec 2026 16:01 CET``: a moment
in the reader's time zone (activated by ``core.middleware.UserTimeZoneMiddleware``), with
the zone named. ``{{ msg|message }}`` writes a stored message (``{"code", "params"}`` or a
:class:`core.messages.Message`) in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template

from fleetcare.core.messages import Message, format_date, format_when, render

register = template.Library()


@register.filter
def when(value: Any) -> str:
    return format_when(value) if value else ""


@register.filter
def day(value: Any) -> str:
    """A date for the reader: ``1 Dec 2026`` / ``1 décembre 2026``."""
    return format_date(value) if value else ""


@register.filter
def message(value: Any) -> str:
    if isinstance(value, Message):
        return str(value)
    if isinstance(value, dict):
        return render(str(value.get("code", "")), value.get("params") or {})
    return "" if value is None else str(value)
