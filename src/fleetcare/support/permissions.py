"""Who may act on support cases, escalations and cloud-partner incidents.

The single source for support services, views, templates, the API and the menu.
"""

from __future__ import annotations

from typing import Any

from fleetcare.core.permissions import (
    belongs_to,
    has_role,
    is_superuser,
    is_vendor_staff,
    permission,
)
from fleetcare.core.roles import OrganisationKind, Role

AGENT_ROLES = frozenset(
    {Role.VENDOR_ADMIN, Role.SUPPORT_AGENT, Role.ESCALATION_MANAGER, Role.SERVICE_OPERATIONS}
)
ESCALATION_ROLES = frozenset({Role.VENDOR_ADMIN, Role.ESCALATION_MANAGER})
CLOUD_PARTNER_ROLES = frozenset({Role.SUPPORT_AGENT, Role.ESCALATION_MANAGER, Role.VENDOR_ADMIN})


def _role(user: Any) -> Any:
    return getattr(user, "role", None)


def _is_customer_admin(user: Any) -> bool:
    return belongs_to(user, OrganisationKind.CUSTOMER) and _role(user) == Role.CUSTOMER_ADMIN


@permission("support.work_cases")
def is_agent(user: Any, case: Any = None) -> bool:
    """Vendor support staff: they work the queue, assign, change severity, write internal
    notes and open incidents with cloud partners."""
    return is_vendor_staff(user) and (_role(user) in AGENT_ROLES or is_superuser(user))


can_work_cases = is_agent


@permission("support.manage_escalations")
def can_manage_escalations(user: Any, case: Any = None) -> bool:
    """Update and close escalations (R-SUP-3): the escalation managers."""
    return is_vendor_staff(user) and (_role(user) in ESCALATION_ROLES or is_superuser(user))


def may_own_escalation(owner: Any) -> bool:
    """Whether ``owner`` can be put in charge of an escalation."""
    return _role(owner) in ESCALATION_ROLES


def served_by_partner_only(organisation_id: int | None) -> bool:
    """R-DS-6: a DaaS customer whose support comes from its partner: it is linked to a
    certified partner and holds no account-wide contract of its own in force today.
    Its people are sent to the partner before any case form is shown."""
    from django.utils import timezone

    from fleetcare.contracts.models import EnterpriseContract
    from fleetcare.organisations.models import PartnerCustomer

    if organisation_id is None:
        return False
    if not PartnerCustomer.objects.filter(customer_id=organisation_id).exists():
        return False
    return not (
        EnterpriseContract.objects.filter(account_id=organisation_id)
        .in_force(timezone.localdate())
        .exists()
    )


@permission("support.open_cases")
def can_open_cases(user: Any, obj: Any = None) -> bool:
    """Who may open a case at all (the entitlement check then decides for which account
    and device): vendor staff, partners, and customers' users other than DaaS end users
    and the people of a DaaS customer its partner serves (R-DS-6)."""
    if _role(user) == Role.END_USER:
        return False
    if belongs_to(user, OrganisationKind.CUSTOMER):
        return not served_by_partner_only(getattr(user, "organisation_id", None))
    return is_vendor_staff(user) or belongs_to(user, OrganisationKind.CERTIFIED_PARTNER)


@permission("support.enter_phone_cases")
def can_enter_phone_cases(user: Any, obj: Any = None) -> bool:
    """Agents enter a case taken by phone for a customer's person (the requester)."""
    return is_agent(user)


def is_requester_side(user: Any, case: Any) -> bool:
    """The customer's administrator of the case's account, or the partner that opened it."""
    if belongs_to(user, OrganisationKind.CUSTOMER) and _role(user) != Role.END_USER:
        return case.account_id == user.organisation_id
    if belongs_to(user, OrganisationKind.CERTIFIED_PARTNER):
        return case.opened_by_partner_id == user.organisation_id
    return False


@permission("support.reply")
def can_reply(user: Any, case: Any = None) -> bool:
    """Reply, reopen or close, add files: agents, or the requester's side of the case."""
    return is_agent(user) or (case is not None and is_requester_side(user, case))


@permission("support.change_status")
def can_change_status(user: Any, case: Any = None) -> bool:
    """Agents set any status; the requester's side only reopens or closes its case."""
    return can_reply(user, case)


def allowed_statuses(user: Any, case: Any) -> list[str]:
    """The statuses ``user`` may move ``case`` to (the current one excluded)."""
    from .models import OPEN_STATUSES, CaseStatus

    if is_agent(user):
        return [s for s in CaseStatus.values if s != case.status]
    if not can_reply(user, case):
        return []
    if case.status in OPEN_STATUSES:
        return [CaseStatus.CLOSED]
    return [CaseStatus.IN_PROGRESS]


@permission("support.write_internal_note")
def can_write_internal_note(user: Any, case: Any = None) -> bool:
    return is_agent(user)


@permission("support.manage_cloud_partners")
def can_manage_cloud_partners(user: Any, obj: Any = None) -> bool:
    """Vendor support staff (agents, escalation managers, vendor admins) keep the list."""
    return is_vendor_staff(user) and (_role(user) in CLOUD_PARTNER_ROLES or is_superuser(user))


@permission("support.view_authorisations")
def can_view_authorisations(user: Any, obj: Any = None) -> bool:
    """Cloud-partner authorisations on file: vendor staff and customers' administrators."""
    return is_vendor_staff(user) or _is_customer_admin(user)


@permission("support.record_authorisation")
def can_record_authorisation(user: Any, account: Any = None) -> bool:
    """Put a customer's signed authorisation on file: agents, or that customer's
    administrator (``account`` None: for their own account)."""
    if is_agent(user):
        return True
    if not _is_customer_admin(user):
        return False
    return account is None or getattr(account, "pk", None) == user.organisation_id


@permission("support.browse_cases")
def can_browse_cases(user: Any, obj: Any = None) -> bool:
    """Cases are in their menu."""
    return has_role(
        user,
        *AGENT_ROLES,
        Role.CSM,
        Role.CUSTOMER_ADMIN,
        Role.PARTNER,
        Role.END_USER,
    )
