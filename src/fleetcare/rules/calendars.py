"""Business calendars and clocks (R-CAL-1, used by R-RMA-2/3, R-DS-6 and R-SUP-2).

A :class:`BusinessCalendar` is a country (and subdivision where known), a time
zone, working hours (default Mon-Fri 09:00-17:00) and the public holidays of that
country from the maintained ``holidays`` library, observed and substituted days
included (the library's default ``observed=True``). :class:`Calendar24x7` is the
round-the-clock clock of P+E support: every day is a business day and there is no
gap at midnight.

Day arithmetic conventions (shared by the scalar and bulk functions):

* ``next_business_day(d)`` is the first business day strictly after ``d``.
* ``add_business_days(d, n)`` with ``n >= 1`` is the n-th business day strictly
  after ``d`` (so 1 business day after a Saturday is the Monday); ``n == 0`` is
  ``d`` itself if a business day, else the next one; ``n < 0`` is the |n|-th
  business day strictly before ``d``.

Clock conventions: instants are aware datetimes; results are aware UTC datetimes.
Working hours are local wall-clock times in the calendar's zone, converted with
``zoneinfo`` day by day, so daylight-saving changes are handled. Pauses (a case
waiting on the customer) are closed ``(start, end)`` instant pairs; for a pause
still running pass the current instant as its end.
"""

from __future__ import annotations

import functools
import re
from calendar import monthrange
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import numpy as np
import numpy.typing as npt
import pycountry

__all__ = [
    "BusinessCalendar",
    "Calendar24x7",
    "Clock",
    "Pause",
    "UnknownRegion",
    "add_business_days_bulk",
    "calendar_for",
    "default_zone",
    "normalise_country",
    "normalise_subdivision",
]

Pause = tuple[datetime, datetime]
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
_DAY = timedelta(days=1)


class UnknownRegion(ValueError):
    """A country or subdivision code that ISO 3166 (pycountry) does not know (R-CAL-1)."""


class Clock(Protocol):
    """What service-level and replacement rules need from a calendar or a 24x7 clock."""

    @property
    def tz(self) -> ZoneInfo: ...

    def is_business_day(self, d: date) -> bool: ...

    def next_business_day(self, d: date) -> date: ...

    def add_business_days(self, d: date, n: int) -> date: ...

    def add_business_minutes(
        self, instant: datetime, minutes: float, pauses: Sequence[Pause] = ()
    ) -> datetime: ...

    def business_minutes_between(
        self, a: datetime, b: datetime, pauses: Sequence[Pause] = ()
    ) -> float: ...

    def business_time_between(
        self, a: datetime, b: datetime, pauses: Sequence[Pause] = ()
    ) -> timedelta: ...


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant must be timezone-aware: {instant!r}")
    return instant.astimezone(UTC)


def _merge(pauses: Iterable[Pause]) -> list[Pause]:
    spans = sorted((_utc(s), _utc(e)) for s, e in pauses)
    merged: list[Pause] = []
    for s, e in spans:
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _minus_pauses(windows: Iterator[Pause], pauses: list[Pause]) -> Iterator[Pause]:
    """Working windows (sorted, UTC) with the merged pause spans cut out."""
    i = 0
    for s, e in windows:
        while i < len(pauses) and pauses[i][1] <= s:
            i += 1
        cur = s
        j = i
        while j < len(pauses) and pauses[j][0] < e:
            ps, pe = pauses[j]
            if ps > cur:
                yield cur, ps
            cur = max(cur, pe)
            if pe >= e:
                break
            j += 1
        if cur < e:
            yield cur, e


