"""Organisation kinds and roles (docs/programmes.md §1): the one place their codes are written.

Every other module compares against these enums, never against bare strings. They live
in ``core`` so that tenancy and permissions can use them without importing the
``organisations`` app.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    CUSTOMER = "customer", _("Customer")
    CERTIFIED_PARTNER = "certified_partner", _("Certified DaaS partner")
    DISTRIBUTION_PARTNER = "distribution_partner", _("Distribution partner")


class Role(models.TextChoices):
    """docs/programmes.md §1 roles. The first group belongs to the vendor's organisation."""

    VENDOR_ADMIN = "vendor_admin", _("Vendor administrator")
    SUPPORT_AGENT = "support_agent", _("Support agent")
    ESCALATION_MANAGER = "escalation_manager", _("Escalation manager")
    CSM = "csm", _("Customer success manager")
    SERVICE_OPERATIONS = "service_operations", _("Service operations")
    BILLING = "billing", _("Billing")
    CUSTOMER_ADMIN = "customer_admin", _("Customer IT admin")
    PARTNER = "partner", _("Certified DaaS partner")
    DISTRIBUTOR = "distributor", _("Distribution partner / reseller")
    END_USER = "end_user", _("End user of a DaaS customer")


VENDOR_ROLES = frozenset(
    {
        Role.VENDOR_ADMIN,
        Role.SUPPORT_AGENT,
        Role.ESCALATION_MANAGER,
        Role.CSM,
        Role.SERVICE_OPERATIONS,
        Role.BILLING,
    }
)
ROLES_BY_KIND = {
    OrganisationKind.VENDOR: VENDOR_ROLES,
    OrganisationKind.CUSTOMER: frozenset({Role.CUSTOMER_ADMIN, Role.END_USER}),
    OrganisationKind.CERTIFIED_PARTNER: frozenset({Role.PARTNER}),
    OrganisationKind.DISTRIBUTION_PARTNER: frozenset({Role.DISTRIBUTOR}),
}
