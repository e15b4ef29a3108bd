"""What every P+E contract use case shares: the programme, the band, who may act, term ends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from fleetcare.contracts.models import (
    EnterpriseContract,
)
from fleetcare.contracts.permissions import (  # noqa: F401  (the role sets re-exported)
    CONTRACT_ROLES,
    PURCHASE_ORDER_ROLES,
    can_manage_contracts,
)
from fleetcare.core.permissions import require
from fleetcare.core.programmes import ProgrammeKind, default_programme
from fleetcare.rules import enterprise as pe
from fleetcare.rules.programmes import Programme, load_programme

HISTORY_MONTHS = 24


FORECAST_HORIZON_MONTHS = 12


def programme_of(contract: EnterpriseContract | None = None) -> Programme:
    """The contract's programme; without one, the default account-wide programme."""
    if contract is not None:
        return load_programme(contract.programme_code)
    return default_programme(ProgrammeKind.ACCOUNT_WIDE)


def band_of(contract: EnterpriseContract | None = None) -> Decimal:
    band = programme_of(contract).band
    return band if band is not None else pe.DEFAULT_BAND


def basis_of(contract: EnterpriseContract) -> str:
    return contract.proration_basis or programme_of(contract).proration_basis


def require_csm(user: Any, predicate: Any = can_manage_contracts, obj: Any = None) -> None:
    """Refuse unless ``predicate`` (from contracts.permissions) lets ``user`` through."""
    require(user, predicate, obj, _("Only a customer success manager may do this."))


# The ordering codes of the yearly P+E service per covered category: what a distributor
# orders, shown in the SKU column of upfront orders, adjustment and renewal quotes.
SERVICE_SKUS = {
    "personal": "PPE-PERSONAL-1Y",
    "video": "PPE-VIDEO-1Y",
    "voice": "PPE-VOICE-1Y",
}


def service_sku(category_code: str) -> str:
    return SERVICE_SKUS.get(category_code, f"PPE-{category_code.upper()}-1Y")


def default_end(start: date, months: int) -> date:
    return pe.term_end(start, months)