class _ClockBase:
    """Minute arithmetic over a stream of UTC working windows (shared by both clocks)."""

    def _windows(self, from_utc: datetime) -> Iterator[Pause]:  # pragma: no cover
        raise NotImplementedError

    def add_business_minutes(
        self, instant: datetime, minutes: float, pauses: Sequence[Pause] = ()
    ) -> datetime:
        """The instant ``minutes`` working minutes after ``instant``, pauses skipped (R-SUP-2).

        Returns an aware UTC datetime. Zero minutes returns ``instant`` itself; an
        amount that exactly exhausts a working window ends at that window's close.
        """
        start = _utc(instant)
        remaining = timedelta(minutes=minutes)
        if remaining < timedelta(0):
            raise ValueError("minutes must not be negative")
        if remaining == timedelta(0):
            return start
        for s, e in _minus_pauses(self._windows(start), _merge(pauses)):
            if e <= start:
                continue
            s = max(s, start)
            available = e - s
            if remaining <= available:
                return s + remaining
            remaining -= available
        raise OverflowError("business minutes run past the end of the calendar")

    def business_time_between(
        self, a: datetime, b: datetime, pauses: Sequence[Pause] = ()
    ) -> timedelta:
        """Working time in ``[a, b)`` less the pause spans; zero when ``b <= a`` (R-SUP-2)."""
        start, end = _utc(a), _utc(b)
        total = timedelta(0)
        if end <= start:
            return total
        for s, e in _minus_pauses(self._windows(start), _merge(pauses)):
            if s >= end:
                break
            lo, hi = max(s, start), min(e, end)
            if hi > lo:
                total += hi - lo
        return total

    def business_minutes_between(
        self, a: datetime, b: datetime, pauses: Sequence[Pause] = ()
    ) -> float:
        """Working minutes in ``[a, b)`` less the pause spans (R-SUP-2)."""
        return self.business_time_between(a, b, pauses) / timedelta(minutes=1)


class Calendar24x7(_ClockBase):
    """The round-the-clock clock (R-SUP-2, P+E): every day is a business day, no gap at midnight."""

    country: str | None = None
    subdivision: str | None = None

    def __init__(self, tz: str = "UTC") -> None:
        self._tz = _zone(tz)

    @property
    def tz(self) -> ZoneInfo:
        """Time zone used only to decide which local day an instant falls on."""
        return self._tz

    def __repr__(self) -> str:
        return f"Calendar24x7(tz={self._tz.key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Calendar24x7) and other._tz.key == self._tz.key

    def __hash__(self) -> int:
        return hash(("24x7", self._tz.key))

    def is_business_day(self, d: date) -> bool:
        """Always true on a 24x7 clock."""
        return True

    def next_business_day(self, d: date) -> date:
        """The day after ``d``."""
        return d + _DAY

    def add_business_days(self, d: date, n: int) -> date:
        """``d`` plus ``n`` calendar days."""
        return d + timedelta(days=n)

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """No holidays on a 24x7 clock."""
        return []

    def _windows(self, from_utc: datetime) -> Iterator[Pause]:
        yield from_utc, _FAR_FUTURE


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownRegion(f"unknown time zone: {tz!r}") from exc


def normalise_country(country: str) -> str:
    """Upper-case ISO 3166-1 alpha-2 code, validated with pycountry; else :class:`UnknownRegion`."""
    code = (country or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise UnknownRegion(f"unknown country: {country!r}")
    return code


def normalise_subdivision(country: str, subdivision: str | None) -> str | None:
    """ISO 3166-2 subdivision suffix (``"BY"`` or ``"DE-BY"`` → ``"BY"``), validated with pycountry."""
    if subdivision is None or subdivision.strip() == "":
        return None
    cc = normalise_country(country)
    sub = subdivision.strip().upper()
    if sub.startswith(cc + "-"):
        sub = sub[len(cc) + 1 :]
    if _iso_subdivision(f"{cc}-{sub}") is None:
        raise UnknownRegion(f"unknown subdivision of {cc}: {subdivision!r}")
    return sub


def _iso_subdivision(code: str) -> Any:
    return pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]


def _library_subdivision(country: str, sub: str | None) -> str | None:
    """The subdivision the holidays library knows: the ISO one, else its nearest parent.

    A subdivision the library does not distinguish (e.g. a French department other
    than Moselle) falls back to the national holidays.
    """
    supported = holidays.list_supported_countries().get(country, [])
    code = f"{country}-{sub}" if sub else None
    while code is not None:
        short = code.split("-", 1)[1]
        if short in supported:
            return short
        parent = _iso_subdivision(code)
        parent_code = getattr(parent, "parent_code", None)
        code = parent_code if isinstance(parent_code, str) else None
    return None


@functools.lru_cache(maxsize=256)
def _holiday_dates(
    country: str, sub: str | None, first_year: int, last_year: int
) -> tuple[date, ...]:
    if country not in holidays.list_supported_countries():
        return ()
    table = holidays.country_holidays(country, subdiv=sub, years=range(first_year, last_year + 1))
    return tuple(sorted(table.keys()))


@functools.lru_cache(maxsize=256)
def _busdaycalendar(
    country: str, sub: str | None, weekmask: str, first_year: int, last_year: int
) -> np.busdaycalendar:
    days = np.array(_holiday_dates(country, sub, first_year, last_year), dtype="datetime64[D]")
    return np.busdaycalendar(weekmask=weekmask, holidays=days)


