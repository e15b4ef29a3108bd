"""Who may act on Poly+ Enterprise contracts.

The single source for contract services, views, templates, the API and the menu.
"""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import has_role, permission, takes_programme_kind
from fleetcare.core.programmes import ProgrammeKind
from fleetcare.core.roles import Role

CONTRACT_ROLES = frozenset({Role.CSM, Role.VENDOR_ADMIN})
PURCHASE_ORDER_ROLES = frozenset({Role.CSM, Role.VENDOR_ADMIN, Role.BILLING})


@permission("contracts.manage")
def can_manage_contracts(user: Any, contract: Any = None) -> bool:
    """Propose, sign, adjust and renew contracts: the vendor's customer success managers
    (and the vendor administrator)."""
    return has_role(user, *CONTRACT_ROLES)


@permission("contracts.record_purchase_order")
def can_record_purchase_order(user: Any, contract: Any = None) -> bool:
    """Record the customer's purchase order: customer success or billing."""
    return has_role(user, *PURCHASE_ORDER_ROLES)


@permission("contracts.browse")
def can_browse_contracts(user: Any, obj: Any = None) -> bool:
    """Contracts are in their menu: customer success, billing and distributors, and the
    IT admins of customers that take an account-wide programme (a DaaS customer, which
    takes per-device terms only, has no contract to see)."""
    if has_role(user, Role.CSM, Role.BILLING, Role.DISTRIBUTOR):
        return True
    return has_role(user, Role.CUSTOMER_ADMIN, admin_too=False) and takes_programme_kind(
        user, ProgrammeKind.ACCOUNT_WIDE
    )
