"""An import problem in the reader's language: stored as a code and parameters, worded here."""

from __future__ import annotations

from typing import Any

from django import template

from fleetcare.fleet.importing.messages import reason_text

register = template.Library()


@register.filter
def import_reason(error: dict[str, Any]) -> str:
    """The problem's reason worded from its code (older entries: the stored reason)."""
    return reason_text(error)
