"""Who may change the directory: organisations, sites, users, partner–customer links.

* The vendor administrator creates and changes all of them.
* A certified partner creates DaaS customers (linked to itself), changes them, and
  manages their sites.
* A customer IT admin manages its own organisation's sites and users, and never gives a
  role above its own.

Predicates take ``(user, obj=None)``; ``obj`` is the organisation concerned. They say
only *whether* the user may act; *which* records they may reach is tenancy's job
(``visible_to``: another tenant's record is a 404 before any predicate is asked).
"""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import has_role, permission
from fleetcare.core.roles import ROLES_BY_KIND, OrganisationKind, Role


def _is_vendor_admin(user: Any) -> bool:
    return has_role(user, Role.VENDOR_ADMIN)


def _serves(user: Any, organisation: Any) -> bool:
    """The user is a partner that sold DaaS to ``organisation``."""
    return (
        organisation is not None
        and has_role(user, Role.PARTNER, admin_too=False)
        and organisation.pk in user.served_customer_ids()
    )


def _own(user: Any, organisation: Any) -> bool:
    return organisation is not None and organisation.pk == getattr(user, "organisation_id", None)


@permission("organisations.create_organisation")
def can_create_organisation(user: Any, kind: Any = None) -> bool:
    """Vendor admin: any kind; a partner: customers only (its DaaS customers)."""
    if _is_vendor_admin(user):
        return True
    return has_role(user, Role.PARTNER, admin_too=False) and kind in (
        None,
        OrganisationKind.CUSTOMER,
    )


@permission("organisations.change_organisation")
def can_change_organisation(user: Any, organisation: Any = None) -> bool:
    return _is_vendor_admin(user) or _serves(user, organisation)


@permission("organisations.manage_sites")
def can_manage_sites(user: Any, organisation: Any = None) -> bool:
    if _is_vendor_admin(user):
        return True
    if organisation is None:
        return has_role(user, Role.PARTNER, Role.CUSTOMER_ADMIN, admin_too=False)
    if _serves(user, organisation):
        return True
    return _own(user, organisation) and has_role(user, Role.CUSTOMER_ADMIN, admin_too=False)


@permission("organisations.manage_users")
def can_manage_users(user: Any, organisation: Any = None) -> bool:
    if _is_vendor_admin(user):
        return True
    if organisation is None:
        return has_role(user, Role.CUSTOMER_ADMIN, admin_too=False)
    return _own(user, organisation) and has_role(user, Role.CUSTOMER_ADMIN, admin_too=False)


@permission("organisations.assign_csm")
def can_assign_csm(user: Any, organisation: Any = None) -> bool:
    """Assign a customer account its customer success manager: the vendor administrator."""
    return _is_vendor_admin(user)


@permission("organisations.link_partner")
def can_link_partner(user: Any, obj: Any = None) -> bool:
    return _is_vendor_admin(user)


# Which roles someone may hand out: never one above their own. ----------------------

# Within a customer organisation the IT admin is the top; an end user is below it.
CUSTOMER_ROLE_RANK = {Role.CUSTOMER_ADMIN: 2, Role.END_USER: 1}


def assignable_roles(user: Any, organisation: Any) -> list[str]:
    """The roles ``user`` may give to a member of ``organisation``."""
    existing = sorted(ROLES_BY_KIND.get(organisation.kind, ()))
    if _is_vendor_admin(user):
        return existing
    if can_manage_users(user, organisation):
        own_rank = CUSTOMER_ROLE_RANK.get(user.role, 0)
        return [r for r in existing if CUSTOMER_ROLE_RANK.get(r, 99) <= own_rank]
    return []
