"""Who sees which kind of record (R-TEN-1): the role × record-kind table, as data.

This table is the single source. ``core.tenancy.TenantQuerySet.visible_to`` asks it
first: a ``none`` cell answers an empty queryset for that role, whatever the model's
hooks say; any other cell lets the model's hooks (``for_customer``, ``for_partner``
…) pick the rows of the user's tenant, as the cell describes. ``docs/visibility.md``
holds the same table (``markdown_table()``), and ``tests/core/test_visibility.py``
checks the document against this data and every cell against ``visible_to``.

``core`` imports nothing above it: models are named by their ``app_label.Model``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fleetcare.core.roles import VENDOR_ROLES, OrganisationKind, Role


class Sees(StrEnum):
    """What a cell grants."""

    ALL = "all"  # every row
    OWN = "own"  # the rows of the user's own organisation
    SOLD = "sold"  # a partner: the DaaS rows of the customers it sold to
    OWN_AND_SOLD = "own+sold"  # a partner: its own rows and those of its DaaS customers
    ADDRESSED = "addressed"  # a distributor: the rows addressed to it (it delivers, it quotes)
    SELF = "self"  # a person: only their own record
    NONE = "none"  # nothing


# The columns, in the order of the document.
COLUMNS: tuple[Role, ...] = (
    Role.VENDOR_ADMIN,
    Role.SUPPORT_AGENT,
    Role.ESCALATION_MANAGER,
    Role.CSM,
    Role.SERVICE_OPERATIONS,
    Role.BILLING,
    Role.CUSTOMER_ADMIN,
    Role.PARTNER,
    Role.DISTRIBUTOR,
    Role.END_USER,
)

A, O, S, OS, AD, SE, N = (  # noqa: E741  (one letter a cell, for the table)
    Sees.ALL,
    Sees.OWN,
    Sees.SOLD,
    Sees.OWN_AND_SOLD,
    Sees.ADDRESSED,
    Sees.SELF,
    Sees.NONE,
)

# kind: (label, models, cells in COLUMNS order)
TABLE: dict[str, tuple[str, tuple[str, ...], tuple[Sees, ...]]] = {
    # ----------------------------- admin agent esc  csm  ops  bill cust part dist end
    "organisation": (
        "organisation",
        ("organisations.Organisation",),
        (A, A, A, A, A, A, O, OS, O, N),
    ),
    "site": ("site", ("organisations.Site",), (A, A, A, A, A, A, O, OS, O, N)),
    "person": ("person (user)", ("organisations.User",), (A, A, A, A, A, A, O, O, O, SE)),
    "partner_link": (
        "partner ↔ DaaS-customer link",
        ("organisations.PartnerCustomer",),
        (A, A, A, A, A, A, O, S, N, O),
    ),
    "catalogue": (
        "catalogue (models, prices, firmware, documents, spare parts)",
        (
            "catalog.Category",
            "catalog.ProductModel",
            "catalog.ProductPrice",
            "catalog.FirmwareRelease",
            "catalog.ProductDocument",
            "catalog.SparePart",
        ),
        (A, A, A, A, A, A, A, A, A, A),
    ),
    "device": ("device", ("fleet.Device",), (A, A, A, A, A, A, O, S, N, N)),
    "import_error_report": (
        "import error report (every problem of a refused fleet file)",
        ("fleet.ErrorReport",),
        (A, A, A, A, A, A, O, N, N, N),
    ),
    "fleet_count": (
        "fleet count (inventory snapshot; the monthly report's data)",
        ("fleet.InventorySnapshot", "fleet.SnapshotCount"),
        (A, A, A, A, N, A, O, N, N, N),
    ),
    "contract": (
        "account-wide contract (categories, baseline changes, adjustments)",
        (
            "contracts.EnterpriseContract",
            "contracts.ContractCategory",
            "contracts.BaselineChange",
            "contracts.Adjustment",
        ),
        (A, A, A, A, N, A, O, N, AD, N),
    ),
    "subscription": (
        "DaaS subscription and subscribed device",
        ("daas.Subscription", "daas.SubscribedDevice"),
        (A, A, A, A, A, A, O, S, AD, N),
    ),
    "case": (
        "support case (status history, timeline, engineering references)",
        (
            "support.Case",
            "support.StatusChange",
            "support.CaseEvent",
            "support.EngineeringReference",
        ),
        (A, A, A, A, A, N, O, S, N, N),
    ),
    "case_attachment": (
        "case attachment",
        ("support.Attachment",),
        (A, A, A, N, A, N, O, S, N, N),
    ),
    "escalation": ("escalation", ("support.Escalation",), (A, A, A, A, A, N, O, S, N, N)),
    "cloud_partner": (
        "cloud partner (reference list)",
        ("support.CloudPartner",),
        (A, A, A, A, A, N, A, A, N, N),
    ),
    "authorisation": (
        "cloud-partner authorisation (signed document)",
        ("support.CloudPartnerAuthorisation",),
        (A, A, A, N, A, N, O, N, N, N),
    ),
    "partner_incident": (
        "cloud-partner incident and its updates",
        ("support.PartnerIncident", "support.PartnerIncidentUpdate"),
        (A, A, A, N, A, N, N, N, N, N),
    ),
    "licence": (
        "software licence (premium tier, model software)",
        ("licences.Licence",),
        (A, A, A, A, A, A, O, OS, N, N),
    ),
    "replacement_order": (
        "replacement order",
        ("replacements.ReplacementOrder",),
        (A, A, A, A, A, A, O, S, N, N),
    ),
    "money_document": (
        "money document (quote, order, invoice, credit note) and its lines",
        ("billing.Document", "billing.DocumentLine"),
        (A, N, N, A, N, A, O, OS, AD, N),
    ),
    "webhook": (
        "webhook endpoint and delivery",
        ("webhooks.WebhookEndpoint", "webhooks.WebhookDelivery"),
        (A, N, N, N, N, N, O, O, O, N),
    ),
    "change_log": (
        "change-log entry",
        ("core.ChangeLogEntry",),
        (A, A, A, A, A, N, N, N, N, N),
    ),
    "job_run": ("periodic-job run", ("core.JobRun",), (A, N, N, N, A, N, N, N, N, N)),
}

# Models outside the table, and why.
EXEMPT = {
    "organisations.ApiToken": "a token is only ever its owner's (its own visible_to)",
    "core.ReferenceSeries": "an internal counter, read by the numbering service only",
    "billing.NumberSeries": "an internal counter, read by the numbering service only",
}

KIND_OF_MODEL: dict[str, str] = {
    label: kind for kind, (_label, labels, _cells) in TABLE.items() for label in labels
}


def column_of(scope: Any) -> Role | None:
    """The column of a user (``core.tenancy.Scope``): a vendor role, or their
    organisation kind's role. Superusers read as the vendor administrator."""
    if getattr(scope.user, "is_superuser", False):
        return Role.VENDOR_ADMIN
    if scope.is_vendor:
        return scope.role if scope.role in VENDOR_ROLES else None
    if scope.role == Role.END_USER:
        return Role.END_USER
    return {
        OrganisationKind.CUSTOMER: Role.CUSTOMER_ADMIN,
        OrganisationKind.CERTIFIED_PARTNER: Role.PARTNER,
        OrganisationKind.DISTRIBUTION_PARTNER: Role.DISTRIBUTOR,
    }.get(scope.kind)


def cell(kind: str, role: Role) -> Sees:
    return TABLE[kind][2][COLUMNS.index(role)]


def sees(model_label: str, scope: Any) -> Sees | None:
    """The cell for this model and user; None for a model outside the table."""
    kind = KIND_OF_MODEL.get(model_label)
    if kind is None:
        return None
    role = column_of(scope)
    return Sees.NONE if role is None else cell(kind, role)


def markdown_table() -> str:
    """The table as docs/visibility.md shows it."""
    head = "| record kind | " + " | ".join(f"`{r.value}`" for r in COLUMNS) + " |"
    rule = "|---|" + "---|" * len(COLUMNS)
    rows = [
        f"| {label} | " + " | ".join(c.value for c in cells) + " |"
        for label, _models, cells in TABLE.values()
    ]
    return "\n".join([head, rule, *rows])
