"""Billing pages: documents, their PDF, and the flagged over-threshold charges."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fleetcare.core.currency import format_money
from fleetcare.core.keyset import BadListQuery, keyset_page
from fleetcare.core.list_exports import export_list
from fleetcare.core.tenancy import get_visible_or_404

from . import permissions, services
from .filters import DOCUMENT_SORTS, DocumentFilter
from .models import Document, DocumentKind, DocumentPurpose, DocumentStatus
from .pdf import render_document_pdf

FILTERS = {
    "kind": DocumentKind.choices,
    "status": DocumentStatus.choices,
    "purpose": DocumentPurpose.choices,
}


def _is_billing(user) -> bool:
    return permissions.can_bill(user)


def _document_list_qs(user, filters):  # type: ignore[no-untyped-def]
    return filters.filter(
        Document.objects.visible_to(user).select_related("account", "addressed_to")
    )


@login_required
def document_export(request):
    """The documents as filtered and sorted, CSV or XLSX: the total as a number with its
    currency, and written out in that currency for the reader's language."""
    filters, _errors = DocumentFilter.from_query(request.GET)
    try:
        sort = DOCUMENT_SORTS.get(request.GET.get("order"))
    except BadListQuery:
        sort = DOCUMENT_SORTS.default
    columns = [
        (_("Number"), lambda d: d.number or _("(draft)")),
        (_("Kind"), lambda d: d.get_kind_display()),
        (_("Title"), lambda d: d.title),
        (_("Account"), lambda d: d.account.name),
        (_("Addressed to"), lambda d: d.addressed_to.name),
        (_("Status"), lambda d: d.get_status_display()),
        (_("Issued on"), lambda d: d.issued_on),
        (_("Total"), lambda d: d.total),
        (_("Currency"), lambda d: d.currency),
        (_("Total (written)"), lambda d: format_money(d.total, d.currency)),
    ]
    qs = _document_list_qs(request.user, filters)
    return export_list(qs, sort, columns, name="documents", fmt=request.GET.get("format"))


@login_required
def document_list(request):
    filters, errors = DocumentFilter.from_query(request.GET)
    qs = _document_list_qs(request.user, filters)
    page, problems = keyset_page(request, qs, DOCUMENT_SORTS)
    for error in [*errors, *problems]:
        messages.error(request, error)
    selected = {name: getattr(filters, name) for name in FILTERS if getattr(filters, name)}
    flagged = None
    if _is_billing(request.user):
        from fleetcare.replacements.models import ReplacementOrder, ThresholdDecision

        flagged = (
            ReplacementOrder.objects.visible_to(request.user)
            .filter(threshold_flag=True, threshold_decision=ThresholdDecision.PENDING)
            .select_related("account", "partner", "product_model")
            .order_by("requested_at")[:50]
        )
    return render(
        request,
        "billing/list.html",
        {
            "page_obj": page,
            "filters": FILTERS,
            "selected": selected,
            "flagged": flagged,
        },
    )


@login_required
def document_detail(request, pk: int):
    doc = get_visible_or_404(
        Document.objects.select_related("account", "addressed_to", "credits"), request.user, pk=pk
    )
    return render(
        request,
        "billing/detail.html",
        {
            "doc": doc,
            "lines": list(doc.lines.all()),
            # The lines and notes are written in the recipient's language (marked so).
            "document_language": services.language_of(doc.addressed_to),
            "is_billing": _is_billing(request.user),
            "credit_notes": doc.credit_notes.all(),
        },
    )


@login_required
@require_POST
def document_action(request, pk: int, action: str):
    doc = get_visible_or_404(Document, request.user, pk=pk)
    try:
        result = services.billing_action(
            doc, actor=request.user, action=action, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
        return redirect("billing:document_detail", pk=pk)
    messages.success(request, _("%(doc)s: done.") % {"doc": result})
    return redirect("billing:document_detail", pk=result.pk)


@login_required
def document_pdf(request, pk: int):
    doc = get_visible_or_404(Document, request.user, pk=pk)
    body = render_document_pdf(doc)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{doc.number or f"draft-{doc.pk}"}.pdf"'
    )
    return response
