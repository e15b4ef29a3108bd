"""PDF rendering of money documents (WeasyPrint, from the same HTML template).

One language per document: the recipient's (``billing.services.language_of``), the one
its stored lines were written in, so headings and lines never mix languages."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from .models import Document

# Extra context per purpose (e.g. the DaaS partner invoice's device annex): purpose →
# callable(document) → dict. Registered by the app that raises the document.
PDF_CONTEXT: dict[str, Any] = {}


def render_document_html(document: Document, language: str | None = None) -> str:
    from .services import language_of

    extra = PDF_CONTEXT.get(document.purpose)
    with translation.override(language or language_of(document.addressed_to)):
        return render_to_string(
            "billing/document_pdf.html",
            {
                "doc": document,
                "lines": list(document.lines.all()),
                **(extra(document) if extra else {}),
            },
        )


def render_document_pdf(document: Document, language: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_document_html(document, language)).write_pdf()
