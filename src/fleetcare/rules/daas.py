"""Per-device programme rules, after Device-as-a-Service (R-DS-1 .. R-DS-5, R-DS-7).

Settings (regions, categories, causes, threshold) come from the programme's file;
each function takes an optional ``programme`` and defaults to the default
``per_device`` programme of the registry.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from .calendars import UnknownRegion, normalise_country
from .enterprise import add_months
from .money import Money, round_money
from .programmes import PER_DEVICE, Programme, default_programme

__all__ = [
    "Refusal",
    "ThresholdStatus",
    "device_term",
    "enrolment_problems",
    "is_excluded_cause",
    "is_extended_cover_cause",
    "monthly_fee",
    "next_replacement_status",
    "over_threshold_charge",
    "region_of",
    "replacement_term",
    "threshold_status",
]


def _programme(programme: Programme | None) -> Programme:
    return programme if programme is not None else default_programme(PER_DEVICE)


def region_of(country: str, programme: Programme | None = None) -> str | None:
    """R-DS-1: the DaaS region (``"north_america"``, ``"emea"``) of a country, else None.

    Raises :class:`~fleetcare.rules.calendars.UnknownRegion` for a code ISO does not know.
    """
    return _programme(programme).region_of(normalise_country(country))


def device_term(delivery_date: date, term_months: int) -> tuple[date, date]:
    """R-DS-2: a device's term starts on delivery; end inclusive = start + months − 1 day."""
    if term_months <= 0:
        raise ValueError("term_months must be positive")
    return delivery_date, add_months(delivery_date, term_months) - timedelta(days=1)


def replacement_term(original_start: date, original_end: date) -> tuple[date, date]:
    """R-DS-2 / R-RMA-5: a replacement device keeps the original's term; it never restarts."""
    if original_end < original_start:
        raise ValueError("term ends before it starts")
    return original_start, original_end


@dataclass(frozen=True, slots=True)
class Refusal:
    """One reason an enrolment is refused: a stable ``code`` and a readable ``message``."""

    code: str
    message: str


def enrolment_problems(
    country: str,
    category: str,
    end_of_sale_announced: date | None,
    on: date,
    extended_cover: bool,
    at_enrolment: bool,
    programme: Programme | None = None,
) -> list[Refusal]:
    """R-DS-1, R-DS-3, R-DS-4: every reason a DaaS enrolment (or a cover request) fails.

    ``at_enrolment`` is True for a new enrolment; False for a request on an already
    enrolled device (then only the extended-cover rules apply: region and
    end-of-sale were checked when it was enrolled, and R-DS-3 keeps its service).
    An empty list means accepted.
    """
    p = _programme(programme)
    problems: list[Refusal] = []
    if at_enrolment:
        try:
            region = p.region_of(normalise_country(country))
        except UnknownRegion:
            problems.append(Refusal("unknown_country", f"Unknown country code {country!r}."))
        else:
            if region is None and p.regions:  # no region table: offered everywhere
                regions = " and ".join(r.replace("_", " ").title() for r in p.regions)
                problems.append(
                    Refusal(
                        "region",
                        f"{p.name} is only offered in {regions}; {country.upper()} is not.",
                    )
                )
        if category not in p.covered_categories:
            problems.append(
                Refusal("category", f"Category {category!r} cannot be enrolled in {p.name}.")
            )
        if end_of_sale_announced is not None and on >= end_of_sale_announced:
            problems.append(
                Refusal(
                    "end_of_sale",
                    f"The model's end of sale was announced on {end_of_sale_announced}; "
                    "new enrolments are refused.",
                )
            )
    if extended_cover:
        if category not in p.extended_cover_categories:
            allowed = ", ".join(p.extended_cover_categories) or "no"
            problems.append(
                Refusal(
                    "extended_cover_category",
                    f"Extended cover is only for {allowed} devices, not {category!r}.",
                )
            )
        if not at_enrolment:
            problems.append(
                Refusal(
                    "extended_cover_not_at_enrolment",
                    "Extended cover can only be chosen at enrolment.",
                )
            )
    return problems


