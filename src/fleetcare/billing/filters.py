"""The money documents' filters, shared by the billing page and ``GET /api/v1/documents``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Field

from fleetcare.core.keyset import Sort, Sorts
from fleetcare.core.lists import DbId, ListFilter

from .models import DocumentKind, DocumentPurpose, DocumentStatus

# Each order is an index of billing_document ending in id.
DOCUMENT_SORTS = Sorts(
    Sort("-created", _("Created"), ("-created_at", "-id")),
    Sort("created", _("Created"), ("created_at", "id")),
)


class DocumentFilter(ListFilter):
    kind: DocumentKind | None = Field(None, description="quote, order, invoice or credit_note")
    status: DocumentStatus | None = Field(None, description="draft, issued, paid or void")
    purpose: DocumentPurpose | None = Field(None, description="e.g. daas_monthly_invoice")
    programme: str | None = Field(None, description="a programme code")
    account_id: DbId | None = None

    labels = {
        "kind": _("Kind"),
        "status": _("Status"),
        "purpose": _("Purpose"),
        "programme": _("Programme"),
        "account_id": _("Account"),
    }
