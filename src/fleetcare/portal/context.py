"""Navigation by role: what each kind of user sees in the menu."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, roles that see it; None = everyone signed in)
NAVIGATION = [
    ("portal:home", _("Home"), None),
    ("portal:catalog", _("Catalogue"), None),
]

_extra: list[tuple[str, object, set[str] | None]] = []


def register(url_name: str, label: object, roles: set[str] | None = None) -> None:
    """Apps add their menu entries here (from their AppConfig.ready)."""
    if all(entry[0] != url_name for entry in _extra):
        _extra.append((url_name, label, roles))


def _is_active(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = getattr(user, "role", "")
    items = []
    for url_name, label, roles in [*NAVIGATION, *_extra]:
        if roles is not None and role not in roles and not user.is_superuser:
            continue
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
