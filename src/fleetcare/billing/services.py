"""Money-document use cases: create a draft, issue (gapless number), pay, void, credit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from fleetcare.core.models import log_change, snapshot
from fleetcare.rules.calendars import month_end, month_start, next_month_start, previous_month_end
from fleetcare.rules.daas import month_share, monthly_fee
from fleetcare.rules.money import round_money

from .models import (
    SERIES_PREFIX,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentStatus,
    NumberSeries,
)
from .signals import document_issued

BILLING_ROLES = {"billing", "vendor_admin"}


@dataclass(frozen=True)
class LineSpec:
    description: str
    quantity: Decimal | int
    unit_price: Decimal
    factor: Decimal = Decimal(1)
    sku: str = ""

    @property
    def amount(self) -> Decimal:
        """R-MON-1: half up to the cent at line level."""
        return round_money(Decimal(self.quantity) * Decimal(self.unit_price) * Decimal(self.factor))


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


def tax_rate_for(country: str) -> Decimal:
    """The tax rate (percent) for a customer country: a setting (TAX_RATES)."""
    return Decimal(str(settings.TAX_RATES.get(country.upper(), "0")))


@transaction.atomic
def create_document(
    *,
    kind: str,
    purpose: str,
    account: Any,
    addressed_to: Any | None = None,
    currency: str,
    title: str,
    lines: list[LineSpec],
    programme: str = "",
    actor: Any = None,
    source_key: str | None = None,
    tax_rate: Decimal | None = None,
    notes: str = "",
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
    doc = Document.objects.create(
        kind=kind,
        purpose=purpose,
        programme=programme,
        account=account,
        addressed_to=recipient,
        currency=currency,
        tax_rate=tax_rate if tax_rate is not None else tax_rate_for(recipient.country),
        title=title,
        notes=notes,
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
            description=spec.description,
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
    log_change(doc, "document.created", actor)
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
def issue_document(document: Document, actor: Any = None, on: date | None = None) -> Document:
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.status != DocumentStatus.DRAFT:
        raise ValidationError(
            _("%(doc)s is %(status)s; only a draft can be issued.")
            % {"doc": doc, "status": doc.get_status_display().lower()}
        )
    before = snapshot(doc)
    doc.number = _take_number(doc.kind)
    doc.status = DocumentStatus.ISSUED
    doc.issued_on = on or timezone.localdate()
    if doc.kind == DocumentKind.INVOICE and doc.due_on is None:
        doc.due_on = doc.issued_on + timedelta(days=30)
    doc.save()
    log_change(doc, "document.issued", actor, before=before)
    document_issued.send(sender=Document, document=doc, actor=actor)
    return doc


@transaction.atomic
def mark_paid(document: Document, actor: Any = None) -> Document:
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if (
        doc.kind not in (DocumentKind.INVOICE, DocumentKind.ORDER)
        or doc.status != DocumentStatus.ISSUED
    ):
        raise ValidationError(
            _("%(doc)s cannot be marked paid: only an issued invoice or order can.") % {"doc": doc}
        )
    before = snapshot(doc)
    doc.status = DocumentStatus.PAID
    doc.save(update_fields=["status", "updated_at"])
    log_change(doc, "document.paid", actor, before=before)
    return doc


@transaction.atomic
def void_document(document: Document, actor: Any = None, reason: str = "") -> Document:
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
    before = snapshot(doc)
    doc.status = DocumentStatus.VOID
    if reason:
        with in_language_of(doc.addressed_to):
            note = _("Void: %(reason)s") % {"reason": reason}
        doc.notes = (doc.notes + "\n" if doc.notes else "") + note
    doc.save(update_fields=["status", "notes", "updated_at"])
    log_change(doc, "document.voided", actor, before=before)
    return doc


@transaction.atomic
def credit_invoice(invoice: Document, actor: Any = None, reason: str = "") -> Document:
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
        LineSpec(line.description, -line.quantity, line.unit_price, line.factor, line.sku)
        for line in inv.lines.all()
    ]
    with in_language_of(inv.addressed_to):
        title = _("Credit note for %(number)s") % {"number": inv.number}
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
    return issue_document(note, actor)


def require_billing(user: Any) -> None:
    if not (getattr(user, "is_superuser", False) or getattr(user, "role", None) in BILLING_ROLES):
        raise PermissionDenied(_("Only billing may do this."))


# --- Options and professional services (R-PE-8, R-MON-2) ------------------------------

# Prices of the paid P+E options, per contract year, in the contract's currency. Data, not
# code: override with the setting BILLING_OPTION_PRICES (same keys).
DEFAULT_OPTION_PRICES = {
    "extra_csm_block": Decimal("9600.00"),  # one block = 8 hours a month for a year
    "technical_account_management": Decimal("30000.00"),
    "onsite_destruction": Decimal("1500.00"),
    "professional_services_hour": Decimal("180.00"),
}


def option_prices() -> dict[str, Decimal]:
    prices = dict(DEFAULT_OPTION_PRICES)
    for key, value in getattr(settings, "BILLING_OPTION_PRICES", {}).items():
        prices[key] = Decimal(str(value))
    return prices


def _recipient(contract: Any) -> Any:
    """R-MON-2: P+E documents go to the distribution partner on behalf of the customer."""
    return contract.distribution_partner or contract.account


@transaction.atomic
def raise_options_order(contract: Any, actor: Any = None) -> Document:
    """A draft order for the paid options of a P+E contract's term (extra CSM blocks,
    technical account management, on-site destruction). Idempotent per contract."""
    require_billing(actor)
    prices = option_prices()
    term = {"start": contract.start_date, "end": contract.end_date}
    recipient = _recipient(contract)
    lines = []
    with in_language_of(recipient):
        title = _("Paid options — %(reference)s") % {"reference": contract.reference}
        csm_text = _("Extra CSM blocks (8 hours a month each), %(start)s – %(end)s") % term
        tam_text = _("Technical account management, %(start)s – %(end)s") % term
        destruction_text = _("On-site destruction of replaced units, %(start)s – %(end)s") % term
    if contract.extra_csm_blocks:
        lines.append(
            LineSpec(
                csm_text,
                contract.extra_csm_blocks,
                prices["extra_csm_block"],
                sku="OPT-CSM-BLOCK",
            )
        )
    if contract.technical_account_management:
        lines.append(
            LineSpec(
                tam_text,
                1,
                prices["technical_account_management"],
                sku="OPT-TAM",
            )
        )
    if contract.onsite_destruction:
        lines.append(
            LineSpec(
                destruction_text,
                1,
                prices["onsite_destruction"],
                sku="OPT-DESTRUCTION",
            )
        )
    if not lines:
        raise ValidationError(
            _("%(reference)s has no paid options.") % {"reference": contract.reference}
        )
    return create_document(
        kind=DocumentKind.ORDER,
        purpose="options",
        programme="pe",
        account=contract.account,
        addressed_to=recipient,
        currency=contract.currency,
        title=title,
        lines=lines,
        actor=actor,
        source_key=f"options:{contract.pk}",
        period=(contract.start_date, contract.end_date),
    )


@transaction.atomic
def raise_professional_services_quote(
    contract: Any,
    actor: Any,
    *,
    description: str,
    hours: Decimal | int,
    hourly_rate: Decimal | None = None,
) -> Document:
    """A quote for professional services at the contract's discount (R-PE-8)."""
    require_billing(actor)
    errors = {}
    if not description.strip():
        errors["description"] = [_("Describe the professional services.")]
    hours = Decimal(str(hours))
    if hours <= 0:
        errors["hours"] = [_("Hours must be positive.")]
    if errors:
        raise ValidationError(errors)
    rate = hourly_rate if hourly_rate is not None else option_prices()["professional_services_hour"]
    discount = Decimal(contract.professional_services_discount)
    factor = (Decimal(100) - discount) / Decimal(100)
    recipient = _recipient(contract)
    with in_language_of(recipient):
        title = _("Professional services — %(reference)s") % {"reference": contract.reference}
        text = _("%(description)s (contract discount %(discount)s %%)") % {
            "description": description.strip(),
            "discount": discount.normalize(),
        }
    return create_document(
        kind=DocumentKind.QUOTE,
        purpose="professional_services",
        programme="pe",
        account=contract.account,
        addressed_to=recipient,
        currency=contract.currency,
        title=title,
        lines=[
            LineSpec(
                text,
                hours,
                rate,
                factor,
                sku="PS-HOUR",
            )
        ],
        actor=actor,
    )


