"""The replacement orders' filters, shared by the orders page and ``GET /api/v1/replacements``."""

from __future__ import annotations

from typing import Literal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Field

from fleetcare.core.lists import DbId, ListFilter

from .models import OrderStatus

Queue = Literal["shipping", "returns", "flagged", "open"]


class ReplacementFilter(ListFilter):
    status: OrderStatus | None = Field(None, description="One status, e.g. awaiting_return")
    queue: Queue | None = Field(
        None,
        description="shipping (approved), returns (awaiting/overdue), flagged (over the "
        "DaaS yearly threshold) or open (all)",
    )
    flagged: bool | None = Field(None, description="Only orders over the DaaS yearly threshold")
    account_id: DbId | None = None

    labels = {
        "status": _("Status"),
        "queue": _("Queue"),
        "flagged": _("Over the yearly threshold"),
        "account_id": _("Account"),
    }

    def filter_queue(self, value: str | None) -> Q:
        return Q()  # a queue is a queryset of its own: see filter()

    def filter_flagged(self, value: bool | None) -> Q:
        return Q() if value is None else Q(threshold_flag=value)

    def filter(self, queryset: QuerySet) -> QuerySet:
        qs = super().filter(queryset)
        if self.queue == "shipping":
            return qs.shipping_queue()
        if self.queue == "returns":
            return qs.returns_queue()
        if self.queue == "flagged":
            return qs.filter(threshold_flag=True)
        return qs
