"""The CSM's monthly fleet report (R-PE-4) and its chart and exports.

Counts come from the snapshot history (R-FLT-2): the last snapshot on or before the
month end of each account, one grouped query for all accounts
(:func:`fleetcare.fleet.services.category_counts_at`).
"""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fleetcare.catalog.models import Category
from fleetcare.contracts.models import BaselineChange, ContractCategory, EnterpriseContract
from fleetcare.core.exports import csv_text, xlsx_bytes
from fleetcare.core.permissions import require
from fleetcare.core.programmes import ProgrammeKind, default_programme
from fleetcare.core.tenancy import scope_of
from fleetcare.fleet.services import category_counts_at
from fleetcare.organisations.models import Organisation, OrganisationKind
from fleetcare.reports.permissions import can_view_monthly_report
from fleetcare.rules import enterprise as pe
from fleetcare.rules.calendars import month_end, month_ends


def parse_month(text: str | None) -> date:
    """``YYYY-MM`` → the first day of that month."""
    try:
        y, m = (text or "").split("-")
        return date(int(y), int(m), 1)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"month": _("Give the month as YYYY-MM, e.g. 2026-06.")}) from exc


@dataclass
class ReportRow:
    account_id: int
    account_name: str
    account_number: str
    category: str
    category_name: str
    count: int
    contract_id: int | None = None
    contract_reference: str = ""
    ordered: int | None = None
    baseline: Decimal | None = None
    baseline_shown: int | None = None
    increase_pct: Decimal | None = None
    status: str = "no_contract"  # within / adjustment_due / no_contract


@dataclass
class NotCounted:
    account_id: int
    account_name: str
    sku: str
    name: str
    count: int
    reason: str  # quote_only / end_of_support


@dataclass
class MonthlyReport:
    month: date
    month_end: date
    rows: list[ReportRow] = field(default_factory=list)
    not_counted: list[NotCounted] = field(default_factory=list)


def visible_accounts(user: Any):
    require(
        user,
        can_view_monthly_report,
        None,
        _("The monthly fleet report is for vendor staff and customer admins."),
    )
    return Organisation.objects.visible_to(user).filter(kind=OrganisationKind.CUSTOMER)


def monthly_report(*, user: Any, month: date, account_id: int | None = None) -> MonthlyReport:
    """Per account and category at month end: count, ordered, baseline, increase over ordered
    and status (R-PE-4); devices not counted and why. A constant number of queries."""
    end = month_end(month)
    accounts = visible_accounts(user)
    if account_id is not None:
        accounts = accounts.filter(pk=account_id)
    acc_info = {
        pk: (name, number or "")
        for pk, name, number in accounts.values_list("id", "name", "account_number")
    }
    if account_id is not None and not acc_info:
        from django.http import Http404

        raise Http404(_("No organisation matches the given query."))
    every_account = scope_of(user).is_vendor and account_id is None
    ids = None if every_account else list(acc_info)
    counts = category_counts_at(end, ids)
    contracts_qs = EnterpriseContract.objects.in_force(end).order_by("start_date")
    if ids is not None:
        contracts_qs = contracts_qs.filter(account_id__in=ids)
    contracts = {c.account_id: c for c in contracts_qs}
    ccs = defaultdict(list)
    for cc in ContractCategory.objects.filter(contract__in=list(contracts.values())).select_related(
        "category"
    ):
        ccs[cc.contract_id].append(cc)
    in_force: dict[int, BaselineChange] = {}
    for bc in BaselineChange.objects.filter(
        contract_category__contract__in=list(contracts.values()), effective_from__lte=end
    ).order_by("effective_from", "id"):
        in_force[bc.contract_category_id] = bc
    names = {c.code: str(c) for c in Category.objects.all()}
    report = MonthlyReport(month, end)
    # Accounts without a contract: the categories the default account-wide programme covers.
    default_covered = default_programme(ProgrammeKind.ACCOUNT_WIDE).covered_categories
    for acc in sorted(acc_info, key=lambda k: acc_info[k][0].lower()):
        name, number = acc_info[acc]
        acc_counts = counts.get(acc, {})
        contract = contracts.get(acc)
        done: set[str] = set()
        covered = default_covered
        if contract is not None:
            covered = contract.programme.covered_categories
            band = contract.programme.band or pe.DEFAULT_BAND
            for cc in sorted(ccs[contract.pk], key=lambda c: c.category.code):
                code = cc.category.code
                bc = in_force.get(cc.pk)
                ordered = bc.ordered if bc else cc.ordered
                n = acc_counts[code].count if code in acc_counts else 0
                st = pe.monthly_status(n, ordered, band)
                report.rows.append(
                    ReportRow(
                        acc,
                        name,
                        number,
                        code,
                        names.get(code, code),
                        n,
                        contract.pk,
                        contract.reference,
                        ordered,
                        st.baseline,
                        pe.baseline_shown(ordered, band),
                        st.increase_pct,
                        st.status,
                    )
                )
                done.add(code)
        for code in covered:
            if code in done or code not in acc_counts or not acc_counts[code].count:
                continue
            report.rows.append(
                ReportRow(acc, name, number, code, names.get(code, code), acc_counts[code].count)
            )
        for code in sorted(acc_counts):
            for sku, mname, n, why in acc_counts[code].not_counted:
                report.not_counted.append(NotCounted(acc, name, sku, mname, n, why))
    return report


# --------------------------------------------------------------------------- chart


