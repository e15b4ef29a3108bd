"""Who may manage an account's fleet (R-FLT-2)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from fleetcare.core.tenancy import scope_of

FLEET_VENDOR_ROLES = {"vendor_admin", "csm", "service_operations"}


def may_manage_fleet(user: Any, account: Any) -> bool:
    scope = scope_of(user)
    if scope.is_vendor:
        return bool(getattr(user, "is_superuser", False)) or user.role in FLEET_VENDOR_ROLES
    return (
        scope.is_customer and user.role == "customer_admin" and account.pk == user.organisation_id
    )


def require_fleet_manager(user: Any, account: Any) -> None:
    if account is None:
        if not scope_of(user).is_vendor:
            raise PermissionDenied(_("Only vendor staff may import several accounts at once."))
        return
    if not may_manage_fleet(user, account):
        raise PermissionDenied(
            _("Only the account's IT administrator or vendor fleet staff may change its fleet.")
        )