# --- DaaS monthly partner invoices (R-DS-7) -------------------------------------------


def _previous_month(d: date) -> date:
    return month_start(previous_month_end(d))


def daas_invoice_lines(partner_id: int, month: date) -> dict[str, list[LineSpec]]:
    """Lines per currency: one per device active in ``month``, fee from rules.daas.

    Descriptions are in the active language: the caller chooses the partner's."""
    from fleetcare.daas.models import SubscribedDevice

    first = month_start(month)
    last = month_end(first)
    devices = (
        SubscribedDevice.objects.filter(
            subscription__partner_id=partner_id,
            term_start__lte=last,
            term_end__gte=first,
            # A replaced unit is billed no more: its replacement carries the same term (R-DS-2).
            replaced_by__isnull=True,
        )
        .select_related("subscription", "subscription__customer", "product_model", "device")
        .order_by("subscription__reference", "id")
    )
    out: dict[str, list[LineSpec]] = {}
    for dev in devices:
        fee = monthly_fee(dev.monthly_price, first, dev.term_start, dev.term_end)
        share = month_share(first, dev.term_start, dev.term_end)
        if fee == 0 or share is None:
            continue
        lo, hi, active = share.first_day, share.last_day, share.active_days
        label = (
            f"{dev.subscription.reference} · {dev.subscription.customer.name} · "
            f"{dev.product_model.name} #{dev.device_id or dev.pk}"
        )
        if share.full:
            spec = LineSpec(label, 1, dev.monthly_price, sku=dev.product_model.sku)
        else:
            factor = (Decimal(share.active_days) / Decimal(share.days_in_month)).quantize(
                Decimal("0.00000001")
            )
            spec = LineSpec(
                _("%(label)s (%(start)s – %(end)s, %(active)s/%(days)s days)")
                % {
                    "label": label,
                    "start": lo,
                    "end": hi,
                    "active": active,
                    "days": share.days_in_month,
                },
                1,
                dev.monthly_price,
                factor,
                sku=dev.product_model.sku,
            )
            if spec.amount != fee:  # keep the rule's amount exactly
                spec = LineSpec(spec.description, 1, fee, sku=dev.product_model.sku)
        out.setdefault(dev.subscription.currency, []).append(spec)
    return out


