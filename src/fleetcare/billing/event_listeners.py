"""E-mails when a quote is issued or a charge raised (issued), on the same event as the
webhooks (``document.issued``): to the people who act for the organisation it is
addressed to, each in their own language."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fleetcare.core.emails import absolute, admins_of, send_to
from fleetcare.webhooks.events import listener

from .models import Document, DocumentKind, DocumentPurpose

CHARGES = {DocumentPurpose.UNRETURNED_UNIT_CHARGE, DocumentPurpose.THRESHOLD_CHARGE}


@listener("document.issued")
def email_document(event: str, organisation_ids: list[int], payload: dict[str, Any]) -> None:
    doc = Document.objects.select_related("addressed_to").filter(pk=payload["document_id"]).first()
    if doc is None:
        return
    if doc.kind == DocumentKind.QUOTE:
        template = "billing/email/quote_issued"
    elif doc.purpose in CHARGES:
        template = "billing/email/charge_raised"
    else:
        return
    url = absolute(reverse("billing:document_detail", args=[doc.pk]))
    send_to(admins_of([doc.addressed_to_id]), template, {"doc": doc, "url": url})
