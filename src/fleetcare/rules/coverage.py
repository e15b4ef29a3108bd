"""Coverage of a device on a date, and what a fleet count leaves out (R-FLT-3, R-CAT-2,
R-CAT-3, R-DS-3).

Pure: the caller passes plain facts (the device, the account-wide contract in force,
the device's own enrolment) and gets a :class:`CoverageDecision` back. A decision that
says "not covered" carries a :class:`Reason` code and its parameters (dates, category
codes, ids), never a sentence: the sentence is written at display time, in the reader's
language, by the application layer.

Two kinds of cover exist:

- an **enrolment** of the device itself for a term (per-device programmes, like DaaS):
  covered from term start to term end, even past the model's end-of-support (R-DS-3);
- an **account-wide contract** (like Poly+ Enterprise): a device of a chosen category is
  covered from the day it appears in the account (R-FLT-3), unless its category is a
  quote-only class (R-CAT-2) or its model is past end-of-support (R-CAT-3).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "AccountContract",
    "CoverageDecision",
    "DeviceFacts",
    "Enrolment",
    "Param",
    "Reason",
    "count_exclusion",
    "decide",
    "is_past_end_of_support",
    "is_quote_only",
]

Param = str | int | date | None


class Reason(StrEnum):
    """Why a device is not covered, or why a count leaves it out. Stable codes (the API
    returns them; the French and English sentences are keyed by them)."""

    NOT_ACTIVE = "not_active"
    QUOTE_ONLY = "quote_only"
    NO_CONTRACT = "no_contract"
    CATEGORY_NOT_CHOSEN = "category_not_chosen"
    END_OF_SUPPORT = "end_of_support"
    NOT_IN_FLEET = "not_in_fleet"


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """What the rules need to know about one device and its model."""

    category: str
    first_seen_on: date
    active: bool = True
    category_quote_only: bool = False  # the catalogue marks the category quote-only
    end_of_support_on: date | None = None


@dataclass(frozen=True, slots=True)
class Enrolment:
    """The device's own term in a per-device programme (R-DS-2)."""

    programme: str
    term_start: date
    term_end: date
    subscription_id: int | None = None
    subscription_reference: str | None = None


@dataclass(frozen=True, slots=True)
class AccountContract:
    """An account-wide contract (R-PE-1): its term and the category codes it covers."""

    programme: str
    start: date
    end: date
    categories: frozenset[str]
    contract_id: int | None = None
    reference: str | None = None


def _no_params() -> Mapping[str, Param]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CoverageDecision:
    """Covered or not on ``on``; by what, from when to when; else a reason code and its
    parameters (:attr:`params`, plain values, to fill the reason's sentence)."""

    covered: bool
    on: date
    programme: str | None = None
    contract_id: int | None = None
    contract_reference: str | None = None
    subscription_id: int | None = None
    subscription_reference: str | None = None
    covered_from: date | None = None
    covered_to: date | None = None
    reason: Reason | None = None
    params: Mapping[str, Param] = field(default_factory=_no_params)


def is_quote_only(
    category: str, category_quote_only: bool, quote_only_classes: Collection[str]
) -> bool:
    """R-CAT-2: a quote-only class is never covered automatically (the programme's list,
    or the catalogue's flag on the category)."""
    return category_quote_only or category in quote_only_classes


def is_past_end_of_support(end_of_support_on: date | None, on: date) -> bool:
    """R-CAT-3: not covered by an account-wide contract from the end-of-support date."""
    return end_of_support_on is not None and end_of_support_on <= on


def count_exclusion(
    category: str,
    category_quote_only: bool,
    end_of_support_on: date | None,
    on: date,
    quote_only_classes: Collection[str],
) -> Reason | None:
    """R-CAT-2 / R-CAT-3 in a fleet count (R-PE-4): why devices of this model are left out
    of the covered count at ``on`` (``QUOTE_ONLY`` first, then ``END_OF_SUPPORT``), or
    None when they are counted."""
    if is_quote_only(category, category_quote_only, quote_only_classes):
        return Reason.QUOTE_ONLY
    if is_past_end_of_support(end_of_support_on, on):
        return Reason.END_OF_SUPPORT
    return None


def _not_covered(on: date, reason: Reason, /, **params: Param) -> CoverageDecision:
    return CoverageDecision(False, on, reason=reason, params=MappingProxyType(dict(params)))


def decide(
    device: DeviceFacts,
    on: date,
    *,
    enrolment: Enrolment | None = None,
    contract: AccountContract | None = None,
    covered_categories: Collection[str],
    quote_only_classes: Collection[str] = (),
    account_programme: str | None = None,
) -> CoverageDecision:
    """R-FLT-3 / R-CAT-2 / R-CAT-3 / R-DS-3: whether ``device`` is covered on ``on``.

    ``enrolment``: the device's per-device term, if any; it wins for its whole term,
    even past end-of-support (R-DS-3). ``contract``: the account's account-wide contract
    in force, if any. ``covered_categories`` / ``quote_only_classes``: the account-wide
    programme's settings; ``account_programme`` its code (a parameter of
    ``NO_CONTRACT``, defaulting to the contract's).

    Checked in this order: not active, quote-only, no contract, category not chosen,
    end-of-support, not yet in the fleet. Covered until the contract's end or the day
    before end-of-support, whichever is first.
    """
    if enrolment is not None and enrolment.term_start <= on <= enrolment.term_end:
        return CoverageDecision(
            True,
            on,
            enrolment.programme,
            subscription_id=enrolment.subscription_id,
            subscription_reference=enrolment.subscription_reference,
            covered_from=enrolment.term_start,
            covered_to=enrolment.term_end,
        )
    if not device.active:
        return _not_covered(on, Reason.NOT_ACTIVE)
    if is_quote_only(device.category, device.category_quote_only, quote_only_classes):
        return _not_covered(on, Reason.QUOTE_ONLY, category=device.category)
    if contract is None or not contract.start <= on <= contract.end:
        programme = account_programme or (contract.programme if contract else None)
        return _not_covered(on, Reason.NO_CONTRACT, programme=programme, on=on)
    if device.category not in contract.categories or device.category not in covered_categories:
        return _not_covered(
            on,
            Reason.CATEGORY_NOT_CHOSEN,
            category=device.category,
            contract_id=contract.contract_id,
            contract_reference=contract.reference,
        )
    if is_past_end_of_support(device.end_of_support_on, on):
        return _not_covered(on, Reason.END_OF_SUPPORT, end_of_support_on=device.end_of_support_on)
    if device.first_seen_on > on:
        return _not_covered(on, Reason.NOT_IN_FLEET, first_seen_on=device.first_seen_on)
    until = contract.end
    if device.end_of_support_on is not None:
        until = min(until, device.end_of_support_on - timedelta(days=1))
    return CoverageDecision(
        True,
        on,
        contract.programme,
        contract_id=contract.contract_id,
        contract_reference=contract.reference,
        covered_from=max(contract.start, device.first_seen_on),
        covered_to=until,
    )