class BusinessCalendar(_ClockBase):
    """A country's business calendar with working hours (R-CAL-1; R-DS-6 support hours)."""

    def __init__(
        self,
        country: str,
        subdivision: str | None = None,
        tz: str = "UTC",
        start: time = time(9),
        end: time = time(17),
        weekdays: Sequence[int] = (0, 1, 2, 3, 4),
    ) -> None:
        self.country = normalise_country(country)
        self.subdivision = normalise_subdivision(self.country, subdivision)
        self._tz = _zone(tz)
        if not start < end:
            raise ValueError("working hours must start before they end")
        days = tuple(sorted(set(weekdays)))
        if not days or any(d not in range(7) for d in days):
            raise ValueError(f"weekdays must be a non-empty subset of 0..6, got {weekdays!r}")
        self.start, self.end, self.weekdays = start, end, days
        self._lib_sub = _library_subdivision(self.country, self.subdivision)
        self._lib_supported = self.country in holidays.list_supported_countries()
        self._holidays: Any = (
            holidays.country_holidays(self.country, subdiv=self._lib_sub)
            if self._lib_supported
            else {}
        )
        self.weekmask = "".join("1" if i in days else "0" for i in range(7))

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._tz

    def _key(self) -> tuple[object, ...]:
        return (self.country, self.subdivision, self._tz.key, self.start, self.end, self.weekdays)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BusinessCalendar) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self.country!r}, subdivision={self.subdivision!r}, "
            f"tz={self._tz.key!r})"
        )

    # --- days -----------------------------------------------------------------------------

    def is_holiday(self, d: date) -> bool:
        """Whether ``d`` is a public holiday (observed/substituted days included)."""
        return bool(self._lib_supported and d in self._holidays)

    def is_business_day(self, d: date) -> bool:
        """A working weekday that is not a public holiday (R-CAL-1)."""
        return d.weekday() in self.weekdays and not self.is_holiday(d)

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d`` (R-CAL-1, R-RMA-2)."""
        d += _DAY
        while not self.is_business_day(d):
            d += _DAY
        return d

    def previous_business_day(self, d: date) -> date:
        """The last business day strictly before ``d``."""
        d -= _DAY
        while not self.is_business_day(d):
            d -= _DAY
        return d

    def add_business_days(self, d: date, n: int) -> date:
        """N business days after ``d`` (R-CAL-1, R-RMA-3); see the module conventions."""
        if n == 0:
            return d if self.is_business_day(d) else self.next_business_day(d)
        step = self.next_business_day if n > 0 else self.previous_business_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Public holidays in ``[start, end]`` with their names, in date order."""
        if not self._lib_supported or end < start:
            return []
        table = holidays.country_holidays(
            self.country, subdiv=self._lib_sub, years=range(start.year, end.year + 1)
        )
        return sorted((d, str(name)) for d, name in table.items() if start <= d <= end)

    def busdaycalendar(self, first_year: int, last_year: int) -> np.busdaycalendar:
        """A cached ``numpy.busdaycalendar`` with this calendar's holidays of those years."""
        return _busdaycalendar(self.country, self._lib_sub, self.weekmask, first_year, last_year)

    # --- clock ----------------------------------------------------------------------------

    def _windows(self, from_utc: datetime) -> Iterator[Pause]:
        day = from_utc.astimezone(self._tz).date() - _DAY
        for _ in range(400 * 366):  # bounded: a calendar always has business days
            if self.is_business_day(day):
                s = datetime.combine(day, self.start, tzinfo=self._tz).astimezone(UTC)
                e = datetime.combine(day, self.end, tzinfo=self._tz).astimezone(UTC)
                yield s, e
            day += _DAY


def calendar_for(
    country: str, subdivision: str | None = None, tz: str | None = None
) -> BusinessCalendar:
    """The business calendar of a country/subdivision (R-CAL-1), validated with pycountry.

    Pass the site's ``tz`` where known (R-FLT-1). Without it the zone is taken from
    tzdata's ``zone.tab``: the zone whose description names the subdivision (its
    code or ISO name, preferring "most areas"), else the country's first zone, else
    UTC. Unknown country or subdivision codes raise :class:`UnknownRegion` naming
    the bad value.
    """
    cc = normalise_country(country)
    sub = normalise_subdivision(cc, subdivision)
    return _calendar_for(cc, sub, tz or default_zone(cc, sub))


