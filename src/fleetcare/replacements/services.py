"""Advance replacement use cases (SPEC §7, R-RMA-1..6; R-DS-4/5 for DaaS).

Each transition is one service function: it refuses an out-of-order call with a
clear reason (``ValidationError``), checks who may do it, writes the order in one
transaction and logs the change. Dates come from :mod:`fleetcare.rules.replacement`
on the delivery site's business calendar; the charge from the same module.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fleetcare.billing.models import Document, DocumentKind, DocumentPurpose, DocumentStatus
from fleetcare.billing.services import (
    LineSpec,
    create_document,
    in_language_of,
    require_billing,
    void_document,
)
from fleetcare.catalog.models import ProductModel
from fleetcare.core.models import log_change as _core_log_change
from fleetcare.core.models import snapshot as _core_snapshot
from fleetcare.core.tenancy import scope_of
from fleetcare.daas.models import SubscribedDevice
from fleetcare.fleet.models import Device, DeviceStatus
from fleetcare.organisations.models import Site
from fleetcare.rules import daas as daas_rules
from fleetcare.rules import replacement as rma_rules
from fleetcare.rules.calendars import UnknownRegion, calendar_for
from fleetcare.rules.money import Money
from fleetcare.rules.programmes import load_programme

from .models import (
    EXTENDED_COVER_CAUSES,
    OPEN_STATUSES,
    SERVICE_CENTRES,
    Cause,
    OrderStatus,
    ReplacementOrder,
    ThresholdDecision,
)

REQUEST_ROLES = {"support_agent", "escalation_manager", "vendor_admin", "partner"}
APPROVE_ROLES = {"support_agent", "escalation_manager", "vendor_admin"}
OPERATIONS_ROLES = {"service_operations", "vendor_admin"}
PROGRAMME_CODES = {"pe": "poly_plus_enterprise", "daas": "device_as_a_service"}


def snapshot(order: ReplacementOrder) -> dict[str, Any]:
    """core.snapshot, with file fields as their stored name (JSON-able)."""
    data = _core_snapshot(order)
    data["destruction_certificate"] = order.destruction_certificate.name or ""
    return data


def log_change(
    order: ReplacementOrder, action: str, actor: Any, before: dict[str, Any] | None = None
) -> None:
    _core_log_change(order, action, actor, before=before, after=snapshot(order))


# Who may not do what: (wrong role, not vendor staff), complete sentences per action.
FORBIDDEN = {
    "request": (
        gettext_lazy("Your role may not raise a replacement order."),
        gettext_lazy("Only vendor staff may raise a replacement order."),
    ),
    "approve": (
        gettext_lazy("Your role may not approve replacements."),
        gettext_lazy("Only vendor staff may approve replacements."),
    ),
    "reject": (
        gettext_lazy("Your role may not reject replacements."),
        gettext_lazy("Only vendor staff may reject replacements."),
    ),
    "ship": (
        gettext_lazy("Your role may not ship replacements."),
        gettext_lazy("Only vendor staff may ship replacements."),
    ),
    "deliver": (
        gettext_lazy("Your role may not record deliveries."),
        gettext_lazy("Only vendor staff may record deliveries."),
    ),
    "return": (
        gettext_lazy("Your role may not receive returns."),
        gettext_lazy("Only vendor staff may receive returns."),
    ),
    "close": (
        gettext_lazy("Your role may not close replacement orders."),
        gettext_lazy("Only vendor staff may close replacement orders."),
    ),
    "destroy": (
        gettext_lazy("Your role may not record destruction certificates."),
        gettext_lazy("Only vendor staff may record destruction certificates."),
    ),
}

# An out-of-order transition: complete sentences per action (R-RMA-1).
OUT_OF_ORDER = {
    "approve": gettext_lazy(
        "%(reference)s is %(status)s: it can only be approved when %(expected)s."
    ),
    "reject": gettext_lazy(
        "%(reference)s is %(status)s: it can only be rejected when %(expected)s."
    ),
    "ship": gettext_lazy("%(reference)s is %(status)s: it can only be shipped when %(expected)s."),
    "deliver": gettext_lazy(
        "%(reference)s is %(status)s: it can only be delivered when %(expected)s."
    ),
    "return": gettext_lazy(
        "%(reference)s is %(status)s: it can only be returned when %(expected)s."
    ),
    "close": gettext_lazy("%(reference)s is %(status)s: it can only be closed when %(expected)s."),
    "destroy": gettext_lazy(
        "%(reference)s is %(status)s: it can only be destroyed on site when %(expected)s."
    ),
}


def _require(actor: Any, roles: set[str], action: str) -> None:
    if getattr(actor, "is_superuser", False):
        return
    role = getattr(actor, "role", None)
    wrong_role, not_vendor = FORBIDDEN[action]
    if role not in roles:
        raise PermissionDenied(str(wrong_role))
    if role != "partner" and not scope_of(actor).is_vendor:
        raise PermissionDenied(str(not_vendor))


def _or_list(items: list[str]) -> str:
    """``a``, ``a or b``, ``a or b or c`` in the active language."""
    out = items[0]
    for item in items[1:]:
        out = _("%(first)s or %(second)s") % {"first": out, "second": item}
    return out


def _refuse(order: ReplacementOrder, action: str, allowed: tuple[str, ...]) -> None:
    if order.status not in allowed:
        expected = _or_list([str(OrderStatus(s).label).lower() for s in allowed])
        raise ValidationError(
            str(OUT_OF_ORDER[action])
            % {
                "reference": order.reference,
                "status": order.get_status_display().lower(),
                "expected": expected,
            }
        )


def _locked(order: ReplacementOrder) -> ReplacementOrder:
    return ReplacementOrder.objects.select_for_update().get(pk=order.pk)


def site_calendar(site: Site):  # type: ignore[no-untyped-def]
    """The delivery site's business calendar (R-CAL-1)."""
    return calendar_for(site.country, site.subdivision_code, site.time_zone)


