"""Fleet pages: devices with coverage, register a product, import with preview and progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.keyset import keyset_page
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.organisations.models import Organisation

from . import permissions, services
from .filters import DEVICE_SORTS, DeviceFilter
from .forms import DeviceFilterForm, RegisterForm
from .models import Device
from .presenters import device_rows

DEVICE_PAGE_ROWS = 20


def _require_fleet_viewer(user) -> None:
    require(user, permissions.can_view_fleet, None, _("You have no fleet to see."))


def _account_of(form, user) -> Organisation:
    if "account" in form.fields:
        return form.cleaned_data["account"]
    return user.organisation


@login_required
def device_list(request):
    _require_fleet_viewer(request.user)
    form = DeviceFilterForm(request.GET or None)
    filters, errors = DeviceFilter.from_query(request.GET)
    for error in errors:
        messages.error(request, error)
    show_account = not scope_of(request.user).is_customer
    # A customer's list has no account column.
    qs = filters.filter(Device.objects.visible_to(request.user).for_list(with_account=show_account))
    # Keyset pages in an indexed order: the same cost on page 1 and page 20,000.
    page, problems = keyset_page(request, qs, DEVICE_SORTS)
    for problem in problems:
        messages.error(request, problem)
    today = timezone.localdate()
    devices = list(page.object_list)
    coverage = services.coverage_for_many(devices, today) if devices else {}
    return render(
        request,
        "fleet/device_list.html",
        {
            "form": form,
            "page_obj": page,
            "devices": devices,
            "rows": device_rows(devices, coverage, show_account=show_account),
            "may_manage": permissions.can_manage_fleet(request.user),
            "show_account": show_account,
        },
    )


@login_required
def device_detail(request, pk: int):
    device = get_visible_or_404(
        Device.objects.select_related("account", "site", "product_model__category"),
        request.user,
        pk=pk,
    )
    from fleetcare.replacements.models import ReplacementOrder
    from fleetcare.support.models import Case

    coverage = services.coverage_for(device, timezone.localdate())
    cases = (
        Case.objects.visible_to(request.user)
        .filter(device=device)
        .order_by("-created_at", "-id")[:DEVICE_PAGE_ROWS]
    )
    orders = (
        ReplacementOrder.objects.visible_to(request.user)
        .filter(Q(faulty_device=device) | Q(replacement_device=device))
        .order_by("-created_at", "-id")[:DEVICE_PAGE_ROWS]
    )
    return render(
        request,
        "fleet/device_detail.html",
        {
            "device": device,
            "coverage": coverage,
            "firmware": services.device_firmware(device),
            "cases": cases,
            "orders": orders,
        },
    )


@login_required
def register(request):
    form = RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.register_device(
                actor=request.user,
                account=_account_of(form, request.user),
                product_model=form.cleaned_data["product_model"],
                serial_number=form.cleaned_data["serial_number"],
                site=form.cleaned_data["site"],
                firmware_version=form.cleaned_data["firmware_version"],
                first_seen_on=form.cleaned_data["first_seen_on"],
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("The device is registered."))
            return redirect("fleet:device_detail", pk=device.pk)
    return render(request, "fleet/register.html", {"form": form})