@functools.lru_cache(maxsize=512)
def _calendar_for(country: str, sub: str | None, tz: str) -> BusinessCalendar:
    return BusinessCalendar(country, sub, tz)


@functools.lru_cache(maxsize=512)
def default_zone(country: str, subdivision: str | None = None) -> str:
    """A default IANA zone for a country/subdivision, derived from tzdata's zone.tab."""
    zones = _country_zones().get(country, [])
    if subdivision and zones:
        iso = _iso_subdivision(f"{country}-{subdivision}")
        words = [re.escape(subdivision)]
        if iso is not None:
            words.append(re.escape(str(iso.name)))
        pattern = re.compile(r"\b(" + "|".join(words) + r")\b")
        matches = [(zone, note) for zone, note in zones if pattern.search(note)]
        if matches:
            best = [zone for zone, note in matches if "most areas" in note]
            return best[0] if best else matches[0][0]
    return zones[0][0] if zones else "UTC"


@functools.lru_cache(maxsize=1)
def _country_zones() -> dict[str, list[tuple[str, str]]]:
    """Country → [(IANA zone, description)], from tzdata's zone.tab (data, not a table by hand)."""
    import importlib.resources

    table: dict[str, list[tuple[str, str]]] = {}
    try:
        text = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover
        try:
            with open("/usr/share/zoneinfo/zone.tab", encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            return table
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            table.setdefault(parts[0], []).append((parts[2], parts[3] if len(parts) > 3 else ""))
    return table


def _year_span(n_min: int, n_max: int) -> tuple[int, int]:
    # ~250 business days a year at most with a 5-day week; pad generously.
    back = -n_min // 120 + 1 if n_min < 0 else 0
    ahead = n_max // 120 + 1 if n_max > 0 else 0
    return back + 1, ahead + 1


def add_business_days_bulk(
    dates: npt.NDArray[np.datetime64],
    n: int | npt.NDArray[np.integer[Any]],
    calendar: BusinessCalendar | Calendar24x7,
) -> npt.NDArray[np.datetime64]:
    """Vectorised :meth:`BusinessCalendar.add_business_days` (R-CAL-1) over ``datetime64[D]``.

    One ``numpy.busday_offset`` call with the calendar's holiday array (a
    ``numpy.busdaycalendar`` cached per calendar and year range); same conventions
    as the scalar function.
    """
    days = np.asarray(dates, dtype="datetime64[D]")
    if isinstance(calendar, Calendar24x7):
        shifted: npt.NDArray[np.datetime64] = days + np.asarray(n, dtype="timedelta64[D]")
        return shifted
    if days.size == 0:
        return days.copy()
    offsets = np.asarray(n, dtype=np.int64)
    n_min, n_max = int(offsets.min()), int(offsets.max())
    lo_day, hi_day = days.min(), days.max()
    lo_year = int(lo_day.astype("datetime64[Y]").astype(np.int64)) + 1970
    hi_year = int(hi_day.astype("datetime64[Y]").astype(np.int64)) + 1970
    back, ahead = _year_span(n_min, n_max)
    cal = calendar.busdaycalendar(lo_year - back, hi_year + ahead)
    if n_min > 0:
        return np.busday_offset(days, offsets, roll="preceding", busdaycal=cal)
    if n_max <= 0:
        return np.busday_offset(days, offsets, roll="following", busdaycal=cal)
    forward = np.busday_offset(days, offsets, roll="preceding", busdaycal=cal)
    backward = np.busday_offset(days, offsets, roll="following", busdaycal=cal)
    result: npt.NDArray[np.datetime64] = np.where(offsets > 0, forward, backward)
    return result


# --- Calendar months ---------------------------------------------------------------
# Month boundaries used by month-end jobs, reports and billing periods.


def month_start(d: date) -> date:
    """The first day of ``d``'s month."""
    return d.replace(day=1)


def month_end(d: date) -> date:
    """The last day of ``d``'s month."""
    return d.replace(day=monthrange(d.year, d.month)[1])


def next_month_start(d: date) -> date:
    """The first day of the month after ``d``'s."""
    return month_end(d) + timedelta(days=1)


def previous_month_end(d: date) -> date:
    """The last day of the month before ``d``'s (the last completed month-end)."""
    return month_start(d) - timedelta(days=1)


def month_ends(first: date, last: date) -> list[date]:
    """Every month-end from ``first``'s month to ``last``'s month, inclusive."""
    out: list[date] = []
    current = month_end(first)
    while current <= month_end(last):
        out.append(current)
        current = month_end(current + timedelta(days=1))
    return out
