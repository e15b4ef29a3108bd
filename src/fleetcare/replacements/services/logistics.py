"""Shipping, delivery, the return and on-site destruction (R-RMA-2, R-RMA-3, R-RMA-5, R-RMA-6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.billing.models import Document, DocumentStatus
from fleetcare.billing.services import (
    in_language_of,
    void_document,
)
from fleetcare.core.changelog import changelog
from fleetcare.daas.models import SubscribedDevice
from fleetcare.fleet.models import Device, DeviceStatus
from fleetcare.replacements.models import (
    OrderStatus,
    ReplacementOrder,
)
from fleetcare.replacements.services.common import (
    OPERATIONS_ROLES,
    _locked,
    _refuse,
    _require,
    programme_of,
    site_calendar,
)
from fleetcare.rules import daas as daas_rules
from fleetcare.rules import replacement as rma_rules


@transaction.atomic
def ship(
    order: ReplacementOrder,
    *,
    actor: Any,
    carrier: str,
    tracking_number: str,
    replacement_serial: str = "",
    now: datetime | None = None,
) -> ReplacementOrder:
    """Prepaid shipment with carrier and tracking number (R-RMA-2)."""
    _require(actor, OPERATIONS_ROLES, "ship")
    errors = {}
    if not carrier.strip():
        errors["carrier"] = [_("The carrier is required.")]
    if not tracking_number.strip():
        errors["tracking_number"] = [_("The tracking number is required.")]
    order = _locked(order)
    _refuse(order, "ship", (OrderStatus.APPROVED,))
    serial = replacement_serial.strip()
    model = order.replacement_model or order.product_model
    if serial and Device.objects.filter(product_model=model, serial_number=serial).exists():
        errors["replacement_serial"] = [
            _("A %(model)s with serial number %(serial)s already exists.")
            % {"model": model.name, "serial": serial}
        ]
    if errors:
        raise ValidationError(errors)
    with changelog(order, "replacement.shipped", actor=actor):
        order.carrier = carrier.strip()
        order.tracking_number = tracking_number.strip()
        order.replacement_serial = serial
        order.shipped_at = now or timezone.now()
        order.status = OrderStatus.SHIPPED
        order.save()
    return order


def _swap_in_replacement(order: ReplacementOrder, delivered_on: date) -> None:
    """R-RMA-5: the replacement takes the faulty unit's place in the fleet and its
    coverage; for DaaS the new enrolment keeps the original's term (R-DS-2)."""
    model = order.replacement_model or order.product_model
    old = order.faulty_device
    new = Device.objects.create(
        account_id=order.account_id,
        site=order.delivery_site,
        product_model=model,
        serial_number=order.replacement_serial or None,
        firmware_version="",
        first_seen_on=delivered_on,
        last_seen_on=delivered_on,
    )
    order.replacement_device = new
    if old is not None:
        Device.objects.filter(pk=old.pk).update(
            status=DeviceStatus.REPLACED, replaced_by=new, updated_at=timezone.now()
        )
    sub = order.subscribed_device
    if sub is not None:
        start, end = sub.term_start, sub.term_end
        if start is not None and end is not None:
            start, end = daas_rules.replacement_term(start, end)
        order.replacement_subscribed_device = SubscribedDevice.objects.create(
            subscription_id=sub.subscription_id,
            device=new,
            product_model=model,
            monthly_price=sub.monthly_price,
            extended_cover=sub.extended_cover,
            enrolled_on=sub.enrolled_on,
            delivered_on=sub.delivered_on,
            term_start=start,
            term_end=end,
            replaces=sub,
        )


