"""Who may see and manage licences and the premium flag (R-POR-1, R-PE-8)."""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import has_role, is_vendor_staff, permission
from fleetcare.core.roles import Role

LICENCE_VENDOR_ROLES = (Role.CSM, Role.SERVICE_OPERATIONS)


@permission("licences.view")
def can_view_licences(user: Any, obj: Any = None) -> bool:
    """Vendor staff, customers' IT administrators (their own account's) and certified
    partners (their DaaS customers'); not end users nor distributors."""
    return is_vendor_staff(user) or has_role(user, Role.CUSTOMER_ADMIN, Role.PARTNER)


@permission("licences.browse")
def can_browse_licences(user: Any, obj: Any = None) -> bool:
    """Licences are in their menu."""
    return has_role(user, Role.CUSTOMER_ADMIN, Role.PARTNER, *LICENCE_VENDOR_ROLES)


@permission("licences.manage")
def can_manage_licences(user: Any, obj: Any = None) -> bool:
    """Enter and import licences: the vendor (administrator, CSMs, service operations)."""
    return has_role(user, *LICENCE_VENDOR_ROLES)
