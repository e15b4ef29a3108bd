"""What every replacement use case shares: who may act, refusals, the lock, calendars, service centres, references."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fleetcare.core.numbering import REPLACEMENT_ORDER, next_reference
from fleetcare.core.permissions import require
from fleetcare.organisations.models import Site
from fleetcare.replacements.models import (
    SERVICE_CENTRES,
    OrderStatus,
    ReplacementOrder,
)
from fleetcare.replacements.permissions import (  # noqa: F401  (re-exported)
    APPROVE_ROLES,
    OPERATIONS_ROLES,
    REQUEST_ROLES,
    holds_role_for,
)
from fleetcare.rules import daas as daas_rules
from fleetcare.rules.calendars import UnknownRegion, calendar_for

# Who may not do what: (wrong role, not vendor staff), complete sentences per action.
FORBIDDEN = {
    "request": (
        gettext_lazy("Your role may not raise a replacement order."),
        gettext_lazy("Only vendor staff may raise a replacement order."),
    ),
    "approve": (
        gettext_lazy("Your role may not approve replacements."),
        gettext_lazy("Only vendor staff may approve replacements."),
    ),
    "reject": (
        gettext_lazy("Your role may not reject replacements."),
        gettext_lazy("Only vendor staff may reject replacements."),
    ),
    "ship": (
        gettext_lazy("Your role may not ship replacements."),
        gettext_lazy("Only vendor staff may ship replacements."),
    ),
    "deliver": (
        gettext_lazy("Your role may not record deliveries."),
        gettext_lazy("Only vendor staff may record deliveries."),
    ),
    "return": (
        gettext_lazy("Your role may not receive returns."),
        gettext_lazy("Only vendor staff may receive returns."),
    ),
    "close": (
        gettext_lazy("Your role may not close replacement orders."),
        gettext_lazy("Only vendor staff may close replacement orders."),
    ),
    "destroy": (
        gettext_lazy("Your role may not record destruction certificates."),
        gettext_lazy("Only vendor staff may record destruction certificates."),
    ),
}


# An out-of-order transition: complete sentences per action (R-RMA-1).
OUT_OF_ORDER = {
    "approve": gettext_lazy(
        "%(reference)s is %(status)s: it can only be approved when %(expected)s."
    ),
    "reject": gettext_lazy(
        "%(reference)s is %(status)s: it can only be rejected when %(expected)s."
    ),
    "ship": gettext_lazy("%(reference)s is %(status)s: it can only be shipped when %(expected)s."),
    "deliver": gettext_lazy(
        "%(reference)s is %(status)s: it can only be delivered when %(expected)s."
    ),
    "return": gettext_lazy(
        "%(reference)s is %(status)s: it can only be returned when %(expected)s."
    ),
    "close": gettext_lazy("%(reference)s is %(status)s: it can only be closed when %(expected)s."),
    "destroy": gettext_lazy(
        "%(reference)s is %(status)s: it can only be destroyed on site when %(expected)s."
    ),
}


def _require(actor: Any, predicate: Any, action: str, order: Any = None) -> None:
    """Refuse unless ``predicate`` (from replacements.permissions) lets ``actor`` through,
    saying whether the role or the organisation is wrong."""
    wrong_role, not_vendor = FORBIDDEN[action]
    message = not_vendor if holds_role_for(actor, predicate) else wrong_role
    require(actor, predicate, order, message)


def _or_list(items: list[str]) -> str:
    """``a``, ``a or b``, ``a or b or c`` in the active language."""
    out = items[0]
    for item in items[1:]:
        out = _("%(first)s or %(second)s") % {"first": out, "second": item}
    return out


def _refuse(order: ReplacementOrder, action: str, allowed: tuple[str, ...]) -> None:
    if order.status not in allowed:
        expected = _or_list([str(OrderStatus(s).label).lower() for s in allowed])
        raise ValidationError(
            str(OUT_OF_ORDER[action])
            % {
                "reference": order.reference,
                "status": order.get_status_display().lower(),
                "expected": expected,
            }
        )


def _locked(order: ReplacementOrder) -> ReplacementOrder:
    return ReplacementOrder.objects.select_for_update().get(pk=order.pk)


def site_calendar(site: Site):  # type: ignore[no-untyped-def]
    """The delivery site's business calendar (R-CAL-1)."""
    return calendar_for(site.country, site.subdivision_code, site.time_zone)


def programme_of(order: ReplacementOrder):  # type: ignore[no-untyped-def]
    """The order's programme settings (cut-off hour, return window: R-RMA-2, R-RMA-3)."""
    return order.programme_settings


def service_centre_for(site: Site) -> str:
    """The code of the local service centre the defective unit goes back to (R-RMA-3)."""
    try:
        region = daas_rules.region_of(site.country)
    except UnknownRegion:
        region = None
    return SERVICE_CENTRES.get(region, SERVICE_CENTRES[None]).value


def _next_reference() -> str:
    """The next RMA- reference, from its locked series (inside the caller's transaction)."""
    return next_reference(REPLACEMENT_ORDER)


def extended_cover_replacements_in_year(
    customer_id: int, year: int, exclude_pk: int | None = None, programme: Any = None
) -> int:
    """R-DS-5: replacements authorised for extended cover this calendar year (not rejected),
    under ``programme`` (default: the default per-device programme)."""
    return ReplacementOrder.objects.extended_cover_in_year(
        customer_id, year, exclude_pk, programme=programme
    ).count()
