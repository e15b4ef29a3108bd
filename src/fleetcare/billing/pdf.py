"""PDF rendering of money documents (WeasyPrint, from the same HTML template)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from .models import Document


def render_document_html(document: Document, language: str = "en") -> str:
    with translation.override(language):
        return render_to_string(
            "billing/document_pdf.html",
            {"doc": document, "lines": list(document.lines.all())},
        )


def render_document_pdf(document: Document, language: str = "en") -> bytes:
    from weasyprint import HTML

    return HTML(string=render_document_html(document, language)).write_pdf()
