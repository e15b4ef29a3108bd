"""Device-as-a-Service use cases (docs/programmes.md §5, R-DS-1..5, R-DS-7).

Every date and amount comes from :mod:`fleetcare.rules.daas`; this module only
reads and writes the models, checks who may do what and logs the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fleetcare.catalog.models import CategoryCode, MissingPrice, ProductModel
from fleetcare.core.changelog import log_change
from fleetcare.core.currency import supported_currencies
from fleetcare.core.messages import format_date
from fleetcare.core.numbering import DAAS_SUBSCRIPTION, next_reference
from fleetcare.core.permissions import require
from fleetcare.core.programmes import ProgrammeKind, default_programme
from fleetcare.core.roles import Role
from fleetcare.core.tenancy import scope_of
from fleetcare.fleet.models import Device
from fleetcare.organisations.models import Organisation, OrganisationKind, PartnerCustomer, Site
from fleetcare.replacements.models import ReplacementOrder
from fleetcare.rules import daas as daas_rules
from fleetcare.rules.programmes import (
    BY_PARTNER,
    Programme,
    ProgrammeError,
    load_programme,
)

from .models import SubscribedDevice, Subscription, SubscriptionStatus
from .permissions import (  # noqa: F401  (DELIVERY_ROLES re-exported)
    DELIVERY_ROLES,
    can_create_subscription,
    can_record_delivery,
)

MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class EnrolmentItem:
    """One line of a subscription request: a model, how many, extended cover or not."""

    product_model: ProductModel
    quantity: int
    extended_cover: bool = False


def programme(code: str | None = None) -> Programme:
    """A per-device programme's settings: ``code``'s, else the default per-device one."""
    if code:
        return load_programme(code)
    return default_programme(ProgrammeKind.PER_DEVICE)


# Vendor staff who sell a programme the vendor sells itself (``sold_by = "vendor"``).
VENDOR_SELLER_ROLES = {Role.CSM, Role.VENDOR_ADMIN}


def _next_reference() -> str:
    """The next DAAS- reference, from its locked series (inside the caller's transaction)."""
    return next_reference(DAAS_SUBSCRIPTION)


# Region names for the refusal messages (rules.daas gives codes); identical English to the
# rule's own wording ("North America", "Emea").
REGION_NAMES = {
    "north_america": gettext_lazy("North America"),
    "emea": gettext_lazy("Emea"),
}


def _and_list(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` in the active language."""
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def refusal_message(
    refusal: daas_rules.Refusal,
    *,
    country: str = "",
    category: str = "",
    end_of_sale: date | None = None,
    settings: Programme | None = None,
) -> str:
    """The rule's refusal (R-DS-1, -3, -4) as a sentence in the active language: the rule
    gives a stable code and an English message; the message is the fallback. ``settings``:
    the subscription's programme (default: the default per-device programme)."""
    p = settings or programme()
    code = refusal.code
    if code == "unknown_country":
        return _("Unknown country code %(country)s.") % {"country": repr(country)}
    if code == "region":
        regions = [str(REGION_NAMES.get(r, r.replace("_", " ").title())) for r in p.regions]
        return _("%(programme)s is only offered in %(regions)s; %(country)s is not.") % {
            "programme": p.name,
            "regions": _and_list(regions),
            "country": country.upper(),
        }
    if code == "category":
        return _("“%(category)s” devices cannot be enrolled in %(programme)s.") % {
            "category": _category_label(category),
            "programme": p.name,
        }
    if code == "end_of_sale" and end_of_sale is not None:
        return _(
            "The model's end of sale was announced on %(date)s; new enrolments are refused."
        ) % {"date": format_date(end_of_sale)}
    if code == "extended_cover_category":
        allowed = [_category_label(c) for c in p.extended_cover_categories]
        return _("Extended cover is only for %(allowed)s devices, not “%(category)s”.") % {
            "allowed": _and_list(allowed) if allowed else pgettext("no category", "no"),
            "category": _category_label(category),
        }
    if code == "extended_cover_not_at_enrolment":
        return _("Extended cover can only be chosen at enrolment.")
    return refusal.message


def _category_label(code: str) -> str:
    """A category code as its catalogue label, in the active language."""
    try:
        return str(CategoryCode(code).label)
    except ValueError:
        return code


def enrolment_refusals(
    site: Site,
    items: list[EnrolmentItem],
    on: date,
    currency: str | None = None,
    settings: Programme | None = None,
) -> list[dict[str, str]]:
    """Every reason the items cannot be enrolled at ``site`` on ``on`` (R-DS-1, -3, -4),
    and, with ``currency``, each model without a DaaS monthly price in it (R-MON-1).
    ``settings``: the subscription's programme (default: the default per-device one).

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
                    "reason": _("Quantity must be between 1 and %(max)s.") % {"max": MAX_QUANTITY},
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
            programme=settings,
        ):
            message = refusal_message(
                refusal,
                country=site.country,
                category=model.category.code,
                end_of_sale=model.end_of_sale_announced_on,
                settings=settings,
            )
            problems.append(
                {
                    "field": where,
                    "code": refusal.code,
                    "reason": _("%(sku)s: %(reason)s") % {"sku": model.sku, "reason": message},
                }
            )
        if currency is not None:
            try:
                model.daas_monthly_price_in(currency)
            except MissingPrice as exc:
                problems.append({"field": where, "code": "no_price", "reason": exc.messages[0]})
    return problems


def _group(errors: list[dict[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for e in errors:
        grouped.setdefault(e["field"], []).append(e["reason"])
    return grouped


def _require_vendor_seller(actor: Any, p: Programme) -> None:
    """R-PRG-1: a programme the vendor sells itself is sold by its CSMs or admins."""
    if getattr(actor, "is_superuser", False):
        return
    if not scope_of(actor).is_vendor or getattr(actor, "role", None) not in VENDOR_SELLER_ROLES:
        raise PermissionDenied(
            _("Only the vendor's customer success managers sell %(programme)s.")
            % {"programme": p.name}
        )


def _require_partner_of(actor: Any, customer: Organisation) -> Organisation:
    scope = scope_of(actor)
    require(
        actor,
        can_create_subscription,
        customer,
        _("Only a certified DaaS partner creates subscriptions."),
    )
    if not PartnerCustomer.objects.filter(
        partner_id=scope.organisation_id, customer=customer
    ).exists():
        raise PermissionDenied(
            _("%(customer)s is not one of your DaaS customers.") % {"customer": customer}
        )
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
    programme_code: str | None = None,
) -> Subscription:
    """A per-device subscription for a customer (R-DS-1..4), under ``programme_code``
    (default: the default per-device programme). A partner-sold programme
    (``sold_by = "partner"``) is sold by a certified partner to one of its customers; a
    vendor-sold one by the vendor's CSMs, with no partner (R-PRG-1).

    Refused with EVERY reason at once (region, end-of-sale, extended cover on a
    non-voice model, …): the ValidationError lists them all; nothing is saved.
    Devices are enrolled now; each device's term starts on delivery (R-DS-2).
    """
    try:
        p = programme(programme_code)
    except ProgrammeError:
        raise ValidationError(
            {"programme_code": [_("No programme %(code)s.") % {"code": repr(programme_code)}]}
        ) from None
    if p.kind != ProgrammeKind.PER_DEVICE:
        raise ValidationError(
            {
                "programme_code": [
                    _("%(programme)s is not a per-device programme.") % {"programme": p.name}
                ]
            }
        )
    partner: Organisation | None = None
    if p.sold_by == BY_PARTNER:
        partner = _require_partner_of(actor, customer)
    else:
        _require_vendor_seller(actor, p)
    on = on or timezone.localdate()
    errors: list[dict[str, str]] = []
    if site.organisation_id != customer.pk:
        errors.append(
            {
                "field": "site",
                "code": "site",
                "reason": _("%(site)s is not a site of %(customer)s.")
                % {"site": site, "customer": customer},
            }
        )
    if not items:
        errors.append(
            {"field": "items", "code": "items", "reason": _("Enrol at least one device.")}
        )
    term = term_months or p.default_term_months
    if term < 1 or term > 120:
        errors.append(
            {"field": "term_months", "code": "term", "reason": _("The term is 1 to 120 months.")}
        )
    if distributor is not None and distributor.kind != OrganisationKind.DISTRIBUTION_PARTNER:
        errors.append(
            {
                "field": "distributor",
                "code": "distributor",
                "reason": _("%(organisation)s is not a distribution partner.")
                % {"organisation": distributor},
            }
        )
    # R-MON-1: the subscription is in the currency of whoever the vendor invoices: the
    # partner, or the customer for a programme the vendor sells itself; priced from that
    # currency's price list, never another currency's.
    billed = partner or customer
    currency = (billed.currency or "").upper()
    if currency not in supported_currencies():
        errors.append(
            {
                "field": "currency",
                "code": "currency",
                "reason": _("%(partner)s is billed in %(currency)s, a currency we do not sell in.")
                % {"partner": billed, "currency": currency or "—"},
            }
        )
        errors.extend(enrolment_refusals(site, items, on, settings=p))
    else:
        errors.extend(enrolment_refusals(site, items, on, currency, settings=p))
    if errors:
        raise ValidationError(_group(errors))
    subscription = Subscription.objects.create(
        reference=_next_reference(),
        partner=partner,
        customer=customer,
        site=site,
        distributor=distributor,
        term_months=term,
        currency=currency,
        status=SubscriptionStatus.ACTIVE,
        programme_code=p.code,
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
        for _n in range(item.quantity):
            enrolments.append(
                SubscribedDevice(
                    subscription=subscription,
                    device=next(it),
                    product_model=item.product_model,
                    monthly_price=item.product_model.daas_monthly_price_in(currency),
                    extended_cover=item.extended_cover,
                    enrolled_on=on,
                )
            )
    SubscribedDevice.objects.bulk_create(enrolments)
    log_change(subscription, "daas.subscription_created", actor=actor)
    return subscription


def request_extended_cover(*, actor: Any, device: SubscribedDevice) -> None:
    """R-DS-4: extended cover can only be chosen at enrolment: always refused afterwards,
    with every reason (non-voice model too)."""
    country = device.subscription.site.country
    category = device.product_model.category.code
    end_of_sale = device.product_model.end_of_sale_announced_on
    problems = daas_rules.enrolment_problems(
        country=country,
        category=category,
        end_of_sale_announced=end_of_sale,
        on=timezone.localdate(),
        extended_cover=True,
        at_enrolment=False,
        programme=device.subscription.programme,
    )
    if device.extended_cover:
        raise ValidationError(_("This device already has extended cover."))
    raise ValidationError(
        [
            refusal_message(
                p,
                country=country,
                category=category,
                end_of_sale=end_of_sale,
                settings=device.subscription.programme,
            )
            for p in problems
        ]
    )


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
    require(
        actor,
        can_record_delivery,
        subscription,
        _("Only the distributor, the partner or service operations record deliveries."),
    )
    if scope.is_partner and subscription.partner_id != scope.organisation_id:
        raise PermissionDenied(_("This is not your subscription."))
    if scope.is_distributor and subscription.distributor_id != scope.organisation_id:
        raise PermissionDenied(_("You are not the distributor delivering this subscription."))
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": [_("A delivery date cannot be in the future.")]})
    qs = SubscribedDevice.objects.select_for_update().filter(subscription=subscription)
    if device_ids:
        found = list(qs.filter(pk__in=device_ids))
        missing = sorted(set(device_ids) - {d.pk for d in found})
        errors = [
            _("Device %(device)s is not in %(reference)s.")
            % {"device": pk, "reference": subscription.reference}
            for pk in missing
        ]
        errors += [
            _("Device %(device)s was already delivered on %(date)s.")
            % {"device": d.pk, "date": d.delivered_on}
            for d in found
            if d.delivered_on is not None
        ]
        if errors:
            raise ValidationError({"device_ids": errors})
        targets = found
    else:
        targets = list(qs.filter(delivered_on__isnull=True))
        if not targets:
            raise ValidationError(
                _("Every device of %(reference)s is already delivered.")
                % {"reference": subscription.reference}
            )
    for device in targets:
        if delivered_on < device.enrolled_on:
            raise ValidationError(
                {
                    "delivered_on": [
                        _("Delivery cannot precede enrolment (%(date)s).")
                        % {"date": device.enrolled_on}
                    ]
                }
            )
        start, end = daas_rules.device_term(delivered_on, subscription.term_months)
        device.delivered_on = delivered_on
        device.term_start, device.term_end = start, end
    SubscribedDevice.objects.bulk_update(targets, ["delivered_on", "term_start", "term_end"])
    log_change(
        subscription,
        "daas.delivery_recorded",
        actor=actor,
        after={"delivered_on": delivered_on, "devices": [d.pk for d in targets]},
    )
    return targets


def devices_under_contract(customer_id: int, on: date) -> int:
    """R-DS-5: devices under contract for a customer at a date: enrolled, term not ended,
    not replaced (the replacement counts in its place)."""
    return SubscribedDevice.objects.under_contract(customer_id, on).count()


@dataclass(frozen=True)
class ThresholdView:
    year: int
    devices: int
    replacements: int
    rate_pct: Any
    threshold_pct: Any
    next_is_chargeable: bool
    over_threshold: bool = False  # the year's replacements so far are already above it


def threshold_overview(
    customer_id: int, on: date, programme_code: str | None = None
) -> ThresholdView | None:
    """Where a customer stands against a per-device programme's yearly threshold (R-DS-5)
    on a date (default: the default per-device programme); None when the programme has
    no threshold."""
    p = programme(programme_code)
    t = p.replacement_threshold
    if t is None:
        return None
    devices = SubscribedDevice.objects.under_contract(customer_id, on, p.code).count()
    count = ReplacementOrder.objects.extended_cover_in_year(
        customer_id, on.year, programme=p
    ).count()
    if devices:
        current = daas_rules.threshold_status(count, devices, t)
        nxt = daas_rules.next_replacement_status(count, devices, t)
        return ThresholdView(
            on.year, devices, count, current.rate_pct, t * 100, nxt.chargeable, current.chargeable
        )
    return ThresholdView(on.year, 0, count, None, t * 100, False)
