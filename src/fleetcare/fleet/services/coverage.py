"""Automatic coverage of a device (R-FLT-3, R-CAT-2, R-CAT-3, R-DS-3).

The decision is :func:`fleetcare.rules.coverage.decide`; this module gathers the facts
from the database (in a constant number of queries) and keeps the reason as a code with
its parameters. :attr:`Coverage.explanation` writes the sentence in the active language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from fleetcare.core.programmes import (
    ProgrammeKind,
    default_programme,
    programme,
    programme_name,
)
from fleetcare.fleet.coverage_messages import REASONS, explain
from fleetcare.fleet.models import (
    Device,
    DeviceStatus,
)
from fleetcare.rules import coverage as rules

__all__ = ["REASONS", "Coverage", "coverage_for", "coverage_for_many"]


@dataclass(frozen=True)
class Coverage:
    """R-FLT-3 / R-CAT-3 / R-DS-3: whether a device is covered on a date, and why."""

    covered: bool
    on: date
    programme: str | None = None
    programme_name: str | None = None
    contract_id: int | None = None
    contract_reference: str | None = None
    subscription_id: int | None = None
    subscription_reference: str | None = None
    covered_from: date | None = None
    covered_to: date | None = None
    reason: str | None = None  # a rules.coverage.Reason code when not covered
    params: Mapping[str, Any] = field(default_factory=dict)  # the reason's parameters

    @property
    def explanation(self) -> str:
        """Why not covered, in the active language ("" when covered)."""
        return explain(self.reason, self.params)


def _coverage(decision: rules.CoverageDecision) -> Coverage:
    return Coverage(
        decision.covered,
        decision.on,
        decision.programme,
        programme_name(decision.programme) if decision.programme else None,
        contract_id=decision.contract_id,
        contract_reference=decision.contract_reference,
        subscription_id=decision.subscription_id,
        subscription_reference=decision.subscription_reference,
        covered_from=decision.covered_from,
        covered_to=decision.covered_to,
        reason=decision.reason,
        params=dict(decision.params),
    )


def coverage_for_many(devices: list[Device], on: date) -> dict[int, Coverage]:
    """Coverage of several devices on ``on`` in a constant number of queries."""
    from fleetcare.contracts.models import EnterpriseContract
    from fleetcare.daas.models import SubscribedDevice

    # R-PRG-1: each contract's own programme; without a contract, the default one.
    # Plain rows (values_list), two queries: at 50–200 devices a page, building model
    # instances cost more than the queries themselves.
    default_account_wide = default_programme(ProgrammeKind.ACCOUNT_WIDE)
    enrolments = {
        device_id: rules.Enrolment(code, start, end, subscription_id, reference)
        for device_id, code, start, end, subscription_id, reference in (
            SubscribedDevice.objects.filter(
                device_id__in=[d.pk for d in devices],
                term_start__lte=on,
                term_end__gte=on,
                subscription__status="active",
            ).values_list(
                "device_id",
                "subscription__programme_code",
                "term_start",
                "term_end",
                "subscription_id",
                "subscription__reference",
            )
        )
    }
    # The contract in force of each account (the latest started, as before) with its
    # chosen categories, in one query (a contract without categories gives one row).
    rows = (
        EnterpriseContract.objects.in_force(on)
        .filter(account_id__in={d.account_id for d in devices})
        .order_by("start_date", "pk")
        .values_list(
            "account_id",
            "pk",
            "programme_code",
            "start_date",
            "end_date",
            "reference",
            "categories__category__code",
        )
    )
    in_force: dict[int, tuple[Any, ...]] = {}
    chosen: dict[int, set[str]] = defaultdict(set)
    for account_id, pk, code, start, end, reference, category in rows:
        in_force[account_id] = (pk, code, start, end, reference)
        if category:
            chosen[pk].add(category)
    contracts = {
        account_id: rules.AccountContract(code, start, end, frozenset(chosen[pk]), pk, reference)
        for account_id, (pk, code, start, end, reference) in in_force.items()
    }
    programme_of = {
        account_id: programme(code) for account_id, (_pk, code, *_r) in in_force.items()
    }
    out: dict[int, Coverage] = {}
    for d in devices:
        model = d.product_model
        facts = rules.DeviceFacts(
            model.category.code,
            d.first_seen_on,
            active=d.status == DeviceStatus.ACTIVE,
            category_quote_only=model.category.quote_only,
            end_of_support_on=model.end_of_support_on,
        )
        pe = programme_of.get(d.account_id, default_account_wide)
        decision = rules.decide(
            facts,
            on,
            enrolment=enrolments.get(d.pk),
            contract=contracts.get(d.account_id),
            covered_categories=pe.covered_categories,
            quote_only_classes=pe.quote_only_classes,
            account_programme=pe.code,
        )
        out[d.pk] = _coverage(decision)
    return out


def coverage_for(device: Device, on: date | None = None) -> Coverage:
    """R-FLT-3: covered from the day a device appears in an account with a P+E contract in
    force, in a chosen category, unless quote-only (R-CAT-2) or past end-of-support
    (R-CAT-3); a DaaS device is covered for its term even past end-of-support (R-DS-3)."""
    on = on or timezone.localdate()
    return coverage_for_many([device], on)[device.pk]
