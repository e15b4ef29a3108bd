"""The P+E contracts' filters, shared by the contracts page and
``GET /api/v1/contracts/enterprise``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fleetcare.core.lists import DbId, ListFilter

from .models import AdjustmentStatus, ContractStatus


class ContractFilter(ListFilter):
    account_id: DbId | None = None
    status: ContractStatus | None = None

    labels = {"account_id": _("Account"), "status": _("Status")}


class AdjustmentFilter(ListFilter):
    """``GET /api/v1/contracts/adjustments``."""

    status: AdjustmentStatus | None = None
    contract_id: DbId | None = None

    labels = {"status": _("Status"), "contract_id": _("Contract")}
