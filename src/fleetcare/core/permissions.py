"""Who may act: the shared machinery behind every app's ``permissions.py``.

Each app states its rules once, as named predicates in ``<app>/permissions.py``::

    from fleetcare.core.permissions import permission, has_role
    from fleetcare.core.roles import Role

    @permission("replacements.approve")
    def can_approve_replacement(user, order=None) -> bool:
        return has_role(user, Role.SUPPORT_AGENT, Role.ESCALATION_MANAGER, Role.VENDOR_ADMIN)

Services call the function (or :func:`require`), views pass it to templates, menus
take it as their ``visible`` test, and templates ask by name::

    {% load permissions %}
    {% can "replacements.approve" order as may_approve %}
    {% if may_approve %}…{% endif %}

A predicate takes ``(user, obj=None)`` and returns a bool; it never raises. The
vendor administrator and Django superusers pass every role test through
:func:`has_role` only where the predicate says so (``admin_too=True``, the default).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from fleetcare.core.roles import ROLES_BY_KIND, OrganisationKind, Role

Predicate = Callable[..., bool]
REGISTRY: dict[str, Predicate] = {}


def permission(name: str) -> Callable[[Predicate], Predicate]:
    """Register a predicate under ``"<app>.<action>"`` so templates can ask for it."""

    def decorator(func: Predicate) -> Predicate:
        known = REGISTRY.get(name)
        if known is not None and (known.__module__, known.__qualname__) != (
            func.__module__,
            func.__qualname__,
        ):
            raise ImproperlyConfigured(
                f"Permission {name!r} is already {known.__module__}.{known.__qualname__}."
            )
        REGISTRY[name] = func
        func.permission_name = name  # type: ignore[attr-defined]
        return func

    return decorator


def autodiscover() -> None:
    """Import every fleetcare app's ``permissions`` module (fills :data:`REGISTRY`)."""
    for config in apps.get_app_configs():
        if config.name.startswith("fleetcare."):
            try:
                importlib.import_module(f"{config.name}.permissions")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.permissions":
                    raise


def can(user: Any, name_or_predicate: str | Predicate, obj: Any = None) -> bool:
    """Whether ``user`` may do the named action (on ``obj``)."""
    if isinstance(name_or_predicate, str):
        if name_or_predicate not in REGISTRY:
            autodiscover()
        predicate = REGISTRY[name_or_predicate]
    else:
        predicate = name_or_predicate
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", True):
        return False
    return bool(predicate(user, obj))


def require(
    user: Any, name_or_predicate: str | Predicate, obj: Any = None, message: Any = None
) -> None:
    """Raise :class:`PermissionDenied` (with a readable ``message``) unless allowed."""
    if not can(user, name_or_predicate, obj):
        raise PermissionDenied(str(message) if message is not None else None)


# Building blocks the apps' predicates are written with ----------------------------


def organisation_kind(user: Any) -> str | None:
    org = getattr(user, "organisation", None) if getattr(user, "organisation_id", None) else None
    return org.kind if org is not None else None


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def is_vendor_staff(user: Any) -> bool:
    """A member of the vendor's organisation (or a superuser)."""
    return is_superuser(user) or organisation_kind(user) == OrganisationKind.VENDOR


def belongs_to(user: Any, *kinds: str) -> bool:
    """The user is a member of an organisation of one of ``kinds``."""
    kind = organisation_kind(user)
    return kind is not None and kind in kinds


def has_role(user: Any, *roles: str, admin_too: bool = True) -> bool:
    """The user holds one of ``roles``; vendor roles count only inside the vendor.

    ``admin_too`` lets the vendor administrator and superusers through as well.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if admin_too and (
        is_superuser(user)
        or (getattr(user, "role", None) == Role.VENDOR_ADMIN and is_vendor_staff(user))
    ):
        return True
    role = getattr(user, "role", None)
    if role not in roles:
        return False
    kind = organisation_kind(user)
    return kind is not None and role in ROLES_BY_KIND.get(kind, ())


def programme_kinds(user: Any) -> frozenset[str]:
    """The kinds of the programmes the user's organisation takes (R-PRG-1,
    ``core.programmes.kinds_taken``). Cached on the user, so once per request."""
    if user is None:
        return frozenset()
    cache = user.__dict__.get("_fleetcare_programme_kinds")
    if cache is None:
        from fleetcare.core.programmes import kinds_taken_by

        cache = kinds_taken_by(user)
        user.__dict__["_fleetcare_programme_kinds"] = cache
    return cache


def takes_programme_kind(user: Any, kind: str) -> bool:
    """The user's organisation takes a programme of ``kind``, or no programme at all yet
    (nothing tells it apart)."""
    kinds = programme_kinds(user)
    return not kinds or kind in kinds
