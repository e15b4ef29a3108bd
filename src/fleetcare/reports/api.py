"""Reports API: the monthly fleet report (R-PE-4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Router, Schema

from . import services

router = Router(tags=["reports"])
ROUTER_PREFIX = "/reports"


class RowOut(Schema):
    account_id: int
    account_name: str
    account_number: str
    category: str
    category_name: str
    count: int
    contract_id: int | None
    contract_reference: str
    ordered: int | None
    baseline: Decimal | None
    baseline_shown: int | None
    increase_pct: Decimal | None = Field(None, description="Increase over ordered, percent")
    status: str = Field(..., description="within, adjustment_due or no_contract")


class NotCountedOut(Schema):
    account_id: int
    account_name: str
    sku: str
    name: str
    count: int
    reason: str = Field(..., description="quote_only or end_of_support")


class MonthlyOut(Schema):
    month: str
    month_end: date
    rows: list[RowOut]
    not_counted: list[NotCountedOut]


@router.get("/monthly", response=MonthlyOut)
def monthly(request, month: str, account: int | None = None):
    """Per account and category at month end (from the snapshot history): count, ordered,
    baseline, increase over ordered and status; devices not counted and why."""
    first = services.parse_month(month)
    report = services.monthly_report(user=request.user, month=first, account_id=account)
    return {
        "month": first.strftime("%Y-%m"),
        "month_end": report.month_end,
        "rows": [r.__dict__ for r in report.rows],
        "not_counted": [n.__dict__ for n in report.not_counted],
    }
