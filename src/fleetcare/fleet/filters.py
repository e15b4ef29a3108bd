"""The device list's filters and sort orders, shared by the fleet page, its export and
``GET /api/v1/fleet/devices``.

At a million devices in one account every filter must be answered by an index in the
list's order (docs/architecture.md, "Lists"): a category becomes the ids of its models
(one look-up in the small catalogue), a search is an exact or prefix serial match
(``fleet_device_serial``) or, from three characters on PostgreSQL, a trigram match
(``fleet_device_serial_trgm``), or an exact SKU."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Field

from fleetcare.catalog.models import CategoryCode, ProductModel
from fleetcare.core.keyset import Sort, Sorts
from fleetcare.core.lists import DbId, ListFilter
from fleetcare.core.textsearch import MIN_CONTAINS, variants

from .models import DeviceStatus

# Each order is an index of fleet_device (fleet_device_account_model,
# fleet_device_account_last_seen), ending in id.
DEVICE_SORTS = Sorts(
    Sort("model", _("Model"), ("account_id", "product_model_id", "id")),
    Sort("-model", _("Model"), ("-account_id", "-product_model_id", "-id")),
    Sort("last_seen", _("Last seen"), ("account_id", "last_seen_on", "id")),
    Sort("-last_seen", _("Last seen"), ("-account_id", "-last_seen_on", "-id")),
)


class DeviceFilter(ListFilter):
    account_id: DbId | None = None
    product_model_id: DbId | None = Field(None, description="One product model")
    category: CategoryCode | None = None
    status: DeviceStatus | None = None
    site_id: DbId | None = None
    q: str | None = Field(
        None,
        max_length=64,
        description="Serial number (exact, starts with, or contains from 3 characters) "
        "or exact SKU",
    )

    labels = {
        "account_id": _("Account"),
        "product_model_id": _("Model"),
        "category": _("Category"),
        "status": _("Status"),
        "site_id": _("Site"),
        "q": _("Serial or SKU"),
    }

    def filter_category(self, value: str | None) -> Q:
        if not value:
            return Q()
        ids = list(
            ProductModel.objects.filter(category__code=value)
            .order_by("id")
            .values_list("id", flat=True)
        )
        return Q(product_model_id__in=ids)

    def filter_q(self, value: str | None) -> Q:
        return Q()  # the search needs the queryset: see filter()

    def filter(self, queryset: QuerySet) -> QuerySet:
        """The filters, then the search: serials equal to or starting with ``q`` (any
        case), or an exact SKU; only when none of the visible devices matches that way,
        and ``q`` has 3 characters or more, serials containing it (trigram index). The
        prefix probe is one cheap query; a contains-search of a long serial would read
        the large trigram posting lists of its digits for nothing."""
        qs = super().filter(queryset)
        if not self.q:
            return qs
        value = self.q.strip()
        cond = Q()
        for v in variants(value):
            cond |= Q(serial_number__startswith=v)
        skus = list(ProductModel.objects.filter(sku__iexact=value).values_list("id", flat=True))
        if skus:
            cond |= Q(product_model_id__in=skus)
        if len(value) >= MIN_CONTAINS and not qs.filter(cond).exists():
            cond = Q(serial_number__ilike_contains=value)
        return qs.filter(cond)


class ImportFilter(ListFilter):
    """The import history, page and ``GET /api/v1/fleet/imports``."""

    account_id: DbId | None = None

    labels = {"account_id": _("Account")}
