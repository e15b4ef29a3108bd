"""Device-as-a-Service use cases (SPEC §5, R-DS-1..5, R-DS-7).

Every date and amount comes from :mod:`fleetcare.rules.daas`; this module only
reads and writes the models, checks who may do what and logs the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fleetcare.catalog.models import ProductModel
from fleetcare.core.models import log_change
from fleetcare.core.tenancy import scope_of
from fleetcare.fleet.models import Device
from fleetcare.organisations.models import Organisation, PartnerCustomer, Site
from fleetcare.rules import daas as daas_rules
from fleetcare.rules.programmes import load_programme

from .models import SubscribedDevice, Subscription, SubscriptionStatus

DELIVERY_ROLES = {"distributor", "partner", "service_operations", "vendor_admin"}
MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class EnrolmentItem:
    """One line of a subscription request: a model, how many, extended cover or not."""

    product_model: ProductModel
    quantity: int
    extended_cover: bool = False


def programme():  # type: ignore[no-untyped-def]
    return load_programme(daas_rules.DAAS)


def _next_reference() -> str:
    last = Subscription.objects.filter(reference__startswith="DAAS-").order_by("-id").first()
    n = 1
    if last is not None:
        try:
            n = int(last.reference.split("-", 1)[1]) + 1
        except ValueError:
            n = Subscription.objects.count() + 1
    while Subscription.objects.filter(reference=f"DAAS-{n:06d}").exists():
        n += 1
    return f"DAAS-{n:06d}"


def enrolment_refusals(site: Site, items: list[EnrolmentItem], on: date) -> list[dict[str, str]]:
    """Every reason the items cannot be enrolled at ``site`` on ``on`` (R-DS-1, -3, -4).

    Each refusal: ``{"field": "items[i]", "code": ..., "reason": ...}``. Empty = accepted.
    """
    problems: list[dict[str, str]] = []
    for i, item in enumerate(items):
        where = f"items[{i}]"
        if item.quantity < 1 or item.quantity > MAX_QUANTITY:
            problems.append(
                {
                    "field": f"{where}.quantity",
                    "code": "quantity",
                    "reason": f"Quantity must be between 1 and {MAX_QUANTITY}.",
                }
            )
        model = item.product_model
        for refusal in daas_rules.enrolment_problems(
            country=site.country,
            category=model.category.code,
            end_of_sale_announced=model.end_of_sale_announced_on,
            on=on,
            extended_cover=item.extended_cover,
            at_enrolment=True,
        ):
            problems.append(
                {"field": where, "code": refusal.code, "reason": f"{model.sku}: {refusal.message}"}
            )
        if model.daas_monthly_price is None:
            problems.append(
                {
                    "field": where,
                    "code": "no_price",
                    "reason": f"{model.sku}: the catalogue has no DaaS monthly price for it.",
                }
            )
    return problems


def _group(errors: list[dict[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for e in errors:
        grouped.setdefault(e["field"], []).append(e["reason"])
    return grouped


def _require_partner_of(actor: Any, customer: Organisation) -> Organisation:
    scope = scope_of(actor)
    if not scope.is_partner or getattr(actor, "role", None) != "partner":
        raise PermissionDenied("Only a certified DaaS partner creates subscriptions.")
    if not PartnerCustomer.objects.filter(
        partner_id=scope.organisation_id, customer=customer
    ).exists():
        raise PermissionDenied(f"{customer} is not one of your DaaS customers.")
    return actor.organisation


@transaction.atomic
def create_subscription(
    *,
    actor: Any,
    customer: Organisation,
    site: Site,
    items: list[EnrolmentItem],
    term_months: int | None = None,
    on: date | None = None,
    distributor: Organisation | None = None,
) -> Subscription:
    """A certified partner subscribes one of its customers (R-DS-1..4).

    Refused with EVERY reason at once (region, end-of-sale, extended cover on a
    non-voice model, …): the ValidationError lists them all; nothing is saved.
    Devices are enrolled now; each device's term starts on delivery (R-DS-2).
    """
    partner = _require_partner_of(actor, customer)
    on = on or timezone.localdate()
    errors: list[dict[str, str]] = []
    if site.organisation_id != customer.pk:
        errors.append(
            {"field": "site", "code": "site", "reason": f"{site} is not a site of {customer}."}
        )
    if not items:
        errors.append({"field": "items", "code": "items", "reason": "Enrol at least one device."})
    term = term_months or programme().default_term_months
    if term < 1 or term > 120:
        errors.append(
            {"field": "term_months", "code": "term", "reason": "The term is 1 to 120 months."}
        )
    if distributor is not None and distributor.kind != "distribution_partner":
        errors.append(
            {
                "field": "distributor",
                "code": "distributor",
                "reason": f"{distributor} is not a distribution partner.",
            }
        )
    errors.extend(enrolment_refusals(site, items, on))
    currencies = {item.product_model.currency for item in items}
    if len(currencies) > 1:
        errors.append(
            {
                "field": "items",
                "code": "currency",
                "reason": "All models of a subscription must be priced in one currency "
                f"(got {', '.join(sorted(currencies))}).",
            }
        )
    if errors:
        raise ValidationError(_group(errors))
    subscription = Subscription.objects.create(
        reference=_next_reference(),
        partner=partner,
        customer=customer,
        site=site,
        distributor=distributor,
        term_months=term,
        currency=currencies.pop(),
        status=SubscriptionStatus.ACTIVE,
    )
    devices: list[Device] = []
    for item in items:
        devices.extend(
            Device(
                account=customer,
                site=site,
                product_model=item.product_model,
                first_seen_on=on,
                last_seen_on=on,
            )
            for _ in range(item.quantity)
        )
    devices = Device.objects.bulk_create(devices)
    enrolments = []
    it = iter(devices)
    for item in items:
        for _ in range(item.quantity):
            enrolments.append(
                SubscribedDevice(
                    subscription=subscription,
                    device=next(it),
                    product_model=item.product_model,
                    monthly_price=item.product_model.daas_monthly_price,
                    extended_cover=item.extended_cover,
                    enrolled_on=on,
                )
            )
    SubscribedDevice.objects.bulk_create(enrolments)
    log_change(subscription, "daas.subscription_created", actor)
    return subscription


def request_extended_cover(*, actor: Any, device: SubscribedDevice) -> None:
    """R-DS-4: extended cover can only be chosen at enrolment: always refused afterwards,
    with every reason (non-voice model too)."""
    problems = daas_rules.enrolment_problems(
        country=device.subscription.site.country,
        category=device.product_model.category.code,
        end_of_sale_announced=device.product_model.end_of_sale_announced_on,
        on=timezone.localdate(),
        extended_cover=True,
        at_enrolment=False,
    )
    if device.extended_cover:
        raise ValidationError("This device already has extended cover.")
    raise ValidationError([p.message for p in problems])


@transaction.atomic
def record_delivery(
    *,
    actor: Any,
    subscription: Subscription,
    delivered_on: date,
    device_ids: list[int] | None = None,
) -> list[SubscribedDevice]:
    """The distributor delivered devices to the customer: each device's term starts
    that day and lasts the subscription's term (R-DS-2). Without ``device_ids``, every
    device not yet delivered. Already-delivered devices are refused by id."""
    scope = scope_of(actor)
    role = getattr(actor, "role", None)
    allowed = (
        (scope.is_vendor and role in {"service_operations", "vendor_admin"})
        or (role in {"distributor", "partner"})
        or getattr(actor, "is_superuser", False)
    )
    if not allowed:
        raise PermissionDenied(
            "Only the distributor, the partner or service operations record deliveries."
        )
    if scope.is_partner and subscription.partner_id != scope.organisation_id:
        raise PermissionDenied("This is not your subscription.")
    if scope.is_distributor and subscription.distributor_id != scope.organisation_id:
        raise PermissionDenied("You are not the distributor delivering this subscription.")
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": ["A delivery date cannot be in the future."]})
    qs = SubscribedDevice.objects.select_for_update().filter(subscription=subscription)
    if device_ids:
        found = list(qs.filter(pk__in=device_ids))
        missing = sorted(set(device_ids) - {d.pk for d in found})
        errors = [f"Device {pk} is not in {subscription.reference}." for pk in missing]
        errors += [
            f"Device {d.pk} was already delivered on {d.delivered_on}."
            for d in found
            if d.delivered_on is not None
        ]
        if errors:
            raise ValidationError({"device_ids": errors})
        targets = found
    else:
        targets = list(qs.filter(delivered_on__isnull=True))
        if not targets:
            raise ValidationError(f"Every device of {subscription.reference} is already delivered.")
    for device in targets:
        if delivered_on < device.enrolled_on:
            raise ValidationError(
                {"delivered_on": [f"Delivery cannot precede enrolment ({device.enrolled_on})."]}
            )
        start, end = daas_rules.device_term(delivered_on, subscription.term_months)
        device.delivered_on = delivered_on
        device.term_start, device.term_end = start, end
    SubscribedDevice.objects.bulk_update(targets, ["delivered_on", "term_start", "term_end"])
    log_change(
        subscription,
        "daas.delivery_recorded",
        actor,
        after={"delivered_on": delivered_on, "devices": [d.pk for d in targets]},
    )
    return targets


def devices_under_contract(customer_id: int, on: date) -> int:
    """R-DS-5: devices under contract for a customer at a date: enrolled, term not ended,
    not replaced (the replacement counts in its place)."""
    return (
        SubscribedDevice.objects.filter(
            subscription__customer_id=customer_id,
            subscription__status=SubscriptionStatus.ACTIVE,
            enrolled_on__lte=on,
        )
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
        .filter(replaced_by__isnull=True)
        .count()
    )


@dataclass(frozen=True)
class ThresholdView:
    year: int
    devices: int
    replacements: int
    rate_pct: Any
    threshold_pct: Any
    next_is_chargeable: bool
    over_threshold: bool = False  # the year's replacements so far are already above it


def threshold_overview(customer_id: int, on: date) -> ThresholdView:
    """Where a customer stands against the yearly threshold (R-DS-5) on a date."""
    from fleetcare.replacements.services import extended_cover_replacements_in_year

    devices = devices_under_contract(customer_id, on)
    count = extended_cover_replacements_in_year(customer_id, on.year)
    t = programme().daas_threshold
    if devices:
        current = daas_rules.threshold_status(count, devices, t)
        nxt = daas_rules.threshold_status(count + 1, devices, t)
        return ThresholdView(
            on.year, devices, count, current.rate_pct, t * 100, nxt.chargeable, current.chargeable
        )
    return ThresholdView(on.year, 0, count, None, t * 100, False)
