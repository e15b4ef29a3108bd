"""Unreturned-unit charges, the overdue job and threshold decisions (R-RMA-4, R-DS-5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fleetcare.billing import titles
from fleetcare.billing.models import Document, DocumentKind, DocumentPurpose
from fleetcare.billing.services import (
    LineSpec,
    create_document,
)
from fleetcare.core.changelog import changelog
from fleetcare.core.permissions import require
from fleetcare.replacements.models import (
    OrderStatus,
    ReplacementOrder,
    ThresholdDecision,
)
from fleetcare.replacements.permissions import can_decide_threshold
from fleetcare.replacements.services.common import _locked, programme_of, site_calendar
from fleetcare.rules import daas as daas_rules
from fleetcare.rules import replacement as rma_rules
from fleetcare.rules.money import Money
from fleetcare.webhooks import payloads as webhook_events


def _local_today(order: ReplacementOrder, now: datetime) -> date:
    return now.astimezone(ZoneInfo(order.delivery_site.time_zone)).date()


def raise_unreturned_charge(order: ReplacementOrder, *, actor: Any = None) -> Document:
    """R-RMA-4: a draft invoice at the model's list price, linked to the order (idempotent)."""
    model = order.product_model
    # R-RMA-4 / R-MON-1: the list price in the order's currency; MissingPrice otherwise.
    amount = rma_rules.unreturned_charge(Money(model.list_price_in(order.currency), order.currency))
    addressed_to = order.partner if order.partner_id else None  # a partner-sold programme
    title = titles.UNRETURNED_UNIT.message(reference=order.reference)
    description = titles.LINE_UNRETURNED_UNIT.message(
        model=model.name,
        reference=order.reference,
        due=order.return_due.isoformat() if order.return_due else None,
    )
    notes = titles.NOTE_RETURN_CANCELS_CHARGE.message()
    return create_document(
        kind=DocumentKind.INVOICE,
        purpose=DocumentPurpose.UNRETURNED_UNIT_CHARGE,
        programme=order.programme,
        account=order.account,
        addressed_to=addressed_to,
        currency=amount.currency,
        title=title,
        lines=[LineSpec(description, 1, amount.amount, sku=model.sku)],
        actor=actor,
        source_key=f"rma-unreturned:{order.pk}",
        notes=notes,
    )


def _return_overdue(order: ReplacementOrder, now: datetime) -> bool:
    """R-RMA-4: the unit is late on the delivery site's local date (R-RMA-3 window)."""
    if order.delivered_on is None:
        return False
    return rma_rules.is_return_overdue(
        order.delivered_on,
        _local_today(order, now),
        site_calendar(order.delivery_site),
        programme_of(order).return_window_business_days,
    )


def mark_overdue_returns(now: datetime) -> dict[str, int]:
    """Job: orders past their return due date → overdue + a draft charge (R-RMA-4).

    Idempotent: an order moves once; the charge has a source key; an overdue order
    whose charge is missing gets it on the next run.
    """
    moved = charged = 0
    # The stored due date only narrows the query; rules.replacement decides (R-RMA-3/4).
    candidates = ReplacementOrder.objects.filter(
        Q(status=OrderStatus.AWAITING_RETURN, return_due__lt=now.date() + timedelta(days=1))
        | Q(status=OrderStatus.OVERDUE, charge_document__isnull=True)
    ).select_related("delivery_site", "product_model", "account", "partner")
    for candidate in candidates:
        if candidate.status == OrderStatus.AWAITING_RETURN and not _return_overdue(candidate, now):
            continue
        with transaction.atomic():
            order = _locked(candidate)
            if order.status == OrderStatus.AWAITING_RETURN:
                with changelog(order, "replacement.overdue"):
                    order.status = OrderStatus.OVERDUE
                    order.overdue_since = _local_today(candidate, now)
                    order.save()
                webhook_events.replacement("replacement.overdue", order)
                moved += 1
            if order.status == OrderStatus.OVERDUE and order.charge_document_id is None:
                order.charge_document = raise_unreturned_charge(candidate)
                order.save(update_fields=["charge_document", "updated_at"])
                charged += 1
    return {"overdue": moved, "charges_raised": charged}


def on_document_issued(sender: Any, document: Document, actor: Any = None, **kw: Any) -> None:
    """When billing issues an unreturned-unit charge, its order becomes *charged*."""
    if document.purpose != DocumentPurpose.UNRETURNED_UNIT_CHARGE:
        return
    for order in ReplacementOrder.objects.select_for_update().filter(
        charge_document=document, status=OrderStatus.OVERDUE
    ):
        with changelog(order, "replacement.charged", actor=actor):
            order.status = OrderStatus.CHARGED
            order.save()


@transaction.atomic
def decide_threshold(
    order: ReplacementOrder, *, actor: Any, decision: str, note: str = ""
) -> ReplacementOrder:
    """Billing decides on a replacement flagged over the yearly threshold (R-DS-5):
    ``charge`` raises a draft over-threshold charge at list price; ``waive`` records it."""
    require(actor, can_decide_threshold, order, _("Only billing may do this."))
    order = _locked(order)
    if not order.threshold_flag or order.threshold_decision != ThresholdDecision.PENDING:
        raise ValidationError(
            _("%(reference)s is not awaiting a threshold decision (%(decision)s).")
            % {
                "reference": order.reference,
                "decision": order.get_threshold_decision_display().lower(),
            }
        )
    if decision not in ("charge", "waive"):
        raise ValidationError({"decision": [_("Choose charge or waive.")]})
    with changelog(order, f"replacement.threshold_{decision}", actor=actor):
        if decision == "charge":
            model = order.product_model
            price = daas_rules.over_threshold_charge(
                Money(model.list_price_in(order.currency), order.currency)
            )
            title = titles.OVER_THRESHOLD.message(reference=order.reference)
            description = titles.LINE_OVER_THRESHOLD.message(
                model=model.name,
                reference=order.reference,
                rate=str(order.threshold_rate) if order.threshold_rate is not None else None,
            )
            order.threshold_document = create_document(
                kind=DocumentKind.INVOICE,
                purpose=DocumentPurpose.THRESHOLD_CHARGE,
                programme=order.programme,
                account=order.account,
                addressed_to=order.partner or order.account,
                currency=price.currency,
                title=title,
                lines=[LineSpec(description, 1, price.amount, sku=model.sku)],
                actor=actor,
                source_key=f"rma-threshold:{order.pk}",
                notes=note,
            )
            order.threshold_decision = ThresholdDecision.CHARGED
        else:
            order.threshold_decision = ThresholdDecision.WAIVED
        order.save()
    return order
