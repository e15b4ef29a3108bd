"""Reports API: the monthly fleet report (R-PE-4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
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


def _download(body, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/monthly.csv", summary="The monthly report as CSV (one table)")
def monthly_csv(request, month: str, account: int | None = None):
    first = services.parse_month(month)
    report = services.monthly_report(user=request.user, month=first, account_id=account)
    return _download(services.report_csv(report), "text/csv", f"fleet-report-{first:%Y-%m}.csv")


@router.get("/monthly/not-counted.csv", summary="The devices not counted, as CSV (one table)")
def monthly_not_counted_csv(request, month: str, account: int | None = None):
    first = services.parse_month(month)
    report = services.monthly_report(user=request.user, month=first, account_id=account)
    return _download(
        services.report_not_counted_csv(report),
        "text/csv",
        f"fleet-report-{first:%Y-%m}-not-counted.csv",
    )


@router.get("/monthly.xlsx", summary="The monthly report as XLSX (typed cells, two sheets)")
def monthly_xlsx(request, month: str, account: int | None = None):
    first = services.parse_month(month)
    report = services.monthly_report(user=request.user, month=first, account_id=account)
    return _download(
        services.report_xlsx(report),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"fleet-report-{first:%Y-%m}.xlsx",
    )
