"""The case lists' filters, shared by the support pages and ``GET /api/v1/cases``
(and ``/cases/queue``)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, FilterLookup
from pydantic import field_validator

from fleetcare.core.keyset import Sort, Sorts
from fleetcare.core.lists import DbId, ListFilter

from .models import OPEN_STATUSES, CaseStatus, Entitlement, Severity

# Each order is an index of support_case ending in id (or the unique reference).
CASE_SORTS = Sorts(
    Sort("-opened", gettext_lazy("Opened"), ("-opened_at", "-id")),
    Sort("opened", gettext_lazy("Opened"), ("opened_at", "id")),
    Sort("reference", gettext_lazy("Reference"), ("reference",)),
    Sort("-reference", gettext_lazy("Reference"), ("-reference",)),
)


class CaseFilter(ListFilter):
    """The page lists open cases unless asked otherwise (``status`` ``open`` by default
    there); the API lists every status unless asked."""

    status: CaseStatus | Literal["open", "all"] | None = Field(
        None, description="new, in_progress, … ; open (every open status) or all"
    )
    severity: Severity | None = None
    account_id: DbId | None = None
    entitlement: Entitlement | None = None
    q: Annotated[str | None, FilterLookup(["reference__icontains", "subject__icontains"])] = Field(
        None, description="Reference or subject contains"
    )

    labels = {
        "status": gettext_lazy("Status"),
        "severity": gettext_lazy("Severity"),
        "account_id": gettext_lazy("Account"),
        "entitlement": gettext_lazy("Entitlement"),
        "q": gettext_lazy("Search"),
    }

    def filter_status(self, value: str | None) -> Q:
        if value == "open":
            return Q(status__in=OPEN_STATUSES)
        if value in (None, "all"):
            return Q()
        return Q(status=value)


class QueueFilter(ListFilter):
    """The agents' queue: open cases only, so ``status`` is one of the open ones.

    The queue is ordered and narrowed by ``support.services.queue_queryset``; this schema
    parses and checks its parameters."""

    mine: bool = Field(False, description="Only the cases you own")
    severity: str | None = Field(None, description="S1 … S4")
    status: str | None = Field(
        None, description="new, in_progress, waiting_on_customer or waiting_on_partner"
    )

    labels = {
        "mine": gettext_lazy("Cases"),
        "severity": gettext_lazy("Severity"),
        "status": gettext_lazy("Status"),
    }

    @field_validator("severity")
    @classmethod
    def _known_severity(cls, value: str | None) -> str | None:
        if value and value not in Severity.values:
            raise ValueError(
                _("Unknown severity %(s)s (one of %(all)s).")
                % {"s": value, "all": ", ".join(Severity.values)}
            )
        return value

    @field_validator("status")
    @classmethod
    def _open_status(cls, value: str | None) -> str | None:
        if value and value not in OPEN_STATUSES:
            raise ValueError(
                _("The queue holds open cases only; status is one of %(all)s.")
                % {"all": ", ".join(str(s) for s in OPEN_STATUSES)}
            )
        return value
