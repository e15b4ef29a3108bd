"""The monthly fleet report pages, chart and exports (R-PE-4, R-POR-1)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from fleetcare.contracts.models import EnterpriseContract
from fleetcare.core.tenancy import get_visible_or_404

from . import services


def _params(request) -> tuple[date, int | None, str | None]:
    today = timezone.localdate()
    default = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    text = request.GET.get("month") or default
    error = None
    try:
        month = services.parse_month(text)
    except ValidationError as exc:
        error = exc.messages[0]
        month = services.parse_month(default)
    account = request.GET.get("account")
    account_id = int(account) if account and account.isdigit() else None
    user = request.user
    if account_id is None and user.organisation_id and user.organisation.kind == "customer":
        account_id = user.organisation_id
    return month, account_id, error


@login_required
def monthly(request):
    month, account_id, error = _params(request)
    report = services.monthly_report(user=request.user, month=month, account_id=account_id)
    contract = None
    if account_id is not None:
        contract = (
            EnterpriseContract.objects.visible_to(request.user)
            .in_force(report.month_end)
            .filter(account_id=account_id)
            .first()
        )
    accounts = services.visible_accounts(request.user).order_by("name")
    return render(
        request,
        "reports/monthly.html",
        {
            "report": report,
            "account_id": account_id,
            "contract": contract,
            "error": error,
            "accounts": accounts if accounts.count() > 1 else None,
            "month_text": month.strftime("%Y-%m"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def monthly_export(request, fmt: str):
    month, account_id, _error = _params(request)
    report = services.monthly_report(user=request.user, month=month, account_id=account_id)
    stem = f"fleet-report-{month:%Y-%m}"
    if fmt == "csv":
        response = HttpResponse(services.report_csv(report), content_type="text/csv")
    elif fmt == "not-counted.csv":
        response = HttpResponse(services.report_not_counted_csv(report), content_type="text/csv")
    elif fmt == "xlsx":
        response = HttpResponse(
            services.report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        charts = []
        if account_id is not None:
            contract = (
                EnterpriseContract.objects.visible_to(request.user)
                .in_force(report.month_end)
                .filter(account_id=account_id)
                .first()
            )
            if contract is not None:
                charts.append(
                    (contract.reference, services.chart_data_uri(contract, report.month_end))
                )
        response = HttpResponse(services.report_pdf(report, charts), content_type="application/pdf")
    else:
        raise Http404(_("Export as csv, not-counted.csv, xlsx or pdf."))
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
@cache_control(private=True, max_age=300)
def chart(request, contract_id: int):
    """Count against ordered and baseline over the term's months, as SVG (an <img>)."""
    contract = get_visible_or_404(EnterpriseContract, request.user, pk=contract_id)
    try:
        up_to = services.month_end(services.parse_month(request.GET.get("month")))
    except ValidationError:
        up_to = timezone.localdate()
    return HttpResponse(services.chart_svg(contract, up_to), content_type="image/svg+xml")
