"""Who may register webhook endpoints: an organisation's administrator for its own
organisation (customer IT admin, partner, distributor), the vendor administrator for any."""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import has_role, permission
from fleetcare.core.roles import Role

OWN_ORGANISATION_ROLES = (Role.CUSTOMER_ADMIN, Role.PARTNER, Role.DISTRIBUTOR)


@permission("webhooks.manage")
def can_manage_webhooks(user: Any, organisation: Any = None) -> bool:
    if has_role(user, Role.VENDOR_ADMIN):
        return True
    if not has_role(user, *OWN_ORGANISATION_ROLES, admin_too=False):
        return False
    return organisation is None or organisation.pk == user.organisation_id
