"""Who may act on money documents.

The single source for billing services, views, templates, other apps and the menu.
"""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import has_role, permission
from fleetcare.core.roles import Role

BILLING_ROLES = frozenset({Role.BILLING, Role.VENDOR_ADMIN})


@permission("billing.manage")
def can_bill(user: Any, obj: Any = None) -> bool:
    """Issue, void and credit documents, raise invoices, decide over-threshold charges:
    the vendor's billing team (and the vendor administrator)."""
    return has_role(user, *BILLING_ROLES)


@permission("billing.browse")
def can_browse_documents(user: Any, obj: Any = None) -> bool:
    """Documents are in their menu."""
    return has_role(user, Role.BILLING, Role.PARTNER, Role.CUSTOMER_ADMIN, Role.DISTRIBUTOR)