def raise_daas_monthly_invoices(
    month: date, actor: Any = None, issue: bool = True, partner_ids: list[int] | None = None
) -> list[Document]:
    """One invoice per partner for ``month`` (R-DS-7), key ``daas-invoice:<partner>:<YYYY-MM>``.

    Idempotent: a partner-month already invoiced is left as it is.
    """
    from fleetcare.daas.models import Subscription
    from fleetcare.organisations.models import Organisation

    first = month_start(month)
    candidates = (
        Subscription.objects.filter(devices__term_start__isnull=False)
        .values_list("partner_id", flat=True)
        .distinct()
    )
    if partner_ids is not None:
        candidates = candidates.filter(partner_id__in=partner_ids)
    made: list[Document] = []
    for partner in Organisation.objects.filter(pk__in=list(candidates)).order_by("pk"):
        base_key = f"daas-invoice:{partner.pk}:{first:%Y-%m}"
        with in_language_of(partner):
            by_currency = daas_invoice_lines(partner.pk, first)
            title = _("Device-as-a-Service — %(month)s") % {
                "month": formats.date_format(first, "YEAR_MONTH_FORMAT")
            }
        for i, (currency, lines) in enumerate(sorted(by_currency.items())):
            key = base_key if i == 0 else f"{base_key}:{currency}"
            if Document.objects.filter(source_key=key).exists():
                continue
            with transaction.atomic():
                doc = create_document(
                    kind=DocumentKind.INVOICE,
                    purpose="daas_monthly_invoice",
                    programme="daas",
                    account=partner,
                    addressed_to=partner,
                    currency=currency,
                    title=title,
                    lines=lines,
                    actor=actor,
                    source_key=key,
                    period=(first, month_end(first)),
                )
                if issue:
                    doc = issue_document(doc, actor)
            made.append(doc)
    return made


CATCH_UP_MONTHS = 12


def daas_invoices_catch_up(today: date) -> dict[str, int]:
    """Job body: each partner is invoiced for every completed month since its last DaaS
    invoice (the previous month only when it has none), at most a year back."""
    from fleetcare.daas.models import Subscription
    from fleetcare.rules.enterprise import add_months

    month = _previous_month(today)
    floor = add_months(month, 1 - CATCH_UP_MONTHS)
    partner_ids = sorted(
        set(
            Subscription.objects.filter(devices__term_start__isnull=False).values_list(
                "partner_id", flat=True
            )
        )
    )
    last_by_partner = dict(
        Document.objects.filter(purpose="daas_monthly_invoice", addressed_to_id__in=partner_ids)
        .values_list("addressed_to_id")
        .annotate(last=models.Max("period_start"))
        .values_list("addressed_to_id", "last")
    )
    made = 0
    for partner_id in partner_ids:
        last = last_by_partner.get(partner_id)
        cursor = max(next_month_start(last), floor) if last else month
        while cursor <= month:
            made += len(raise_daas_monthly_invoices(cursor, partner_ids=[partner_id]))
            cursor = next_month_start(cursor)
    return {"invoices": made}


# --- Billing staff actions (portal and API) --------------------------------------------

BILLING_ACTIONS = ("issue", "pay", "void", "credit")


def billing_action(document: Document, actor: Any, action: str, reason: str = "") -> Document:
    """What billing does to a document from the portal or the API: issue, mark paid, void
    (drafts, quotes, orders) or credit (issued invoices). Returns the document acted on
    (for ``credit``, the new credit note)."""
    require_billing(actor)
    if action == "issue":
        return issue_document(document, actor)
    if action == "pay":
        return mark_paid(document, actor)
    if action == "void":
        return void_document(document, actor, reason=reason)
    if action == "credit":
        return credit_invoice(document, actor, reason=reason)
    raise ValidationError(
        {
            "action": [
                _("Unknown action %(action)s; one of %(actions)s.")
                % {"action": repr(action), "actions": ", ".join(BILLING_ACTIONS)}
            ]
        }
    )