@transaction.atomic
def deliver(order: ReplacementOrder, *, actor: Any, delivered_on: date) -> ReplacementOrder:
    """The replacement was received: the return window starts (R-RMA-3) and the unit takes
    the faulty one's place (R-RMA-5). With on-site destruction no return is expected."""
    _require(actor, OPERATIONS_ROLES, "deliver")
    order = _locked(order)
    _refuse(order, "deliver", (OrderStatus.SHIPPED,))
    if order.shipped_at and delivered_on < order.shipped_at.date():
        raise ValidationError({"delivered_on": [_("Delivery cannot precede shipment.")]})
    if delivered_on > timezone.localdate() + timedelta(days=1):
        raise ValidationError({"delivered_on": [_("A delivery date cannot be in the future.")]})
    with changelog(order, "replacement.delivered", actor=actor):
        order.delivered_on = delivered_on
        order.status = OrderStatus.DELIVERED
        _swap_in_replacement(order, delivered_on)
        order.save()
    if not order.onsite_destruction:
        with changelog(order, "replacement.awaiting_return", actor=actor):
            window = programme_of(order).return_window_business_days
            order.return_due = rma_rules.return_due(
                delivered_on, site_calendar(order.delivery_site), window
            )
            order.status = OrderStatus.AWAITING_RETURN
            order.save()
    return order


@transaction.atomic
def receive_return(order: ReplacementOrder, *, actor: Any, returned_on: date) -> ReplacementOrder:
    """The defective unit arrived at the service centre. A late return before the charge
    is invoiced cancels it (R-RMA-4); once invoiced, the charge stands (billing may credit)."""
    _require(actor, OPERATIONS_ROLES, "return")
    order = _locked(order)
    _refuse(
        order, "return", (OrderStatus.AWAITING_RETURN, OrderStatus.OVERDUE, OrderStatus.CHARGED)
    )
    if order.delivered_on and returned_on < order.delivered_on:
        raise ValidationError({"returned_on": [_("A return cannot precede the delivery.")]})
    with changelog(order, "replacement.returned", actor=actor):
        if order.status == OrderStatus.OVERDUE and order.charge_document_id:
            charge = Document.objects.get(pk=order.charge_document_id)
            if charge.status == DocumentStatus.DRAFT:
                with in_language_of(charge.addressed_to):
                    reason = _("Unit returned on %(date)s, before invoicing.") % {
                        "date": returned_on
                    }
                void_document(charge, actor=actor, reason=reason)
        order.returned_on = returned_on
        order.status = OrderStatus.RETURNED
        order.save()
    return order


@transaction.atomic
def close(order: ReplacementOrder, *, actor: Any, now: datetime | None = None) -> ReplacementOrder:
    _require(actor, OPERATIONS_ROLES, "close")
    order = _locked(order)
    _refuse(order, "close", (OrderStatus.RETURNED,))
    with changelog(order, "replacement.closed", actor=actor):
        order.status = OrderStatus.CLOSED
        order.closed_at = now or timezone.now()
        order.save()
    return order


@transaction.atomic
def record_destruction(
    order: ReplacementOrder,
    *,
    actor: Any,
    certificate: Any,
    certificate_number: str,
    destroyed_on: date,
    destroyed_by: str,
    now: datetime | None = None,
) -> ReplacementOrder:
    """R-RMA-6: the order closes when the certificate of destruction is recorded."""
    _require(actor, OPERATIONS_ROLES, "destroy")
    order = _locked(order)
    if not order.onsite_destruction:
        raise ValidationError(
            _("%(reference)s was not ordered with on-site destruction: the unit must be returned.")
            % {"reference": order.reference}
        )
    _refuse(order, "destroy", (OrderStatus.DELIVERED,))
    errors = {}
    if not certificate:
        errors["certificate"] = [_("Attach the certificate of destruction.")]
    if not certificate_number.strip():
        errors["certificate_number"] = [_("The certificate number is required.")]
    if not destroyed_by.strip():
        errors["destroyed_by"] = [_("Say who destroyed the unit.")]
    if order.delivered_on and destroyed_on < order.delivered_on - timedelta(days=30):
        errors["destroyed_on"] = [_("The destruction date is long before the delivery.")]
    if destroyed_on > timezone.localdate() + timedelta(days=1):
        errors["destroyed_on"] = [_("The destruction date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    with changelog(order, "replacement.destroyed_on_site", actor=actor):
        order.destruction_certificate.save(
            getattr(certificate, "name", "certificate.pdf"), certificate, save=False
        )
        order.destruction_certificate_number = certificate_number.strip()
        order.destroyed_on = destroyed_on
        order.destroyed_by = destroyed_by.strip()
        order.status = OrderStatus.DESTROYED
        order.closed_at = now or timezone.now()
        order.save()
    return order
