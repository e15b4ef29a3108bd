"""Fleet pages: devices with coverage, register a product, import with preview and progress."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fleetcare.core.keyset import keyset_page
from fleetcare.core.lists import paginate
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.organisations.models import Organisation

from . import importing, permissions, services
from .filters import DEVICE_SORTS, DeviceFilter, ImportFilter
from .forms import DeviceFilterForm, ImportForm, RegisterForm
from .models import Device, InventorySnapshot

SESSION_KEY = "fleet_import_previews"


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
    qs = filters.filter(
        Device.objects.visible_to(request.user).select_related(
            "account", "site", "product_model__category"
        )
    )
    # Keyset pages in an indexed order: the same cost on page 1 and page 20,000.
    page, problems = keyset_page(request, qs, DEVICE_SORTS)
    for problem in problems:
        messages.error(request, problem)
    today = timezone.localdate()
    devices = list(page.object_list)
    coverage = services.coverage_for_many(devices, today) if devices else {}
    for dev in devices:
        dev.coverage = coverage[dev.pk]
    return render(
        request,
        "fleet/device_list.html",
        {
            "form": form,
            "page_obj": page,
            "devices": devices,
            "may_manage": permissions.can_manage_fleet(request.user),
            "show_account": not scope_of(request.user).is_customer,
        },
    )


@login_required
def device_detail(request, pk: int):
    device = get_visible_or_404(
        Device.objects.select_related("account", "site", "product_model__category"),
        request.user,
        pk=pk,
    )
    coverage = services.coverage_for(device, timezone.localdate())
    return render(request, "fleet/device_detail.html", {"device": device, "coverage": coverage})


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


@login_required
def import_upload(request):
    """Upload → preview of what will change (or every bad row) → confirm."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account = _account_of(form, request.user)
        services.require_fleet_manager(request.user, account)
        upload = form.cleaned_data["file"]
        try:
            services._check_file_name(upload.name)
        except ValidationError as exc:
            form.add_error("file", exc.message_dict["file"])
            return render(request, "fleet/import_upload.html", {"form": form})
        path = services.store_upload(upload)
        as_of = form.cleaned_data["as_of"] or timezone.localdate()
        try:
            preview = services.preview_file(
                actor=request.user, account=account, path=path, file_name=upload.name, as_of=as_of
            )
        except ValidationError as exc:
            services.discard_upload(path)
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
            return render(request, "fleet/import_upload.html", {"form": form})
        token = ""
        if not preview.errors and preview.duplicate is None:
            token = uuid.uuid4().hex
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {
                "path": str(path),
                "account": account.pk,
                "as_of": as_of.isoformat(),
                "name": upload.name,
            }
            request.session[SESSION_KEY] = pending
        else:
            services.discard_upload(path)
        return render(
            request,
            "fleet/import_preview.html",
            {
                "preview": preview,
                "token": token,
                "account": account,
                "as_of": as_of,
                "file_name": upload.name,
            },
            status=422 if preview.errors else 200,
        )
    return render(request, "fleet/import_upload.html", {"form": form})


@login_required
@require_POST
def import_confirm(request):
    from datetime import date

    pending = request.session.get(SESSION_KEY, {})
    item = pending.pop(request.POST.get("token", ""), None)
    request.session[SESSION_KEY] = pending
    if item is None:
        messages.error(request, _("That preview has expired: upload the file again."))
        return redirect("fleet:import")
    account = get_visible_or_404(Organisation, request.user, pk=item["account"])
    try:
        outcome = services.import_file(
            actor=request.user,
            account=account,
            path=item["path"],
            file_name=item["name"],
            as_of=date.fromisoformat(item["as_of"]),
        )
    except services.BrokerUnavailable:
        messages.error(
            request, _("The import queue is not available: nothing was saved. Try again later.")
        )
        return redirect("fleet:import")
    except importing.ImportRejected as exc:
        return render(
            request,
            "fleet/import_preview.html",
            {
                "preview": services.Preview(0, exc.errors),
                "token": "",
                "account": account,
                "file_name": item["name"],
            },
            status=422,
        )
    if outcome.duplicate:
        messages.info(request, _("This file was already imported: nothing changed."))
    elif not outcome.background:
        messages.success(request, _("The inventory is imported."))
    return redirect("fleet:import_detail", pk=outcome.snapshot.pk)


def import_template(request):
    response = HttpResponse(importing.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="fleet-import-template.csv"'
    return response


@login_required
def import_list(request):
    _require_fleet_viewer(request.user)
    filters, errors = ImportFilter.from_query(request.GET)
    for error in errors:
        messages.error(request, error)
    qs = filters.filter(
        InventorySnapshot.objects.visible_to(request.user).select_related("account")
    )
    page = paginate(request, qs.order_by("-as_of", "-id"))
    return render(request, "fleet/import_list.html", {"page_obj": page})


def _snapshot(request, pk: int) -> InventorySnapshot:
    return get_visible_or_404(
        InventorySnapshot.objects.select_related("account").prefetch_related(
            "counts__product_model", "counts__category"
        ),
        request.user,
        pk=pk,
    )


@login_required
def import_detail(request, pk: int):
    return render(request, "fleet/import_detail.html", {"snapshot": _snapshot(request, pk)})


@login_required
def import_progress(request, pk: int):
    """The htmx-polled fragment; stops polling (286) once the import has finished."""
    snapshot = _snapshot(request, pk)
    response = render(request, "fleet/_import_status.html", {"snapshot": snapshot})
    if not snapshot.in_progress and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response
