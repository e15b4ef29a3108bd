"""The device list's filters, shared by the fleet page and ``GET /api/v1/fleet/devices``."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext_lazy as _
from ninja import Field, FilterLookup

from fleetcare.catalog.models import CategoryCode
from fleetcare.core.lists import DbId, ListFilter

from .models import DeviceStatus


class DeviceFilter(ListFilter):
    account_id: DbId | None = None
    category: Annotated[CategoryCode | None, FilterLookup("product_model__category__code")] = None
    status: DeviceStatus | None = None
    site_id: DbId | None = None
    q: Annotated[
        str | None,
        FilterLookup(["serial_number__icontains", "product_model__sku__icontains"]),
    ] = Field(None, description="Serial number or SKU contains")

    labels = {
        "account_id": _("Account"),
        "category": _("Category"),
        "status": _("Status"),
        "site_id": _("Site"),
        "q": _("Serial or SKU"),
    }


class ImportFilter(ListFilter):
    """The import history, page and ``GET /api/v1/fleet/imports``."""

    account_id: DbId | None = None

    labels = {"account_id": _("Account")}
