"""Who may act on Device-as-a-Service subscriptions.

The single source for DaaS services, views, templates and the menu.
"""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import has_role, permission, programme_kinds
from fleetcare.core.programmes import ProgrammeKind
from fleetcare.core.roles import Role

DELIVERY_ROLES = frozenset(
    {Role.DISTRIBUTOR, Role.PARTNER, Role.SERVICE_OPERATIONS, Role.VENDOR_ADMIN}
)


@permission("daas.create_subscription")
def can_create_subscription(user: Any, customer: Any = None) -> bool:
    """A certified DaaS partner subscribes its customers (which customers is checked by
    the service: only those it sold to)."""
    return has_role(user, Role.PARTNER, admin_too=False)


@permission("daas.record_delivery")
def can_record_delivery(user: Any, subscription: Any = None) -> bool:
    """The distributor, the partner or the vendor's service operations record that the
    devices were delivered (whose subscription is checked by the service)."""
    return has_role(user, *DELIVERY_ROLES)


@permission("daas.browse")
def can_browse_subscriptions(user: Any, obj: Any = None) -> bool:
    """Subscriptions are in their menu; also in the menu of the IT admins of customers
    that take a per-device programme (a DaaS customer sees its own subscriptions)."""
    if has_role(
        user,
        Role.PARTNER,
        Role.SERVICE_OPERATIONS,
        Role.BILLING,
        Role.SUPPORT_AGENT,
        Role.CSM,
        Role.DISTRIBUTOR,
    ):
        return True
    return has_role(
        user, Role.CUSTOMER_ADMIN, admin_too=False
    ) and ProgrammeKind.PER_DEVICE in programme_kinds(user)
