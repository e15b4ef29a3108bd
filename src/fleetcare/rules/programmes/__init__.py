"""Programme settings as data (R-PRG-1, docs/programmes.md §12; every "programme setting"
of R-PE-*, R-DS-*, R-RMA-*, R-SUP-2).

Each programme is one TOML file named after its code: the files of this package plus
those of every directory listed in the ``FLEETCARE_PROGRAMME_DIRS`` environment
variable (``os.pathsep``-separated), so a deployment adds a programme by dropping a
file. A programme declares its **kind** (``account_wide``: one contract covers an
account's fleet by category; ``per_device``: each device has its own term) and its
features (who sells it, who may open cases, whose calendar the clock runs on,
replacement settings, extended cover, threshold, options). Code branches on kind and
features, never on a programme's code.

Files are validated with Pydantic; any problem (a bad value, an impossible combination
of features, two files with one code) raises :class:`ProgrammeError` whose message
names the file, the key and the problem. :func:`registry` holds every programme;
:func:`load_programme`, :func:`programmes_of_kind` and :func:`default_programme` look
them up.

TOML floats are parsed as :class:`~decimal.Decimal`, so ``band = 0.05`` is exact.
Region tables are lists of ISO 3166-1 alpha-2 codes validated against pycountry;
display names come from pycountry (:meth:`Programme.region_countries`).
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "ACCOUNT_WIDE",
    "CASE_OPENERS",
    "KINDS",
    "OPTIONS",
    "PER_DEVICE",
    "PROGRAMME_DIR",
    "PROGRAMME_DIRS_ENV",
    "CaseOpeners",
    "ClockKind",
    "Option",
    "Programme",
    "ProgrammeError",
    "ProgrammeKind",
    "Registry",
    "SEVERITIES",
    "ServiceLevel",
    "Severity",
    "SoldBy",
    "SupportCalendar",
    "all_programmes",
    "default_programme",
    "load_programme",
    "load_programme_file",
    "programme_dirs",
    "programmes_of_kind",
    "registry",
    "reload",
]

PROGRAMME_DIR = Path(__file__).resolve().parent
PROGRAMME_DIRS_ENV = "FLEETCARE_PROGRAMME_DIRS"
Severity = Literal["S1", "S2", "S3", "S4"]
SEVERITIES: tuple[Severity, ...] = ("S1", "S2", "S3", "S4")
ClockKind = Literal["24x7", "business_hours"]

# R-PRG-1: the kind of a programme decides which record entitles a device.
ProgrammeKind = Literal["account_wide", "per_device"]
ACCOUNT_WIDE: ProgrammeKind = "account_wide"
PER_DEVICE: ProgrammeKind = "per_device"
KINDS: tuple[ProgrammeKind, ...] = (ACCOUNT_WIDE, PER_DEVICE)
# Who sells it: the vendor (to the customer, possibly through a distributor) or a
# certified partner (who then serves its customers).
SoldBy = Literal["vendor", "partner"]
# Who may open cases: the customer's own users, or only the partner that sold the
# device (level-1 support for partners only; end users are sent to their partner).
CaseOpeners = Literal["customer", "partner_only"]
CASE_OPENERS: tuple[CaseOpeners, ...] = ("customer", "partner_only")
# Whose business calendar a business-hours clock runs on; "none" = round the clock.
SupportCalendar = Literal["none", "partner", "customer"]
# Paid options an account-wide contract may carry (R-PE-8, R-RMA-6).
Option = Literal["extra_csm_block", "technical_account_management", "onsite_destruction"]
OPTIONS: tuple[Option, ...] = (
    "extra_csm_block",
    "technical_account_management",
    "onsite_destruction",
)


# Feature values that read like organisation kinds (they are programme data, not roles).
BY_PARTNER = "partner"
BY_CUSTOMER = "customer"


class ProgrammeError(ValueError):
    """A programme file is missing, malformed or invalid; the message names file, key, problem."""


class ServiceLevel(BaseModel):
    """Service-level targets of one severity (R-SUP-2), in minutes on the given clock."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clock: ClockKind
    first_response_minutes: int = Field(gt=0)
    update_minutes: int = Field(gt=0)
    solution_minutes: int = Field(gt=0)


