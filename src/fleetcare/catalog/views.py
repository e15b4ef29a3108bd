"""Downloads of firmware and documents, behind the entitlement check (R-POR-1).

The file is streamed from the storage (never read whole into memory) with its name,
size and SHA-256; a reader who is not entitled gets a page that says why (403)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from fleetcare.core.tenancy import get_visible_or_404

from . import services
from .models import FirmwareRelease, ProductDocument, StoredFile


def file_response(download: services.Download) -> FileResponse:
    response = FileResponse(download.handle, as_attachment=True, filename=download.name)
    response["Content-Length"] = str(download.size)
    response["X-Content-SHA256"] = download.sha256
    response["Cache-Control"] = "private, no-store"
    return response


def _serve(request, obj: StoredFile):
    try:
        download = services.open_download(actor=request.user, obj=obj)
    except services.NotEntitled as exc:
        return render(
            request,
            "catalog/not_entitled.html",
            {
                "object": obj,
                "model": obj.product_model,
                "reason": str(exc),  # type: ignore[attr-defined]
                "code": exc.decision.reason,
            },
            status=403,
        )
    except FileNotFoundError as exc:
        raise Http404("This record has no file to download.") from exc
    return file_response(download)


@login_required
def firmware_download(request, pk: int):
    release = get_visible_or_404(
        FirmwareRelease.objects.select_related("product_model"), request.user, pk=pk
    )
    return _serve(request, release)


@login_required
def document_download(request, pk: int):
    document = get_visible_or_404(
        ProductDocument.objects.select_related("product_model"), request.user, pk=pk
    )
    return _serve(request, document)