def programme_of(order: ReplacementOrder):  # type: ignore[no-untyped-def]
    return load_programme(PROGRAMME_CODES[order.programme])


def service_centre_for(site: Site) -> str:
    """The code of the local service centre the defective unit goes back to (R-RMA-3)."""
    try:
        region = daas_rules.region_of(site.country)
    except UnknownRegion:
        region = None
    return SERVICE_CENTRES.get(region, SERVICE_CENTRES[None]).value


def _next_reference() -> str:
    last = ReplacementOrder.objects.order_by("-id").values_list("reference", flat=True).first()
    n = int(last.split("-", 1)[1]) + 1 if last and last.startswith("RMA-") else 1
    while ReplacementOrder.objects.filter(reference=f"RMA-{n:06d}").exists():
        n += 1
    return f"RMA-{n:06d}"


def extended_cover_replacements_in_year(
    customer_id: int, year: int, exclude_pk: int | None = None
) -> int:
    """R-DS-5: replacements authorised for extended cover this calendar year (not rejected)."""
    return ReplacementOrder.objects.extended_cover_in_year(customer_id, year, exclude_pk).count()


def _rejection_reasons(case: Any, cause: str, subscribed: SubscribedDevice | None) -> list[str]:
    reasons = []
    label = Cause(cause).label
    if case.entitlement == "none":
        reasons.append(
            _(
                "The case is not entitled (no Poly+ Enterprise contract or DaaS term covers "
                "it): no replacement can be raised; paid support is offered instead."
            )
        )
    if daas_rules.is_excluded_cause(cause):
        reasons.append(
            _(
                "%(cause)s is never covered (fire, intentional damage, normal wear, "
                "cosmetic change, theft and loss are excluded)."
            )
            % {"cause": label}
        )
    elif daas_rules.is_extended_cover_cause(cause):
        if case.entitlement == "pe":
            reasons.append(
                _("%(cause)s is accidental damage: Poly+ Enterprise covers hardware faults only.")
                % {"cause": label}
            )
        elif case.entitlement == "daas" and not (subscribed and subscribed.extended_cover):
            reasons.append(
                _(
                    "%(cause)s is covered only by extended cover, which this device "
                    "was not enrolled with."
                )
                % {"cause": label}
            )
    return reasons


