"""Money-document use cases: create a draft, issue (gapless number), pay, void, credit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fleetcare.core.changelog import changelog, log_change
from fleetcare.core.messages import Message
from fleetcare.core.permissions import require
from fleetcare.rules.money import round_money

from . import titles
from .models import (
    SERIES_PREFIX,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentStatus,
    NumberSeries,
)
from .permissions import BILLING_ROLES, can_bill  # noqa: F401  (BILLING_ROLES re-exported)
from .signals import document_issued


@dataclass(frozen=True)
class LineSpec:
    """One line of a document; ``description`` is a :class:`Message` (stored as its code
    and parameters, written in the reader's language when shown) or a typed text."""

    description: str | Message
    quantity: Decimal | int
    unit_price: Decimal
    factor: Decimal = Decimal(1)
    sku: str = ""

    @property
    def amount(self) -> Decimal:
        """R-MON-1: half up to the cent at line level."""
        return round_money(Decimal(self.quantity) * Decimal(self.unit_price) * Decimal(self.factor))


def _as_issued(text: str | Message) -> tuple[str, str, dict[str, Any]]:
    """(text in the active language, code, parameters) of a title, note or line: a
    :class:`Message` keeps its code for readers of other languages; a typed text has none."""
    if isinstance(text, Message):
        return str(text), text.code, text.params
    return str(text), "", {}


def language_of(organisation: Any) -> str:
    """The language documents addressed to ``organisation`` are written in (its
    ``language`` when the site offers it, else the site default)."""
    code = (getattr(organisation, "language", "") or "").strip()
    offered = {lang for lang, _name in settings.LANGUAGES}
    return code if code in offered else settings.LANGUAGE_CODE


def in_language_of(organisation: Any) -> translation.override:
    """``with in_language_of(org):`` — texts stored on a document (title, lines, notes)
    are generated in the language of the organisation that receives it."""
    return translation.override(language_of(organisation))


def tax_rate_for(customer: Any) -> Decimal:
    """The tax rate (percent) of a document: the one place it is decided.

    The rate is the **customer's**: the country of the document's account (the
    organisation billed for it: the P+E customer, or the partner on its DaaS monthly
    invoice), from the setting TAX_RATES; never the recipient's. A quote addressed to a
    French distributor on behalf of a German customer is taxed at the German rate, like
    every other document of that customer. ``customer`` may be an organisation or an
    ISO country code."""
    country = customer if isinstance(customer, str) else (customer.country or "")
    return Decimal(str(settings.TAX_RATES.get(country.upper(), "0")))


@transaction.atomic
def create_document(
    *,
    kind: str,
    purpose: str,
    account: Any,
    addressed_to: Any | None = None,
    currency: str,
    title: str | Message,
    lines: list[LineSpec],
    programme: str = "",
    actor: Any = None,
    source_key: str | None = None,
    tax_rate: Decimal | None = None,
    notes: str | Message = "",
    period: tuple[date, date] | None = None,
    credits: Document | None = None,
) -> Document:
    """A draft document. With ``source_key``, raising the same thing twice returns the first."""
    if source_key:
        existing = Document.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    if not lines:
        raise ValidationError({"lines": _("A document needs at least one line.")})
    recipient = addressed_to or account
    with in_language_of(recipient):  # the texts as issued, in the recipient's language
        title, title_code, title_params = _as_issued(title)
        notes, notes_code, notes_params = _as_issued(notes)
        texts = [_as_issued(spec.description) for spec in lines]
    doc = Document.objects.create(
        kind=kind,
        purpose=purpose,
        programme=programme,
        account=account,
        addressed_to=recipient,
        currency=currency,
        tax_rate=tax_rate if tax_rate is not None else tax_rate_for(account),
        title=title[:200],
        title_code=title_code,
        title_params=title_params,
        notes=notes,
        notes_code=notes_code,
        notes_params=notes_params,
        source_key=source_key,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        credits=credits,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    DocumentLine.objects.bulk_create(
        DocumentLine(
            document=doc,
            position=i,
            description=texts[i - 1][0][:300],
            text_code=texts[i - 1][1],
            text_params=texts[i - 1][2],
            sku=spec.sku,
            quantity=Decimal(spec.quantity),
            unit_price=spec.unit_price,
            factor=spec.factor,
            amount=spec.amount,
        )
        for i, spec in enumerate(lines, start=1)
    )
    doc.recompute_totals()
    doc.save(update_fields=["subtotal", "tax_amount", "total"])
    log_change(doc, "document.created", actor=actor)
    return doc


def _take_number(kind: str) -> str:
    """Next number of the kind's series, under a row lock: gapless and unique."""
    prefix = SERIES_PREFIX[DocumentKind(kind)]
    NumberSeries.objects.get_or_create(code=kind, defaults={"prefix": prefix})
    series = NumberSeries.objects.select_for_update().get(code=kind)
    number = series.next_number
    series.next_number = number + 1
    series.save(update_fields=["next_number"])
    return f"{series.prefix}-{number:06d}"


@transaction.atomic
def issue_document(document: Document, *, actor: Any = None, on: date | None = None) -> Document:
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.status != DocumentStatus.DRAFT:
        raise ValidationError(
            _("%(doc)s is %(status)s; only a draft can be issued.")
            % {"doc": doc, "status": doc.get_status_display().lower()}
        )
    with changelog(doc, "document.issued", actor=actor):
        doc.number = _take_number(doc.kind)
        doc.status = DocumentStatus.ISSUED
        doc.issued_on = on or timezone.localdate()
        if doc.kind == DocumentKind.INVOICE and doc.due_on is None:
            doc.due_on = doc.issued_on + timedelta(days=30)
        doc.save()
    document_issued.send(sender=Document, document=doc, actor=actor)
    return doc


@transaction.atomic
def mark_paid(document: Document, *, actor: Any = None) -> Document:
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if (
        doc.kind not in (DocumentKind.INVOICE, DocumentKind.ORDER)
        or doc.status != DocumentStatus.ISSUED
    ):
        raise ValidationError(
            _("%(doc)s cannot be marked paid: only an issued invoice or order can.") % {"doc": doc}
        )
    with changelog(doc, "document.paid", actor=actor):
        doc.status = DocumentStatus.PAID
        doc.save(update_fields=["status", "updated_at"])
    return doc


@transaction.atomic
def void_document(document: Document, *, actor: Any = None, reason: str = "") -> Document:
    """A draft, quote or order may be voided. An issued invoice never is: credit it instead."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.status == DocumentStatus.VOID:
        raise ValidationError(_("%(doc)s is already void.") % {"doc": doc})
    if (
        doc.kind in (DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE)
        and doc.status != DocumentStatus.DRAFT
    ):
        raise ValidationError(
            _("%(doc)s is issued: an issued invoice is never changed; raise a credit note instead.")
            % {"doc": doc}
        )
    with changelog(doc, "document.voided", actor=actor):
        doc.status = DocumentStatus.VOID
        if reason:
            with in_language_of(doc.addressed_to):
                note = _("Void: %(reason)s") % {"reason": reason}
                if doc.notes_code:  # the notes become one text, as issued, with the reason
                    doc.notes, doc.notes_code, doc.notes_params = doc.display_notes, "", {}
            doc.notes = (doc.notes + "\n" if doc.notes else "") + note
        doc.save(update_fields=["status", "notes", "notes_code", "notes_params", "updated_at"])
    return doc


@transaction.atomic
def credit_invoice(invoice: Document, *, actor: Any = None, reason: str = "") -> Document:
    """A credit note for the whole of an issued invoice, issued at once."""
    inv = Document.objects.select_for_update().get(pk=invoice.pk)
    if inv.kind != DocumentKind.INVOICE or inv.status not in (
        DocumentStatus.ISSUED,
        DocumentStatus.PAID,
    ):
        raise ValidationError(
            _("%(doc)s is not an issued invoice; only those are credited.") % {"doc": inv}
        )
    if inv.credit_notes.exclude(status=DocumentStatus.VOID).exists():
        raise ValidationError(_("%(doc)s has already been credited.") % {"doc": inv})
    lines = [
        LineSpec(
            Message(line.text_code, line.text_params) if line.text_code else line.description,
            -line.quantity,
            line.unit_price,
            line.factor,
            line.sku,
        )
        for line in inv.lines.all()
    ]
    title = titles.CREDIT_NOTE.message(number=inv.number)
    note = create_document(
        kind=DocumentKind.CREDIT_NOTE,
        purpose="correction",
        programme=inv.programme,
        account=inv.account,
        addressed_to=inv.addressed_to,
        currency=inv.currency,
        title=title,
        lines=lines,
        actor=actor,
        tax_rate=inv.tax_rate,
        notes=reason,
        credits=inv,
    )
    return issue_document(note, actor=actor)


def require_billing(user: Any) -> None:
    require(user, can_bill, None, _("Only billing may do this."))


# --- Billing staff actions (portal and API) --------------------------------------------

BILLING_ACTIONS = ("issue", "pay", "void", "credit")


def billing_action(document: Document, *, actor: Any, action: str, reason: str = "") -> Document:
    """What billing does to a document from the portal or the API: issue, mark paid, void
    (drafts, quotes, orders) or credit (issued invoices). Returns the document acted on
    (for ``credit``, the new credit note)."""
    require_billing(actor)
    if action == "issue":
        return issue_document(document, actor=actor)
    if action == "pay":
        return mark_paid(document, actor=actor)
    if action == "void":
        return void_document(document, actor=actor, reason=reason)
    if action == "credit":
        return credit_invoice(document, actor=actor, reason=reason)
    raise ValidationError(
        {
            "action": [
                _("Unknown action %(action)s; one of %(actions)s.")
                % {"action": repr(action), "actions": ", ".join(BILLING_ACTIONS)}
            ]
        }
    )
