"""The DaaS subscriptions' filters, shared by the page and ``GET /api/v1/daas/subscriptions``."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fleetcare.core.lists import DbId, ListFilter

from .models import SubscriptionStatus


class SubscriptionFilter(ListFilter):
    customer_id: DbId | None = None
    status: SubscriptionStatus | None = None

    labels = {"customer_id": _("Customer"), "status": _("Status")}


class SubscribedDeviceFilter(ListFilter):
    """``GET /api/v1/daas/devices`` (the page lists one subscription's devices)."""

    subscription_id: DbId | None = None
    customer_id: DbId | None = None

    labels = {"subscription_id": _("Subscription"), "customer_id": _("Customer")}

    def filter_customer_id(self, value: int | None) -> Q:
        return Q(subscription__customer_id=value) if value else Q()
