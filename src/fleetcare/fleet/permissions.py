"""Who may act on fleets (devices, imports, registration).

The single source for fleet services, views, the API and the menu.
"""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import belongs_to, has_role, is_vendor_staff, permission
from fleetcare.core.roles import OrganisationKind, Role

FLEET_VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.CSM, Role.SERVICE_OPERATIONS})


@permission("fleet.view")
def can_view_fleet(user: Any, obj: Any = None) -> bool:
    """Vendor staff, customers' administrators and certified partners have a fleet to see
    (a DaaS customer's end user does not)."""
    if getattr(user, "role", None) == Role.END_USER:
        return False
    return is_vendor_staff(user) or belongs_to(
        user, OrganisationKind.CUSTOMER, OrganisationKind.CERTIFIED_PARTNER
    )


@permission("fleet.browse")
def can_browse_fleet(user: Any, obj: Any = None) -> bool:
    """The fleet is part of their daily work: it is in their menu."""
    return has_role(
        user,
        Role.CUSTOMER_ADMIN,
        Role.CSM,
        Role.SUPPORT_AGENT,
        Role.SERVICE_OPERATIONS,
        Role.ESCALATION_MANAGER,
        Role.PARTNER,
    )


@permission("fleet.manage")
def can_manage_fleet(user: Any, account: Any = None) -> bool:
    """Import, register and push inventory: vendor fleet staff for any account, a
    customer's IT administrator for their own (``account`` None: for some account)."""
    if is_vendor_staff(user):
        return has_role(user, *FLEET_VENDOR_ROLES)
    if not has_role(user, Role.CUSTOMER_ADMIN):
        return False
    return account is None or getattr(account, "pk", None) == user.organisation_id


@permission("fleet.manage_several")
def can_manage_several_fleets(user: Any, obj: Any = None) -> bool:
    """An import naming several accounts at once: vendor staff only."""
    return is_vendor_staff(user)
