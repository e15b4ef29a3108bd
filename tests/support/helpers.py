"""Plain helpers for support tests (importable from browser tests too)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fleetcare.contracts.models import ContractCategory, EnterpriseContract


def active_pe_contract(
    account,
    category,
    *,
    reference: str,
    start: date,
    end: date,
    installed: int = 1,
    growth: int = 0,
    baseline: Decimal = Decimal("1"),
    currency: str = "EUR",
) -> EnterpriseContract:
    """An active Poly+ Enterprise contract covering one category of ``account``."""
    contract = EnterpriseContract.objects.create(
        account=account,
        reference=reference,
        start_date=start,
        end_date=end,
        status="active",
        currency=currency,
    )
    ContractCategory.objects.create(
        contract=contract,
        category=category,
        installed=installed,
        growth=growth,
        ordered=installed + growth,
        baseline=baseline,
        unit_price=Decimal("60.00"),
    )
    return contract
