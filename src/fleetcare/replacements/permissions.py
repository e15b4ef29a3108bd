"""Who may act on advance replacement orders (R-RMA-1..6).

The single source for replacement services, views, templates, the menu and other apps
(the support case page asks :func:`can_request_replacement`).
"""

from __future__ import annotations

from typing import Any

from fleetcare.billing.permissions import can_bill
from fleetcare.core.permissions import has_role, permission
from fleetcare.core.roles import Role

REQUEST_ROLES = frozenset(
    {Role.SUPPORT_AGENT, Role.ESCALATION_MANAGER, Role.VENDOR_ADMIN, Role.PARTNER}
)
APPROVE_ROLES = frozenset({Role.SUPPORT_AGENT, Role.ESCALATION_MANAGER, Role.VENDOR_ADMIN})
OPERATIONS_ROLES = frozenset({Role.SERVICE_OPERATIONS, Role.VENDOR_ADMIN})


@permission("replacements.request")
def can_request_replacement(user: Any, case: Any = None) -> bool:
    """Raise an order from a case: vendor support staff, or the certified DaaS partner."""
    return has_role(user, *REQUEST_ROLES)


@permission("replacements.approve")
def can_approve_replacement(user: Any, order: Any = None) -> bool:
    """Approve or reject a requested order: vendor support staff."""
    return has_role(user, *APPROVE_ROLES)


can_reject_replacement = can_approve_replacement


@permission("replacements.operate")
def can_operate_replacement(user: Any, order: Any = None) -> bool:
    """Ship, record delivery, receive the return, record destruction, close: service
    operations (they work the shipping and returns queues)."""
    return has_role(user, *OPERATIONS_ROLES)


@permission("replacements.decide_threshold")
def can_decide_threshold(user: Any, order: Any = None) -> bool:
    """Charge or waive a replacement over the yearly threshold (R-DS-5): billing."""
    return can_bill(user, order)


@permission("replacements.see_charge")
def can_see_charge(user: Any, order: Any = None) -> bool:
    """The unreturned-unit charge document is the vendor's business, not the customer's
    or the partner's (they receive it through billing)."""
    return getattr(user, "role", None) not in (Role.CUSTOMER_ADMIN, Role.PARTNER)


@permission("replacements.browse")
def can_browse_replacements(user: Any, obj: Any = None) -> bool:
    """Replacement orders are in their menu."""
    return has_role(
        user,
        Role.SUPPORT_AGENT,
        Role.ESCALATION_MANAGER,
        Role.CSM,
        Role.SERVICE_OPERATIONS,
        Role.BILLING,
        Role.CUSTOMER_ADMIN,
        Role.PARTNER,
    )


def holds_role_for(user: Any, predicate: Any) -> bool:
    """Whether the user's role is one the action asks for, so that a refusal can say
    "vendor staff only" rather than "your role may not"."""
    roles = {
        can_request_replacement: REQUEST_ROLES,
        can_approve_replacement: APPROVE_ROLES,
        can_operate_replacement: OPERATIONS_ROLES,
    }[predicate]
    return getattr(user, "role", None) in roles
