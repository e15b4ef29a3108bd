"""``{% load money %}`` · ``{{ doc.total|money:doc.currency }}`` · ``{{ doc.tax_rate|percent }}``
· ``{{ page_obj.count|count }}``: amounts, rates and counts written for the reader's
language (core.currency)."""

from __future__ import annotations

from typing import Any

from django import template

from fleetcare.core.currency import format_count, format_money, format_percent

register = template.Library()


@register.filter
def money(amount: Any, currency: str) -> str:
    return format_money(amount, currency)


@register.filter
def percent(value: Any, places: Any = None) -> str:
    """``{{ rate|percent }}``; ``{{ rate|percent:2 }}``: at most two decimals."""
    return format_percent(
        value if value not in (None, "") else 0, places=None if places is None else int(places)
    )


@register.filter
def count(value: Any) -> str:
    return format_count(value or 0)