@transaction.atomic
def request_replacement(
    *,
    actor: Any,
    case: Any,
    cause: str,
    delivery_site: Site,
    faulty_device: Device | None = None,
    product_model: ProductModel | None = None,
    fault_description: str = "",
    onsite_destruction: bool = False,
    now: datetime | None = None,
) -> ReplacementOrder:
    """Raise a replacement order from a case once a hardware fault is found (R-RMA-1).

    Bad input (a site or device of another account, destruction without the option)
    is a ValidationError and nothing is saved. A case that is not entitled, or an
    excluded cause, gives an order in the *rejected* state with the reason. For a
    DaaS extended-cover cause the yearly threshold is computed (R-DS-5) and the order
    flagged for billing when it is exceeded.
    """
    from fleetcare.support.models import Case

    _require(actor, REQUEST_ROLES, "request")
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You cannot see this case."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if cause not in Cause.values:
        errors["cause"] = [
            _("Unknown cause %(cause)s; one of %(causes)s.")
            % {"cause": repr(cause), "causes": ", ".join(Cause.values)}
        ]
    if delivery_site.organisation_id != case.account_id:
        errors["delivery_site"] = [
            _("%(site)s is not a site of %(account)s.")
            % {"site": delivery_site, "account": case.account}
        ]
    device = faulty_device or case.device
    if device is not None and device.account_id != case.account_id:
        errors["faulty_device"] = [
            _("Device %(device)s is not in %(account)s's fleet.")
            % {"device": device.pk, "account": case.account}
        ]
    if device is not None and device.status != DeviceStatus.ACTIVE:
        errors.setdefault("faulty_device", []).append(
            _("Device %(device)s is %(status)s, not in service.")
            % {"device": device.pk, "status": device.get_status_display().lower()}
        )
    model = device.product_model if device is not None else (product_model or case.product_model)
    if (
        device is not None
        and ReplacementOrder.objects.filter(faulty_device=device, status__in=OPEN_STATUSES).exists()
    ):
        errors.setdefault("faulty_device", []).append(
            _("Device %(device)s already has an open replacement order.") % {"device": device.pk}
        )
    subscribed = case.daas_device
    if case.entitlement == "daas" and subscribed is None and device is not None:
        subscribed = (
            SubscribedDevice.objects.filter(device=device, replaced_by__isnull=True)
            .select_related("subscription")
            .first()
        )
    contract = case.enterprise_contract
    if contract is None and case.entitlement == "pe":
        from fleetcare.contracts.models import EnterpriseContract

        contract = (
            EnterpriseContract.objects.filter(account_id=case.account_id)
            .in_force(now.date())
            .first()
        )
    if onsite_destruction and not (contract is not None and contract.onsite_destruction):
        errors["onsite_destruction"] = [
            _(
                "On-site destruction needs the option on the account's Poly+ Enterprise "
                "contract; this account does not have it."
            )
        ]
    if errors:
        raise ValidationError(errors)

    # Stored on the order: written in the account's language, like its documents.
    with in_language_of(case.account):
        reasons = _rejection_reasons(case, cause, subscribed)
    programme = case.entitlement if case.entitlement in PROGRAMME_CODES else "pe"
    partner_id = None
    if programme == "daas":
        partner_id = (
            subscribed.subscription.partner_id
            if subscribed is not None
            else case.opened_by_partner_id
        )
    order = ReplacementOrder(
        reference=_next_reference(),
        case=case,
        account_id=case.account_id,
        programme=programme,
        partner_id=partner_id,
        enterprise_contract=contract if programme == "pe" else None,
        subscribed_device=subscribed if programme == "daas" else None,
        faulty_device=device,
        product_model=model,
        cause=cause,
        fault_description=fault_description,
        delivery_site=delivery_site,
        service_centre=service_centre_for(delivery_site),
        onsite_destruction=onsite_destruction,
        requested_at=now,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if reasons:
        order.status = OrderStatus.REJECTED
        order.rejection_reason = "\n".join(reasons)
    elif programme == "daas" and cause in EXTENDED_COVER_CAUSES:
        _apply_threshold(order, now)
    order.save()
    log_change(order, "replacement.requested", actor)
    if order.status == OrderStatus.REJECTED:
        log_change(order, "replacement.rejected", actor)
    return order


def _apply_threshold(order: ReplacementOrder, now: datetime) -> None:
    """R-DS-5 on the request date: replacements this calendar year (this one included) ÷
    devices under contract; strictly above the threshold → flagged for billing."""
    on = now.astimezone(ZoneInfo(order.delivery_site.time_zone)).date()
    devices = SubscribedDevice.objects.under_contract(order.account_id, on).count()
    count = extended_cover_replacements_in_year(order.account_id, on.year) + 1
    if devices <= 0:
        return
    threshold = load_programme(daas_rules.DAAS).daas_threshold
    status = daas_rules.threshold_status(count, devices, threshold)
    order.threshold_rate = status.rate_pct
    if status.chargeable:
        order.threshold_flag = True
        order.threshold_decision = ThresholdDecision.PENDING


@transaction.atomic
def approve(
    order: ReplacementOrder,
    actor: Any,
    now: datetime | None = None,
    replacement_model: ProductModel | None = None,
) -> ReplacementOrder:
    """R-RMA-2: delivery target = next business day after the (effective) approval day on
    the delivery site's calendar; after the cut-off hour it counts from the next one."""
    _require(actor, APPROVE_ROLES, "approve")
    order = _locked(order)
    _refuse(order, "approve", (OrderStatus.REQUESTED,))
    before = snapshot(order)
    now = now or timezone.now()
    cutoff = programme_of(order).replacement_cutoff_hour
    order.delivery_target = rma_rules.delivery_target(
        now, site_calendar(order.delivery_site), cutoff
    )
    order.approved_at = now
    order.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    if replacement_model is not None:
        order.replacement_model = replacement_model
    order.status = OrderStatus.APPROVED
    order.save()
    log_change(order, "replacement.approved", actor, before=before)
    return order


@transaction.atomic
def reject(order: ReplacementOrder, actor: Any, reason: str) -> ReplacementOrder:
    _require(actor, APPROVE_ROLES, "reject")
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the replacement is rejected.")]})
    order = _locked(order)
    _refuse(order, "reject", (OrderStatus.REQUESTED,))
    before = snapshot(order)
    order.status = OrderStatus.REJECTED
    order.rejection_reason = reason.strip()
    order.save()
    log_change(order, "replacement.rejected", actor, before=before)
    return order


@transaction.atomic
def ship(
    order: ReplacementOrder,
    actor: Any,
    *,
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
    before = snapshot(order)
    order.carrier = carrier.strip()
    order.tracking_number = tracking_number.strip()
    order.replacement_serial = serial
    order.shipped_at = now or timezone.now()
    order.status = OrderStatus.SHIPPED
    order.save()
    log_change(order, "replacement.shipped", actor, before=before)
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
def deliver(order: ReplacementOrder, actor: Any, delivered_on: date) -> ReplacementOrder:
    """The replacement was received: the return window starts (R-RMA-3) and the unit takes
    the faulty one's place (R-RMA-5). With on-site destruction no return is expected."""
    _require(actor, OPERATIONS_ROLES, "deliver")
    order = _locked(order)
    _refuse(order, "deliver", (OrderStatus.SHIPPED,))
    if order.shipped_at and delivered_on < order.shipped_at.date():
        raise ValidationError({"delivered_on": [_("Delivery cannot precede shipment.")]})
    if delivered_on > timezone.localdate() + timedelta(days=1):
        raise ValidationError({"delivered_on": [_("A delivery date cannot be in the future.")]})
    before = snapshot(order)
    order.delivered_on = delivered_on
    order.status = OrderStatus.DELIVERED
    _swap_in_replacement(order, delivered_on)
    order.save()
    log_change(order, "replacement.delivered", actor, before=before)
    if not order.onsite_destruction:
        before = snapshot(order)
        window = programme_of(order).return_window_business_days
        order.return_due = rma_rules.return_due(
            delivered_on, site_calendar(order.delivery_site), window
        )
        order.status = OrderStatus.AWAITING_RETURN
        order.save()
        log_change(order, "replacement.awaiting_return", actor, before=before)
    return order


@transaction.atomic
def receive_return(order: ReplacementOrder, actor: Any, returned_on: date) -> ReplacementOrder:
    """The defective unit arrived at the service centre. A late return before the charge
    is invoiced cancels it (R-RMA-4); once invoiced, the charge stands (billing may credit)."""
    _require(actor, OPERATIONS_ROLES, "return")
    order = _locked(order)
    _refuse(
        order, "return", (OrderStatus.AWAITING_RETURN, OrderStatus.OVERDUE, OrderStatus.CHARGED)
    )
    if order.delivered_on and returned_on < order.delivered_on:
        raise ValidationError({"returned_on": [_("A return cannot precede the delivery.")]})
    before = snapshot(order)
    if order.status == OrderStatus.OVERDUE and order.charge_document_id:
        charge = Document.objects.get(pk=order.charge_document_id)
        if charge.status == DocumentStatus.DRAFT:
            with in_language_of(charge.addressed_to):
                reason = _("Unit returned on %(date)s, before invoicing.") % {"date": returned_on}
            void_document(charge, actor, reason=reason)
    order.returned_on = returned_on
    order.status = OrderStatus.RETURNED
    order.save()
    log_change(order, "replacement.returned", actor, before=before)
    return order


@transaction.atomic
def close(order: ReplacementOrder, actor: Any, now: datetime | None = None) -> ReplacementOrder:
    _require(actor, OPERATIONS_ROLES, "close")
    order = _locked(order)
    _refuse(order, "close", (OrderStatus.RETURNED,))
    before = snapshot(order)
    order.status = OrderStatus.CLOSED
    order.closed_at = now or timezone.now()
    order.save()
    log_change(order, "replacement.closed", actor, before=before)
    return order


@transaction.atomic
def record_destruction(
    order: ReplacementOrder,
    actor: Any,
    *,
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
    before = snapshot(order)
    order.destruction_certificate.save(
        getattr(certificate, "name", "certificate.pdf"), certificate, save=False
    )
    order.destruction_certificate_number = certificate_number.strip()
    order.destroyed_on = destroyed_on
    order.destroyed_by = destroyed_by.strip()
    order.status = OrderStatus.DESTROYED
    order.closed_at = now or timezone.now()
    order.save()
    log_change(order, "replacement.destroyed_on_site", actor, before=before)
    return order


def _local_today(order: ReplacementOrder, now: datetime) -> date:
    return now.astimezone(ZoneInfo(order.delivery_site.time_zone)).date()


def raise_unreturned_charge(order: ReplacementOrder, actor: Any = None) -> Document:
    """R-RMA-4: a draft invoice at the model's list price, linked to the order (idempotent)."""
    model = order.product_model
    amount = rma_rules.unreturned_charge(Money(model.list_price, model.currency))
    addressed_to = order.partner if order.programme == "daas" and order.partner_id else None
    with in_language_of(addressed_to or order.account):
        title = _("Unreturned unit — %(reference)s") % {"reference": order.reference}
        description = _("%(model)s: defective unit of %(reference)s not returned (due %(due)s)") % {
            "model": model.name,
            "reference": order.reference,
            "due": order.return_due,
        }
        notes = _("A return before this charge is invoiced cancels it.")
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


def mark_overdue_returns(now: datetime) -> dict[str, int]:
    """Job: orders past their return due date → overdue + a draft charge (R-RMA-4).

    Idempotent: an order moves once; the charge has a source key; an overdue order
    whose charge is missing gets it on the next run.
    """
    moved = charged = 0
    candidates = ReplacementOrder.objects.filter(
        Q(status=OrderStatus.AWAITING_RETURN, return_due__lt=now.date() + timedelta(days=1))
        | Q(status=OrderStatus.OVERDUE, charge_document__isnull=True)
    ).select_related("delivery_site", "product_model", "account", "partner")
    for candidate in candidates:
        not_yet = not (candidate.return_due and _local_today(candidate, now) > candidate.return_due)
        if candidate.status == OrderStatus.AWAITING_RETURN and not_yet:
            continue
        with transaction.atomic():
            order = _locked(candidate)
            if order.status == OrderStatus.AWAITING_RETURN:
                before = snapshot(order)
                order.status = OrderStatus.OVERDUE
                order.overdue_since = _local_today(candidate, now)
                order.save()
                log_change(order, "replacement.overdue", None, before=before)
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
        before = snapshot(order)
        order.status = OrderStatus.CHARGED
        order.save()
        log_change(order, "replacement.charged", actor, before=before)


@transaction.atomic
def decide_threshold(
    order: ReplacementOrder, actor: Any, decision: str, note: str = ""
) -> ReplacementOrder:
    """Billing decides on a replacement flagged over the yearly threshold (R-DS-5):
    ``charge`` raises a draft over-threshold charge at list price; ``waive`` records it."""
    require_billing(actor)
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
    before = snapshot(order)
    if decision == "charge":
        model = order.product_model
        price = Money(model.list_price, model.currency).rounded()
        with in_language_of(order.partner or order.account):
            title = _("Over-threshold replacement — %(reference)s") % {"reference": order.reference}
            description = _(
                "%(model)s: replacement %(reference)s above the yearly threshold (%(rate)s %%)"
            ) % {"model": model.name, "reference": order.reference, "rate": order.threshold_rate}
        order.threshold_document = create_document(
            kind=DocumentKind.INVOICE,
            purpose=DocumentPurpose.THRESHOLD_CHARGE,
            programme="daas",
            account=order.account,
            addressed_to=order.partner,
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
    log_change(order, f"replacement.threshold_{decision}", actor, before=before)
    return order
