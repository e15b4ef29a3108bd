"""DaaS monthly partner invoices (R-DS-7): one per partner and month, pro rata by days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from fleetcare.billing import titles
from fleetcare.billing.models import Document, DocumentKind
from fleetcare.billing.services import (
    LineSpec,
    create_document,
    in_language_of,
    issue_document,
)
from fleetcare.rules.calendars import month_end, month_start, next_month_start, previous_month_end
from fleetcare.rules.daas import month_share, monthly_fee


def _previous_month(d: date) -> date:
    return month_start(previous_month_end(d))


@dataclass(frozen=True)
class BilledDevice:
    """One device's share of a partner's month (R-DS-7): a row of the invoice's annex."""

    currency: str
    customer: str
    subscription: str
    sku: str
    model: str
    identifier: str  # the serial number, else the subscription and device id
    term_start: date
    term_end: date
    first_day: date
    last_day: date
    active_days: int
    days_in_month: int
    unit_price: Decimal
    amount: Decimal

    @property
    def days(self) -> str:
        return f"{self.active_days}/{self.days_in_month}"


def billed_devices(partner_id: int, month: date) -> list[BilledDevice]:
    """Every device of ``partner_id`` active in ``month`` with its fee from rules.daas
    (pro rata by days), sorted by customer, model and identifier."""
    from fleetcare.daas.models import SubscribedDevice

    first = month_start(month)
    last = month_end(first)
    devices = SubscribedDevice.objects.filter(
        subscription__partner_id=partner_id,
        term_start__lte=last,
        term_end__gte=first,
        # A replaced unit is billed no more: its replacement carries the same term (R-DS-2).
        replaced_by__isnull=True,
    ).select_related("subscription", "subscription__customer", "product_model", "device")
    out = []
    for dev in devices:
        fee = monthly_fee(dev.monthly_price, first, dev.term_start, dev.term_end)
        share = month_share(first, dev.term_start, dev.term_end)
        if fee == 0 or share is None:
            continue
        serial = dev.device.serial_number if dev.device_id else None
        out.append(
            BilledDevice(
                currency=dev.subscription.currency,
                customer=dev.subscription.customer.name,
                subscription=dev.subscription.reference,
                sku=dev.product_model.sku,
                model=dev.product_model.name,
                identifier=serial or f"{dev.subscription.reference} #{dev.device_id or dev.pk}",
                term_start=dev.term_start,
                term_end=dev.term_end,
                first_day=share.first_day,
                last_day=share.last_day,
                active_days=share.active_days,
                days_in_month=share.days_in_month,
                unit_price=dev.monthly_price,
                amount=fee,
            )
        )
    out.sort(key=lambda r: (r.customer, r.model, r.sku, r.identifier))
    return out


def _group_key(row: BilledDevice) -> tuple:
    return (row.customer, row.model, row.sku, row.unit_price, row.active_days, row.days_in_month)


def daas_invoice_lines(partner_id: int, month: date) -> dict[str, list[LineSpec]]:
    """Lines per currency, one per customer, model, unit price and days billed (quantity =
    devices): what a partner reconciles against its own billing. Each line's amount is
    the sum of its devices' fees from rules.daas (half up per device, R-MON-1); the
    devices themselves are the invoice's annex (``billed_devices``).

    Descriptions are message codes (billing.titles), written in the reader's language."""
    groups: dict[tuple, list[BilledDevice]] = {}
    for row in billed_devices(partner_id, month):
        groups.setdefault((row.currency, *_group_key(row)), []).append(row)
    out: dict[str, list[LineSpec]] = {}
    for (currency, customer, model, sku, price, active, days), rows in groups.items():
        n = len(rows)
        total = sum((r.amount for r in rows), Decimal(0))
        if active == days:
            text = titles.LINE_DAAS_FULL_MONTH.message(customer=customer, model=model, n=n)
            spec = LineSpec(text, n, price, sku=sku)
        else:
            text = titles.LINE_DAAS_PART_MONTH.message(
                customer=customer, model=model, n=n, active=active, days=days
            )
            factor = (Decimal(active) / Decimal(days)).quantize(Decimal("0.00000001"))
            spec = LineSpec(text, n, price, factor, sku=sku)
        if spec.amount != total:  # keep the rule's per-device amounts exactly
            exact = (total / (n * price)).quantize(Decimal("0.00000001")) if price else Decimal(0)
            spec = LineSpec(spec.description, n, price, exact, sku=sku)
            if spec.amount != total:
                spec = LineSpec(spec.description, 1, total, sku=sku)
        out.setdefault(currency, []).append(spec)
    return out


def pdf_context(document: Document) -> dict[str, Any]:
    """The DaaS partner invoice PDF: lines grouped by customer (with subtotals) and the
    device annex (serial numbers and terms). Recomputed from the subscriptions for the
    document's month; shown only when it adds up to the document (else the plain lines)."""
    if document.period_start is None:
        return {}
    rows = [
        r
        for r in billed_devices(document.addressed_to_id, document.period_start)
        if r.currency == document.currency
    ]
    if sum((r.amount for r in rows), Decimal(0)) != document.subtotal:
        return {}
    by_customer: dict[str, dict[tuple, list[BilledDevice]]] = {}
    for r in rows:
        by_customer.setdefault(r.customer, {}).setdefault(_group_key(r), []).append(r)
    groups = []
    for customer, lines in by_customer.items():
        items = [
            {
                "model": key[1],
                "sku": key[2],
                "quantity": len(devs),
                "unit_price": key[3],
                "days": devs[0].days,
                "amount": sum((d.amount for d in devs), Decimal(0)),
            }
            for key, devs in lines.items()
        ]
        groups.append(
            {
                "customer": customer,
                "lines": items,
                "subtotal": sum((i["amount"] for i in items), Decimal(0)),
            }
        )
    return {"groups": groups, "annex": rows}


def raise_daas_monthly_invoices(
    month: date, *, actor: Any = None, issue: bool = True, partner_ids: list[int] | None = None
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
        # R-PRG-1: the programme of the partner's subscriptions (empty if several).
        codes = set(
            Subscription.objects.filter(partner=partner).values_list("programme_code", flat=True)
        )
        programme_code = codes.pop() if len(codes) == 1 else ""
        with in_language_of(partner):
            by_currency = daas_invoice_lines(partner.pk, first)
            title = titles.DAAS_MONTH.message(month=first.isoformat())
        for i, (currency, lines) in enumerate(sorted(by_currency.items())):
            key = base_key if i == 0 else f"{base_key}:{currency}"
            if Document.objects.filter(source_key=key).exists():
                continue
            with transaction.atomic():
                doc = create_document(
                    kind=DocumentKind.INVOICE,
                    purpose="daas_monthly_invoice",
                    programme=programme_code,
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
                    doc = issue_document(doc, actor=actor)
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