class Programme(BaseModel):
    """A support programme's settings (docs/programmes.md §4, §5, §6, §7)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    # R-PRG-1: kind and features
    kind: ProgrammeKind
    # The programme new records of its kind get when none is named (one per kind).
    default_of_kind: bool = False
    sold_by: SoldBy
    case_openers: CaseOpeners
    support_calendar: SupportCalendar
    options: tuple[Option, ...] = ()
    # R-PE-8 / R-SW-1 / R-POR-1: the programme's records entitle software downloads
    # (firmware and documents) for the devices they cover.
    software_updates: bool = False
    # R-PE-8: the account's device-management premium features are on while a contract
    # of the programme is in force (account-wide programmes only).
    premium_device_management: bool = False
    default_term_months: int = Field(gt=0, le=120)
    covered_categories: tuple[str, ...]
    quote_only_classes: tuple[str, ...] = ()

    # R-PE-2..5
    band: Decimal | None = Field(default=None, ge=0, lt=1)
    upfront_growth_share: Decimal | None = Field(default=None, ge=0, le=1)
    proration_basis: Literal["monthly", "daily"] = "monthly"

    # R-RMA-2, R-RMA-3
    replacement_cutoff_hour: int = Field(ge=0, le=23)
    return_window_business_days: int = Field(gt=0)

    # R-SUP-2
    service_levels: dict[Severity, ServiceLevel]
    # R-SUP-2: warn the owner and the queue when less than this share of a target is left.
    breach_warning_share: Decimal = Field(default=Decimal("0.25"), gt=0, lt=1)

    # R-DS-1, R-DS-4, R-DS-5
    replacement_threshold: Decimal | None = Field(default=None, ge=0, le=1)
    regions: dict[str, tuple[str, ...]] = {}
    extended_cover_categories: tuple[str, ...] = ()
    extended_cover_causes: tuple[str, ...] = ()
    excluded_causes: tuple[str, ...] = ()

    @field_validator("regions")
    @classmethod
    def _iso_codes(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        seen: dict[str, str] = {}
        for region, codes in value.items():
            for code in codes:
                if pycountry.countries.get(alpha_2=code) is None or code != code.upper():
                    raise ValueError(
                        f"region {region!r}: {code!r} is not an ISO 3166-1 alpha-2 country code"
                    )
                if code in seen:
                    raise ValueError(f"{code} is in both {seen[code]!r} and {region!r}")
                seen[code] = region
        return value

    @field_validator("service_levels")
    @classmethod
    def _all_severities(cls, value: dict[Severity, ServiceLevel]) -> dict[Severity, ServiceLevel]:
        missing = [s for s in SEVERITIES if s not in value]
        if missing:
            raise ValueError(f"missing severities {', '.join(missing)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Programme:
        overlap = set(self.covered_categories) & set(self.quote_only_classes)
        if overlap:
            raise ValueError(f"categories both covered and quote-only: {sorted(overlap)}")
        both = set(self.extended_cover_causes) & set(self.excluded_causes)
        if both:
            raise ValueError(f"causes both extended-cover and excluded: {sorted(both)}")
        problems = self._feature_problems()
        if problems:
            raise ValueError("; ".join(f"{key}: {why}" for key, why in problems))
        return self

    def _feature_problems(self) -> list[tuple[str, str]]:
        """Combinations of kind and features that cannot work, as ``(key, problem)``."""
        out: list[tuple[str, str]] = []
        if self.case_openers == "partner_only" and self.sold_by != BY_PARTNER:
            out.append(("case_openers", "'partner_only' needs sold_by = 'partner'"))
        if self.support_calendar == BY_PARTNER and self.sold_by != BY_PARTNER:
            out.append(("support_calendar", "'partner' needs sold_by = 'partner'"))
        clocks = {level.clock for level in self.service_levels.values()}
        if "business_hours" in clocks and self.support_calendar == "none":
            out.append(
                (
                    "support_calendar",
                    "business-hours service levels need a calendar ('partner' or 'customer')",
                )
            )
        if clocks == {"24x7"} and self.support_calendar != "none":
            out.append(
                (
                    "support_calendar",
                    f"{self.support_calendar!r} but every service level runs 24x7; use 'none'",
                )
            )
        if self.kind == ACCOUNT_WIDE:
            for key in ("band", "upfront_growth_share"):
                if getattr(self, key) is None:
                    out.append((key, "required for kind = 'account_wide'"))
            for key in ("regions", "extended_cover_categories", "replacement_threshold"):
                if getattr(self, key):
                    out.append((key, "only for kind = 'per_device'"))
        else:
            for key in ("band", "upfront_growth_share", "options", "premium_device_management"):
                if getattr(self, key):
                    out.append((key, "only for kind = 'account_wide'"))
        if bool(self.extended_cover_categories) != bool(self.extended_cover_causes):
            out.append(
                (
                    "extended_cover_causes",
                    "extended cover needs both extended_cover_categories and "
                    "extended_cover_causes (both empty = no extended cover)",
                )
            )
        outside = sorted(set(self.extended_cover_categories) - set(self.covered_categories))
        if outside:
            out.append(("extended_cover_categories", f"not covered categories: {outside}"))
        if self.replacement_threshold is not None and not self.extended_cover_categories:
            out.append(
                (
                    "replacement_threshold",
                    "counts extended-cover replacements: needs extended cover",
                )
            )
        return out

    @property
    def partner_only(self) -> bool:
        """Only the partner that sold the device opens cases (R-DS-6)."""
        return self.case_openers == "partner_only"

    @property
    def has_extended_cover(self) -> bool:
        """Extended cover may be chosen at enrolment (R-DS-4)."""
        return bool(self.extended_cover_categories)

    def region_of(self, country: str) -> str | None:
        """The region whose table lists ``country`` (R-DS-1), else None."""
        code = country.strip().upper()
        for region, codes in self.regions.items():
            if code in codes:
                return region
        return None

    def region_countries(self, region: str) -> list[tuple[str, str]]:
        """``(code, name)`` pairs of a region, names from pycountry (R-DS-1)."""
        out: list[tuple[str, str]] = []
        for code in self.regions.get(region, ()):
            country = pycountry.countries.get(alpha_2=code)
            out.append((code, str(getattr(country, "name", code))))
        return out


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"])
        if not key:  # a whole-file check: its message starts with the key(s) concerned
            parts.append(msg.removeprefix("Value error, "))
        else:
            parts.append(f"{key}: {msg}")
    return "; ".join(parts)


def load_programme_file(path: str | Path) -> Programme:
    """Load and validate one programme TOML file; :class:`ProgrammeError` on any problem."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh, parse_float=Decimal)
    except FileNotFoundError as exc:
        raise ProgrammeError(f"{p}: (file): no such programme file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProgrammeError(f"{p}: (syntax): {exc}") from exc
    try:
        programme = Programme.model_validate(data)
    except ValidationError as exc:
        raise ProgrammeError(f"{p}: {_describe(exc)}") from exc
    if programme.code != p.stem:
        raise ProgrammeError(
            f"{p}: code: {programme.code!r} does not match the file name {p.stem!r}"
        )
    return programme


def programme_dirs(extra: str | None = None) -> tuple[Path, ...]:
    """This package's directory, then those named in ``FLEETCARE_PROGRAMME_DIRS``
    (or in ``extra``)."""
    if extra is None:
        extra = os.environ.get(PROGRAMME_DIRS_ENV, "")
    return (PROGRAMME_DIR, *(Path(d) for d in extra.split(os.pathsep) if d.strip()))


@dataclass(frozen=True)
class Registry:
    """Every programme found, by code, with the default programme of each kind."""

    programmes: Mapping[str, Programme]
    files: Mapping[str, Path]
    defaults: Mapping[str, str]
    dirs: tuple[Path, ...]

    def get(self, code: str) -> Programme:
        try:
            return self.programmes[code]
        except KeyError:
            where = ", ".join(str(d) for d in self.dirs)
            raise ProgrammeError(
                f"{code!r}: (code): no such programme file {code}.toml in {where}"
            ) from None

    def of_kind(self, kind: ProgrammeKind) -> tuple[Programme, ...]:
        return tuple(p for _code, p in sorted(self.programmes.items()) if p.kind == kind)

    def default(self, kind: ProgrammeKind) -> Programme:
        code = self.defaults.get(kind)
        if code is None:
            found = ", ".join(p.code for p in self.of_kind(kind)) or "none"
            raise ProgrammeError(
                f"{kind!r}: default_of_kind: no default programme of this kind "
                f"(programmes: {found}); mark one with default_of_kind = true"
            )
        return self.programmes[code]


def _build_registry(dirs: tuple[Path, ...]) -> Registry:
    programmes: dict[str, Programme] = {}
    files: dict[str, Path] = {}
    for directory in dirs:
        if not directory.is_dir():
            raise ProgrammeError(
                f"{directory}: (directory): not a directory (named in {PROGRAMME_DIRS_ENV})"
            )
        for path in sorted(directory.glob("*.toml")):
            programme = load_programme_file(path)
            if programme.code in programmes:
                raise ProgrammeError(
                    f"{path}: code: {programme.code!r} is already defined by "
                    f"{files[programme.code]}"
                )
            programmes[programme.code] = programme
            files[programme.code] = path
    defaults: dict[str, str] = {}
    for kind in KINDS:
        of_kind = [p for p in programmes.values() if p.kind == kind]
        marked = [p for p in of_kind if p.default_of_kind]
        if len(marked) > 1:
            raise ProgrammeError(
                f"{files[marked[1].code]}: default_of_kind: {marked[0].code!r} "
                f"({files[marked[0].code]}) is already the default {kind!r} programme"
            )
        if marked:
            defaults[kind] = marked[0].code
        elif len(of_kind) == 1:
            defaults[kind] = of_kind[0].code
    return Registry(programmes, files, defaults, dirs)


@functools.lru_cache(maxsize=8)
def _registry_for(env_value: str) -> Registry:
    return _build_registry(programme_dirs(env_value))


def registry() -> Registry:
    """Every programme of :func:`programme_dirs` (cached per value of the variable)."""
    return _registry_for(os.environ.get(PROGRAMME_DIRS_ENV, ""))


def reload() -> None:
    """Forget the loaded programmes (after a file changed in place)."""
    _registry_for.cache_clear()


def load_programme(code: str) -> Programme:
    """The programme of that code, from ``<code>.toml`` in one of the programme dirs."""
    if not code or not code.replace("_", "").isalnum() or code != code.lower():
        raise ProgrammeError(f"{code!r}: (code): not a programme code")
    return registry().get(code)


def all_programmes() -> tuple[Programme, ...]:
    """Every programme, by code."""
    return tuple(p for _code, p in sorted(registry().programmes.items()))


def programmes_of_kind(kind: ProgrammeKind) -> tuple[Programme, ...]:
    """The programmes of one kind, by code."""
    return registry().of_kind(kind)


def default_programme(kind: ProgrammeKind) -> Programme:
    """The programme a new record of that kind gets when none is named."""
    return registry().default(kind)
