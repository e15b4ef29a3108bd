"""The licence list's filters, shared by ``/licences/`` and ``GET /api/v1/licences``."""

from __future__ import annotations

from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, FilterLookup

from fleetcare.core.lists import DbId, ListFilter

from .models import LicenceKind, LicenceState


class LicenceFilter(ListFilter):
    account_id: DbId | None = None
    kind: LicenceKind | None = None
    product_model_id: DbId | None = None
    state: LicenceState | None = Field(None, description="valid, expired or not_yet_valid (today)")
    q: Annotated[
        str | None,
        FilterLookup(
            [
                "reference__icontains",
                "product_name__icontains",
                "product_model__sku__icontains",
                "product_model__name__icontains",
                "account__name__icontains",
            ]
        ),
    ] = Field(None, description="Licence number, software, model or account contains")

    labels = {
        "account_id": _("Account"),
        "kind": _("Kind"),
        "product_model_id": _("Model"),
        "state": _("State"),
        "q": _("Search"),
    }

    def filter_state(self, value: str | None) -> Q:
        if not value:
            return Q()
        on = timezone.localdate()
        if value == LicenceState.VALID:
            return Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        if value == LicenceState.EXPIRED:
            return Q(valid_until__lt=on)
        return Q(valid_from__gt=on)
