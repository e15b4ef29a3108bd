"""Raising, approving and rejecting a replacement (R-RMA-1, R-DS-4, R-DS-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.billing.services import (
    in_language_of,
)
from fleetcare.catalog.models import ProductModel
from fleetcare.core.changelog import changelog, log_change
from fleetcare.core.programmes import ProgrammeKind
from fleetcare.daas.models import SubscribedDevice
from fleetcare.fleet.models import Device, DeviceStatus
from fleetcare.organisations.models import Site
from fleetcare.replacements.models import (
    OPEN_STATUSES,
    Cause,
    OrderStatus,
    ReplacementOrder,
    ThresholdDecision,
)
from fleetcare.replacements.permissions import (
    can_approve_replacement,
    can_reject_replacement,
    can_request_replacement,
)
from fleetcare.replacements.services.common import (
    _locked,
    _next_reference,
    _refuse,
    _require,
    extended_cover_replacements_in_year,
    programme_of,
    service_centre_for,
    site_calendar,
)
from fleetcare.rules import daas as daas_rules
from fleetcare.rules import replacement as rma_rules
from fleetcare.rules.programmes import Programme
from fleetcare.webhooks import payloads as webhook_events


def _rejection_reasons(
    case: Any, cause: str, subscribed: SubscribedDevice | None, programme: Programme | None
) -> list[str]:
    """Why the order is refused: not entitled, a cause the programme never covers, or an
    accidental cause outside its extended cover (R-DS-4). Without a programme (not
    entitled) the default per-device programme's excluded causes apply."""
    reasons = []
    label = Cause(cause).label
    if programme is None:
        reasons.append(
            _(
                "The case is not entitled (no Poly+ Enterprise contract or DaaS term covers "
                "it): no replacement can be raised; paid support is offered instead."
            )
        )
    if daas_rules.is_excluded_cause(cause, programme):
        reasons.append(
            _(
                "%(cause)s is never covered (fire, intentional damage, normal wear, "
                "cosmetic change, theft and loss are excluded)."
            )
            % {"cause": label}
        )
    elif programme is not None and cause != Cause.HARDWARE_FAULT:
        if not daas_rules.is_extended_cover_cause(cause, programme):
            reasons.append(
                _("%(cause)s is accidental damage: %(programme)s covers hardware faults only.")
                % {"cause": label, "programme": programme.name}
            )
        elif not (subscribed and subscribed.extended_cover):
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

    _require(actor, can_request_replacement, "request")
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
    # R-PRG-1: the record that entitles the case, by the programme's kind.
    programme = case.programme
    per_device = programme is not None and programme.kind == ProgrammeKind.PER_DEVICE
    account_wide = programme is not None and programme.kind == ProgrammeKind.ACCOUNT_WIDE
    subscribed = case.daas_device
    if per_device and subscribed is None and device is not None:
        subscribed = (
            SubscribedDevice.objects.filter(device=device, replaced_by__isnull=True)
            .select_related("subscription")
            .first()
        )
    contract = case.enterprise_contract
    if contract is None and account_wide:
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
        reasons = _rejection_reasons(case, cause, subscribed, programme)
    partner_id = None
    if per_device:
        partner_id = (
            subscribed.subscription.partner_id
            if subscribed is not None
            else case.opened_by_partner_id
        )
    order = ReplacementOrder(
        reference=_next_reference(),
        case=case,
        account_id=case.account_id,
        programme=case.programme_code,
        partner_id=partner_id,
        enterprise_contract=contract if account_wide else None,
        subscribed_device=subscribed if per_device else None,
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
    elif (
        per_device
        and cause in programme.extended_cover_causes
        and programme.replacement_threshold is not None
    ):
        _apply_threshold(order, now, programme)
    order.save()
    log_change(order, "replacement.requested", actor=actor)
    if order.status == OrderStatus.REJECTED:
        log_change(order, "replacement.rejected", actor=actor)
    return order


def _apply_threshold(order: ReplacementOrder, now: datetime, programme: Programme) -> None:
    """R-DS-5 on the request date: the programme's replacements this calendar year (this
    one included) ÷ its devices under contract; strictly above the programme's threshold
    → flagged for billing."""
    on = now.astimezone(ZoneInfo(order.delivery_site.time_zone)).date()
    devices = SubscribedDevice.objects.under_contract(
        order.account_id, on, programme_code=programme.code
    ).count()
    so_far = extended_cover_replacements_in_year(order.account_id, on.year, programme=programme)
    if devices <= 0:
        return
    status = daas_rules.next_replacement_status(so_far, devices, programme.replacement_threshold)
    order.threshold_rate = status.rate_pct
    if status.chargeable:
        order.threshold_flag = True
        order.threshold_decision = ThresholdDecision.PENDING


@transaction.atomic
def approve(
    order: ReplacementOrder,
    *,
    actor: Any,
    now: datetime | None = None,
    replacement_model: ProductModel | None = None,
) -> ReplacementOrder:
    """R-RMA-2: delivery target = next business day after the (effective) approval day on
    the delivery site's calendar; after the cut-off hour it counts from the next one."""
    _require(actor, can_approve_replacement, "approve", order)
    order = _locked(order)
    _refuse(order, "approve", (OrderStatus.REQUESTED,))
    with changelog(order, "replacement.approved", actor=actor):
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
    webhook_events.replacement("replacement.approved", order)
    return order


@transaction.atomic
def reject(order: ReplacementOrder, *, actor: Any, reason: str) -> ReplacementOrder:
    _require(actor, can_reject_replacement, "reject", order)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the replacement is rejected.")]})
    order = _locked(order)
    _refuse(order, "reject", (OrderStatus.REQUESTED,))
    with changelog(order, "replacement.rejected", actor=actor):
        order.status = OrderStatus.REJECTED
        order.rejection_reason = reason.strip()
        order.save()
    return order
