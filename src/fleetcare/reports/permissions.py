"""Who may read the monthly fleet report."""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import (
    has_role,
    is_vendor_staff,
    permission,
    takes_programme_kind,
)
from fleetcare.core.programmes import ProgrammeKind
from fleetcare.core.roles import Role


@permission("reports.view_monthly")
def can_view_monthly_report(user: Any, obj: Any = None) -> bool:
    """Vendor staff and customers' IT administrators (R-PE-4)."""
    return is_vendor_staff(user) or has_role(user, Role.CUSTOMER_ADMIN)


@permission("reports.browse")
def can_browse_monthly_report(user: Any, obj: Any = None) -> bool:
    """The monthly report is in their menu: customer success, and the IT admins of
    customers that take an account-wide programme (the report counts against its
    baselines; a DaaS customer has none)."""
    if has_role(user, Role.CSM):
        return True
    return (
        has_role(user, Role.CUSTOMER_ADMIN, admin_too=False)
        and can_view_monthly_report(user)
        and takes_programme_kind(user, ProgrammeKind.ACCOUNT_WIDE)
    )
