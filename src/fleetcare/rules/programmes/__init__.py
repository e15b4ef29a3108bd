"""Programme settings as data (docs/programmes.md §12; R-PE-*, R-DS-*, R-RMA-*, R-SUP-2).

Each programme is one TOML file in this package, named after its code. It is
loaded with :func:`load_programme` and validated with Pydantic; any problem raises
:class:`ProgrammeError` whose message names the file, the key and the problem. A
new programme is a new file, not new code.

TOML floats are parsed as :class:`~decimal.Decimal`, so ``band = 0.05`` is exact.
Region tables are lists of ISO 3166-1 alpha-2 codes validated against pycountry;
display names come from pycountry (:meth:`Programme.region_countries`).
"""

from __future__ import annotations

import functools
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "PROGRAMME_DIR",
    "ClockKind",
    "Programme",
    "ProgrammeError",
    "ServiceLevel",
    "Severity",
    "SEVERITIES",
    "load_programme",
    "load_programme_file",
]

PROGRAMME_DIR = Path(__file__).resolve().parent
Severity = Literal["S1", "S2", "S3", "S4"]
SEVERITIES: tuple[Severity, ...] = ("S1", "S2", "S3", "S4")
ClockKind = Literal["24x7", "business_hours"]


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
    daas_threshold: Decimal | None = Field(default=None, ge=0, le=1)
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
        return self

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
        key = ".".join(str(p) for p in err["loc"]) or "(file)"
        parts.append(f"{key}: {err['msg']}")
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


@functools.lru_cache(maxsize=32)
def load_programme(code: str) -> Programme:
    """The programme of that code, from ``programmes/<code>.toml`` (cached)."""
    if not code or not code.replace("_", "").isalnum() or code != code.lower():
        raise ProgrammeError(f"{code!r}: (code): not a programme code")
    return load_programme_file(PROGRAMME_DIR / f"{code}.toml")
