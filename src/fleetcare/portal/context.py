"""Navigation: each user sees the menu entries whose permission predicate they pass."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from fleetcare.core.permissions import can, has_role

Visible = Callable[..., bool] | None

# (url name, label, predicate deciding who sees it; None = everyone signed in)
NAVIGATION: list[tuple[str, object, Visible]] = [
    ("portal:home", _("Home"), None),
    ("portal:catalog", _("Catalogue"), None),
]

_extra: list[tuple[str, object, Visible]] = []


def register(
    url_name: str,
    label: object,
    visible: Visible = None,
    *,
    roles: Iterable[str] | None = None,
) -> None:
    """Apps add their menu entries here (from their AppConfig.ready).

    ``visible`` is a permission predicate ``(user, obj=None) -> bool`` from the app's
    ``permissions.py``; ``None`` shows the entry to everyone signed in. ``roles`` is the
    former spelling (a set of :class:`~fleetcare.core.roles.Role`), kept for callers not
    yet moved to a predicate.
    """
    if visible is not None and not callable(visible):  # the former positional roles
        roles, visible = visible, None
    if roles is not None:
        warnings.warn(
            "portal.context.register(roles=...) is deprecated: pass visible=<predicate>.",
            DeprecationWarning,
            stacklevel=2,
        )
        wanted = tuple(roles)

        def visible(user: Any, obj: Any = None) -> bool:
            return has_role(user, *wanted)

    if all(entry[0] != url_name for entry in _extra):
        _extra.append((url_name, label, visible))


def entries() -> list[tuple[str, object, Visible]]:
    return [*NAVIGATION, *_extra]


def _is_active(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def visible_entries(user: Any) -> list[tuple[str, object]]:
    """The (url name, label) pairs ``user`` sees, in menu order."""
    return [
        (url_name, label)
        for url_name, label, visible in entries()
        if visible is None or can(user, visible)
    ]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label in visible_entries(user):
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": _is_active(request.path, url)})
    # Only the most specific match is the current page.
    active = [item for item in items if item["active"]]
    if len(active) > 1:
        best = max(active, key=lambda item: len(item["url"]))
        for item in active:
            item["active"] = item is best
    return {"nav_items": items}
