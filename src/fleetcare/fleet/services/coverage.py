"""Automatic coverage of a device (R-FLT-3, R-CAT-3, R-DS-3)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from fleetcare.core.programmes import ProgrammeKind, default_programme, programme_name
from fleetcare.fleet.models import (
    Device,
    DeviceStatus,
)


@dataclass(frozen=True)
class Coverage:
    """R-FLT-3 / R-CAT-3 / R-DS-3: whether a device is covered on a date, and why."""

    covered: bool
    on: date
    programme: str | None = None
    programme_name: str | None = None
    contract_id: int | None = None
    contract_reference: str | None = None
    subscription_reference: str | None = None
    covered_from: date | None = None
    covered_to: date | None = None
    reason: str | None = None  # code when not covered
    explanation: str = ""


REASONS = {
    "no_contract": "The account has no Poly+ Enterprise contract in force on that date.",
    "category_not_chosen": "The device's category is not one the contract covers.",
    "quote_only": "Quote-only class: never covered automatically, it needs its own quote line.",
    "end_of_support": "The model is past its end-of-support date.",
    "not_in_fleet": "The device was not yet in the fleet on that date.",
    "not_active": "The device is retired or replaced.",
}


def coverage_for_many(devices: list[Device], on: date) -> dict[int, Coverage]:
    """Coverage of several devices on ``on`` in a constant number of queries."""
    from fleetcare.contracts.models import ContractCategory, EnterpriseContract
    from fleetcare.daas.models import SubscribedDevice

    default_account_wide = default_programme(ProgrammeKind.ACCOUNT_WIDE)
    device_ids = [d.pk for d in devices]
    enrolments = {
        e.device_id: e
        for e in SubscribedDevice.objects.filter(
            device_id__in=device_ids,
            term_start__lte=on,
            term_end__gte=on,
            subscription__status="active",
        ).select_related("subscription")
    }
    contracts = {
        c.account_id: c
        for c in EnterpriseContract.objects.in_force(on)
        .filter(account_id__in={d.account_id for d in devices})
        .order_by("start_date")
    }
    programmes_of = {c.pk: c.programme for c in contracts.values()}
    chosen: dict[int, set[int]] = defaultdict(set)
    for contract_id, cat in ContractCategory.objects.filter(
        contract_id__in=[c.pk for c in contracts.values()]
    ).values_list("contract_id", "category_id"):
        chosen[contract_id].add(cat)
    out: dict[int, Coverage] = {}
    for d in devices:
        model = d.product_model
        cat = model.category
        enrolment = enrolments.get(d.pk)
        if enrolment is not None:
            code = enrolment.subscription.programme_code
            out[d.pk] = Coverage(
                True,
                on,
                code,
                programme_name(code),
                subscription_reference=enrolment.subscription.reference,
                covered_from=enrolment.term_start,
                covered_to=enrolment.term_end,
            )
            continue

        def no(reason: str, d: Device = d) -> Coverage:
            return Coverage(False, on, reason=reason, explanation=REASONS[reason])

        contract = contracts.get(d.account_id)
        pe = programmes_of[contract.pk] if contract is not None else default_account_wide
        if d.status != DeviceStatus.ACTIVE:
            out[d.pk] = no("not_active")
        elif cat.quote_only or cat.code in pe.quote_only_classes:
            out[d.pk] = no("quote_only")
        elif contract is None:
            out[d.pk] = no("no_contract")
        elif cat.pk not in chosen[contract.pk] or cat.code not in pe.covered_categories:
            out[d.pk] = no("category_not_chosen")
        elif model.is_past_end_of_support(on):
            out[d.pk] = no("end_of_support")
        elif d.first_seen_on > on:
            out[d.pk] = no("not_in_fleet")
        else:
            until = contract.end_date
            if model.end_of_support_on is not None:
                until = min(until, model.end_of_support_on - timedelta(days=1))
            out[d.pk] = Coverage(
                True,
                on,
                pe.code,
                pe.name,
                contract_id=contract.pk,
                contract_reference=contract.reference,
                covered_from=max(contract.start_date, d.first_seen_on),
                covered_to=until,
            )
    return out


def coverage_for(device: Device, on: date | None = None) -> Coverage:
    """R-FLT-3: covered from the day a device appears in an account with a P+E contract in
    force, in a chosen category, unless quote-only (R-CAT-2) or past end-of-support
    (R-CAT-3); a DaaS device is covered for its term even past end-of-support (R-DS-3)."""
    on = on or timezone.localdate()
    return coverage_for_many([device], on)[device.pk]
