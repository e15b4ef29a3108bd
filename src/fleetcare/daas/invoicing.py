"""DaaS monthly partner invoices (R-DS-7): one per partner and month, pro rata by days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import formats
from django.utils.translation import gettext as _

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
