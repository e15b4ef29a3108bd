"""Import pages: upload → preview (devices added, updated, retired; a required tick when a
full inventory retires more than the warning share) → confirm; history, progress, the
error report; the fleet export in the import's own columns."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fleetcare.core.lists import paginate
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation

from . import importing, services
from .filters import ImportFilter
from .forms import ImportForm
from .models import InventorySnapshot
from .views import _account_of, _require_fleet_viewer

SESSION_KEY = "fleet_import_previews"


def _preview_page(request, preview, item, token, status=200, confirm_error=""):
    return render(
        request,
        "fleet/import_preview.html",
        {
            "preview": preview,
            "token": token,
            "account": item["account_obj"],
            "as_of": item.get("as_of_date"),
            "file_name": item["name"],
            "confirm_error": confirm_error,
        },
        status=status,
    )


@login_required
def import_upload(request):
    """Upload → preview of what will change (or the bad rows) → confirm."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account = _account_of(form, request.user)
        services.require_fleet_manager(request.user, account)
        upload = form.cleaned_data["file"]
        mode = form.cleaned_data["mode"]
        try:
            services._check_file_name(upload.name)
        except ValidationError as exc:
            form.add_error("file", exc.message_dict["file"])
            return render(request, "fleet/import_upload.html", {"form": form})
        path = services.store_upload(upload)
        as_of = form.cleaned_data["as_of"] or timezone.localdate()
        try:
            preview = services.preview_file(
                actor=request.user,
                account=account,
                path=path,
                file_name=upload.name,
                as_of=as_of,
                mode=mode,
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
                "mode": mode,
                "warn": preview.needs_retire_confirmation,
            }
            request.session[SESSION_KEY] = pending
        else:
            services.discard_upload(path)
        item = {"account_obj": account, "as_of_date": as_of, "name": upload.name}
        return _preview_page(request, preview, item, token, 422 if preview.errors else 200)
    return render(request, "fleet/import_upload.html", {"form": form})


def _refused_confirmation(request, item, token, account, as_of):
    """The preview again, its file kept, with the tick asked for (nothing was saved)."""
    preview = services.preview_file(
        actor=request.user,
        account=account,
        path=item["path"],
        file_name=item["name"],
        as_of=as_of,
        mode=item["mode"],
    )
    page = {"account_obj": account, "as_of_date": as_of, "name": item["name"]}
    return _preview_page(
        request,
        preview,
        page,
        token,
        status=422,
        confirm_error=_(
            "Tick the box to confirm that these devices are retired, or import the file "
            "in add-or-update mode."
        ),
    )


@login_required
@require_POST
def import_confirm(request):
    pending = request.session.get(SESSION_KEY, {})
    token = request.POST.get("token", "")
    item = pending.get(token)
    if item is None:
        messages.error(request, _("That preview has expired: upload the file again."))
        return redirect("fleet:import")
    account = get_visible_or_404(Organisation, request.user, pk=item["account"])
    as_of = date.fromisoformat(item["as_of"])
    ticked = request.POST.get("confirm_retire") in ("on", "true", "1")
    if item.get("warn") and not ticked:
        return _refused_confirmation(request, item, token, account, as_of)
    try:
        outcome = services.import_file(
            actor=request.user,
            account=account,
            path=item["path"],
            file_name=item["name"],
            as_of=as_of,
            mode=item.get("mode", "full"),
            confirm_retire=ticked,
            keep_file=True,
        )
    except services.RetireNotConfirmed:  # the fleet changed since the preview
        item["warn"] = True
        request.session[SESSION_KEY] = pending
        return _refused_confirmation(request, item, token, account, as_of)
    except services.BrokerUnavailable:
        _forget(request, pending, token, item)
        messages.error(
            request, _("The import queue is not available: nothing was saved. Try again later.")
        )
        return redirect("fleet:import")
    except importing.ImportRejected as exc:
        _forget(request, pending, token, item)
        preview = services.Preview(
            0, list(exc.errors), error_total=exc.total, report=getattr(exc, "report", None)
        )
        page = {"account_obj": account, "name": item["name"]}
        return _preview_page(request, preview, page, "", status=422)
    _forget(request, pending, token, item if not outcome.background else None)
    if outcome.duplicate:
        messages.info(request, _("This file was already imported: nothing changed."))
    elif not outcome.background:
        messages.success(request, _("The inventory is imported."))
    return redirect("fleet:import_detail", pk=outcome.snapshot.pk)


def _forget(request, pending, token, item) -> None:
    """The preview is used: drop it (and its file, unless a background import reads it)."""
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if item is not None:
        services.discard_upload(item["path"])


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
        InventorySnapshot.objects.select_related("account", "error_report").prefetch_related(
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


@login_required
@require_GET
def error_report(request, pk: int):
    """Every problem of a refused import, as CSV in the reader's language (same tenant)."""
    report, chunks = services.report_csv(actor=request.user, report_id=pk)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-errors-{report.pk}.csv"'
    return response


@login_required
@require_GET
def export(request):
    """The devices of the list (same filters) in the import's columns: CSV or XLSX."""
    fmt = request.GET.get("format", "csv")
    if fmt not in services.EXPORT_FORMATS:
        fmt = "csv"
    return export_response(services.export_devices(actor=request.user, query=request.GET, fmt=fmt))


def export_response(result) -> HttpResponse:
    """A streamed download of a fleet export (the portal and the API)."""
    if result.file is not None:
        response: HttpResponse = FileResponse(result.file, content_type=result.content_type)
    else:
        response = StreamingHttpResponse(result.chunks, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.file_name}"'
    return response