def is_excluded_cause(cause: str, programme: Programme | None = None) -> bool:
    """R-DS-4: never covered (fire, intentional damage, normal wear, cosmetic, theft, loss)."""
    return cause in _programme(programme).excluded_causes


def is_extended_cover_cause(cause: str, programme: Programme | None = None) -> bool:
    """R-DS-4: covered only under extended cover (spill, drop)."""
    return cause in _programme(programme).extended_cover_causes


@dataclass(frozen=True, slots=True)
class ThresholdStatus:
    """R-DS-5: the yearly replacement rate and whether this replacement is chargeable."""

    rate: Decimal
    chargeable: bool

    @property
    def rate_pct(self) -> Decimal:
        """The rate in percent, 2 decimals."""
        return round_money(self.rate * 100)


def threshold_status(
    replacements_authorised_including_this: int,
    devices_under_contract: int,
    threshold: Decimal | None = None,
) -> ThresholdStatus:
    """R-DS-5: rate = replacements this calendar year (this one included) ÷ devices under
    contract at the request date; chargeable when strictly above the threshold (2 %).

    3 of 150 (2.0 %) is within; the 4th (2.67 %) is chargeable. The rule only flags it.
    """
    if devices_under_contract <= 0:
        raise ValueError("devices_under_contract must be positive")
    if replacements_authorised_including_this < 0:
        raise ValueError("replacements must not be negative")
    t = threshold if threshold is not None else _programme(None).replacement_threshold
    if t is None:
        raise ValueError("the programme has no replacement threshold")
    n = Decimal(replacements_authorised_including_this)
    return ThresholdStatus(n / devices_under_contract, n > t * devices_under_contract)


def next_replacement_status(
    replacements_so_far: int,
    devices_under_contract: int,
    threshold: Decimal | None = None,
) -> ThresholdStatus:
    """R-DS-5: the status the *next* replacement would have: this calendar year's
    replacements so far, plus that one, over the devices under contract.

    150 voice devices: with 0, 1 or 2 so far the next one is within; with 3 so far
    (the next is the 4th) it is chargeable.
    """
    if replacements_so_far < 0:
        raise ValueError("replacements must not be negative")
    return threshold_status(replacements_so_far + 1, devices_under_contract, threshold)


def over_threshold_charge(list_price: Money) -> Money:
    """R-DS-5: a replacement over the yearly threshold is chargeable at the model's list
    price (in its currency, rounded to the cent). Billing decides; this is the amount."""
    if list_price.amount < 0:
        raise ValueError("list price must not be negative")
    return list_price.rounded()


@dataclass(frozen=True, slots=True)
class MonthShare:
    """R-DS-7: the part of a calendar month inside a device's term."""

    first_day: date  # first day billed in the month
    last_day: date  # last day billed in the month
    active_days: int
    days_in_month: int

    @property
    def full(self) -> bool:
        return self.active_days == self.days_in_month

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.active_days, self.days_in_month)


def month_share(month: date, term_start: date, term_end: date) -> MonthShare | None:
    """R-DS-7: days of ``month`` within ``[term_start, term_end]`` (inclusive); None when
    the term does not touch the month."""
    first = month.replace(day=1)
    days_in_month = monthrange(first.year, first.month)[1]
    last = first.replace(day=days_in_month)
    lo, hi = max(first, term_start), min(last, term_end)
    if hi < lo:
        return None
    return MonthShare(lo, hi, (hi - lo).days + 1, days_in_month)


def monthly_fee(monthly_price: Decimal, month: date, term_start: date, term_end: date) -> Decimal:
    """R-DS-7: one device's fee for ``month``; a partial first/last month pro rata by days.

    Days active = days of the month within ``[term_start, term_end]`` (inclusive);
    fee = price x active ÷ days in month, half up to the cent; 0 outside the term.
    """
    share = month_share(month, term_start, term_end)
    if share is None:
        return Decimal("0.00")
    if share.full:
        return round_money(monthly_price)
    return round_money(monthly_price * share.active_days / share.days_in_month)
