"""``{% load timeline %}`` · ``{% for line in ev|event_lines %}``: the sentences of a case
event (support.timeline), in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template

from fleetcare.support.timeline import lines

register = template.Library()


@register.filter
def event_lines(event: Any) -> list[str]:
    return lines(event.kind, event.data)