def term_series(contract: EnterpriseContract, up_to: date) -> dict[str, Any]:
    """Per category over the term's months (to ``up_to``): count, ordered and baseline."""
    ends = month_ends(contract.start_date.replace(day=1), min(up_to, contract.end_date))
    ends = [e for e in ends if e >= contract.start_date]
    changes = list(
        BaselineChange.objects.filter(contract_category__contract=contract)
        .select_related("contract_category__category")
        .order_by("effective_from", "id")
    )
    band = contract.programme.band or pe.DEFAULT_BAND
    series: dict[str, dict[str, list[Any]]] = {}
    for cc in contract.categories.select_related("category"):
        series[cc.category.code] = {
            "name": str(cc.category),
            "count": [],
            "ordered": [],
            "baseline": [],
        }
    for end in ends:
        counts = category_counts_at(end, [contract.account_id]).get(contract.account_id, {})
        for code, s in series.items():
            in_force = [
                c
                for c in changes
                if c.contract_category.category.code == code and c.effective_from <= end
            ]
            ordered = in_force[-1].ordered if in_force else 0
            s["count"].append(counts[code].count if code in counts else 0)
            s["ordered"].append(ordered)
            s["baseline"].append(float(pe.baseline(ordered, band)))
    return {"months": [e.strftime("%Y-%m") for e in ends], "categories": series}


def chart_svg(contract: EnterpriseContract, up_to: date) -> str:
    """Count against ordered and baseline over the term (matplotlib, server-rendered SVG)."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from fleetcare.core.currency import axis_count

    data = term_series(contract, up_to)
    cats = data["categories"]
    fig = Figure(figsize=(8, 2.6 * max(1, len(cats))), dpi=96)
    months = data["months"]
    for i, (_code, s) in enumerate(cats.items(), start=1):
        ax = fig.add_subplot(len(cats) or 1, 1, i)
        x = list(range(len(months)))
        ax.plot(x, s["count"], marker="o", label=_("Count"), color="#1f5fa8")
        ax.step(x, s["ordered"], where="mid", label=_("Ordered"), color="#555555")
        ax.step(x, s["baseline"], where="mid", linestyle="--", label=_("Baseline"), color="#b03a2e")
        ax.set_title(s["name"])
        ax.set_xticks(x)
        ax.set_xticklabels(months, rotation=45, ha="right", fontsize=8)
        ax.grid(alpha=0.3)
        # Beside the plot, never over the lines; counts written for the reader.
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(axis_count))
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    return buf.getvalue()


def chart_data_uri(contract: EnterpriseContract, up_to: date) -> str:
    return (
        "data:image/svg+xml;base64,"
        + base64.b64encode(chart_svg(contract, up_to).encode()).decode()
    )


# --------------------------------------------------------------------------- exports

HEADER = [
    "account_number",
    "account",
    "category",
    "contract",
    "count",
    "ordered",
    "baseline",
    "baseline_shown",
    "increase_pct",
    "status",
]


def _cells(r: ReportRow) -> list[Any]:
    """A row's typed cells: numbers stay numbers (Decimal), empty when not applicable."""
    return [
        r.account_number,
        r.account_name,
        r.category,
        r.contract_reference,
        r.count,
        r.ordered,
        None if r.baseline is None else r.baseline.quantize(Decimal("0.01")),
        r.baseline_shown,
        None if r.increase_pct is None else r.increase_pct.quantize(Decimal("0.01")),
        r.status,
    ]


NOT_COUNTED_HEADER = ["month", "account_number", "account", "sku", "model", "count", "reason"]


def _not_counted_cells(report: MonthlyReport) -> list[list[Any]]:
    numbers = {r.account_id: r.account_number for r in report.rows}
    return [
        [
            report.month,
            numbers.get(n.account_id, ""),
            n.account_name,
            n.sku,
            n.name,
            n.count,
            n.reason,
        ]
        for n in report.not_counted
    ]


def report_csv(report: MonthlyReport) -> str:
    """The report's table (one table per file; the devices not counted are
    ``report_not_counted_csv``). Months as ISO dates (the first of the month)."""
    return csv_text(["month", *HEADER], ([report.month, *_cells(r)] for r in report.rows))


def report_not_counted_csv(report: MonthlyReport) -> str:
    """The devices left out of the counts and why (quote-only, end of support)."""
    return csv_text(NOT_COUNTED_HEADER, _not_counted_cells(report))


def report_xlsx(report: MonthlyReport) -> bytes:
    """Two sheets: the report and the devices not counted; typed cells."""
    return xlsx_bytes(
        [
            (
                report.month.strftime("%Y-%m"),
                ["month", *HEADER],
                ([report.month, *_cells(r)] for r in report.rows),
            ),
            ("not counted", NOT_COUNTED_HEADER, _not_counted_cells(report)),
        ]
    )


def _json_cells(r: ReportRow) -> list[Any]:
    return [
        r.account_number,
        r.account_name,
        r.category,
        r.contract_reference,
        r.count,
        "" if r.ordered is None else r.ordered,
        "" if r.baseline is None else f"{r.baseline:.2f}",
        "" if r.baseline_shown is None else r.baseline_shown,
        "" if r.increase_pct is None else f"{r.increase_pct:.2f}",
        r.status,
    ]


def report_json(report: MonthlyReport) -> dict[str, Any]:
    return {
        "month": report.month.strftime("%Y-%m"),
        "month_end": report.month_end.isoformat(),
        "rows": [
            dict(zip(HEADER, _json_cells(r), strict=True)) | {"account_id": r.account_id}
            for r in report.rows
        ],
        "not_counted": [n.__dict__ for n in report.not_counted],
    }


def report_pdf(report: MonthlyReport, charts: list[tuple[str, str]] | None = None) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("reports/monthly_pdf.html", {"report": report, "charts": charts or []})
    return HTML(string=html).write_pdf()
