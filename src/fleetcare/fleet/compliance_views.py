"""The firmware compliance page and its chart (R-SW-1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from ninja import Field

from fleetcare.catalog.models import ProductModel
from fleetcare.core.lists import DbId, ListFilter, counted_page, query_without_page
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import scope_of
from fleetcare.organisations.models import Organisation, OrganisationKind

from . import permissions, services
from .models import Device, DeviceStatus
from .services.compliance import chart_svg

ACCOUNTS_PER_PAGE = 10


class ComplianceFilter(ListFilter):
    """``/fleet/compliance/`` and ``GET /api/v1/fleet/compliance``."""

    account_id: DbId | None = None
    product_model_id: DbId | None = None
    q: str | None = Field(None, max_length=100, description="Account name contains")

    labels = {"account_id": _("Account"), "product_model_id": _("Model"), "q": _("Account")}


def accounts_for(user, account_id: int | None, q: str | None = None):
    """The accounts the reader's compliance covers: its own, or the customers it may see."""
    if scope_of(user).is_customer:
        return Organisation.objects.filter(pk=user.organisation_id)
    active = Device.objects.filter(account_id=OuterRef("pk"), status=DeviceStatus.ACTIVE)
    qs = (
        Organisation.objects.visible_to(user)
        .filter(Exists(active), kind=OrganisationKind.CUSTOMER)
        .order_by("name", "id")
    )
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.filter(pk=account_id) if account_id else qs


def _compute(request):
    require(request.user, permissions.can_view_fleet, None, _("You have no fleet to see."))
    filters, errors = ComplianceFilter.from_query(request.GET)
    page = counted_page(
        accounts_for(request.user, filters.account_id, filters.q).only("id", "name"),
        request.GET.get("page"),
        per_page=ACCOUNTS_PER_PAGE,
    )
    page.query = query_without_page(request.GET)  # type: ignore[attr-defined]
    result = services.compliance(
        user=request.user,
        account_ids=[a.pk for a in page.object_list],
        product_model_id=filters.product_model_id,
    )
    return filters, errors, page, result


@login_required
def compliance(request):
    filters, errors, page, result = _compute(request)
    for error in errors:
        messages.error(request, error)
    scope = scope_of(request.user)
    return render(
        request,
        "fleet/compliance.html",
        {
            "filters": filters,
            "page_obj": page,
            "result": result,
            "query": request.GET.urlencode(),
            "choose_account": not scope.is_customer,
            "models": ProductModel.objects.visible_to(request.user)
            .filter(firmware_releases__isnull=False)
            .distinct()
            .order_by("name")
            .only("id", "name", "sku"),
            "show_account": not scope.is_customer,
        },
    )


@login_required
@cache_control(private=True, max_age=300)
def compliance_chart(request):
    """The page's chart as SVG (an <img>), for the same filters and page."""
    _filters, _errors, _page, result = _compute(request)
    return HttpResponse(chart_svg(result), content_type="image/svg+xml")
