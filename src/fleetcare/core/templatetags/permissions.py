"""``{% can "app.action" obj as name %}``: ask a registered permission predicate."""

from __future__ import annotations

from typing import Any

from django import template

from fleetcare.core.permissions import can as _can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: Any, name: str, obj: Any = None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if isinstance(obj, str) and not obj:  # an unset variable renders as ""
        obj = None
    return _can(user, name, obj)
