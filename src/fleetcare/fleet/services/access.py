"""Who may manage an account's fleet (R-FLT-2): the refusals, with the predicates of
:mod:`fleetcare.fleet.permissions`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fleetcare.core.permissions import require
from fleetcare.fleet.permissions import (  # noqa: F401  (FLEET_VENDOR_ROLES re-exported)
    FLEET_VENDOR_ROLES,
    can_manage_fleet,
    can_manage_several_fleets,
)


def may_manage_fleet(user: Any, account: Any) -> bool:
    return can_manage_fleet(user, account)


def require_fleet_manager(user: Any, account: Any) -> None:
    if account is None:
        require(
            user,
            can_manage_several_fleets,
            None,
            _("Only vendor staff may import several accounts at once."),
        )
        return
    require(
        user,
        can_manage_fleet,
        account,
        _("Only the account's IT administrator or vendor fleet staff may change its fleet."),
    )
