"""Benchmark (issue 3, R-CAL-1): 1,000,000 "N business days after" dates.

fleetcare's ``add_business_days_bulk`` over the United Kingdom (England) calendar,
holidays included, against raw ``numpy.busday_offset`` on the same inputs with the
same holiday array, in the same run. Prints both times and the ratio (target <= 1.5).

    python bench/calendar_bulk.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fleetcare.rules.calendars import add_business_days_bulk, calendar_for  # noqa: E402

SIZE = 1_000_000
REPEATS = 7


def best_of(fn: object, repeats: int = REPEATS) -> float:
    assert callable(fn)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(20260101)
    start = np.datetime64("2024-01-01", "D")
    dates = start + rng.integers(0, 6 * 365, SIZE).astype("timedelta64[D]")
    offsets = rng.integers(1, 31, SIZE)
    cal = calendar_for("GB", "ENG")

    # Raw numpy with the same holidays (built once, outside the timing, as for fleetcare's cache).
    holidays = np.array(
        [
            d
            for d, _ in cal.holidays_between(
                np.datetime64("2022-01-01").item(), np.datetime64("2032-12-31").item()
            )
        ],
        dtype="datetime64[D]",
    )
    raw_cal = np.busdaycalendar(weekmask="1111100", holidays=holidays)

    ours = add_business_days_bulk(dates, offsets, cal)  # warm the per-calendar cache
    raw = np.busday_offset(dates, offsets, roll="preceding", busdaycal=raw_cal)
    if not np.array_equal(ours, raw):
        raise SystemExit("results differ between fleetcare and raw numpy")

    t_ours = best_of(lambda: add_business_days_bulk(dates, offsets, cal))
    t_raw = best_of(lambda: np.busday_offset(dates, offsets, roll="preceding", busdaycal=raw_cal))
    t0 = time.perf_counter()
    scalar_sample = [
        cal.add_business_days(d.item(), int(n))
        for d, n in zip(dates[:10_000], offsets[:10_000], strict=True)
    ]
    t_scalar = (time.perf_counter() - t0) * SIZE / 10_000
    assert scalar_sample == [x.item() for x in ours[:10_000]]

    print(f"dates: {SIZE:,} (GB-ENG, {len(holidays)} holidays 2022-2032, N in 1..30)")
    print(f"fleetcare add_business_days_bulk: {t_ours * 1000:8.1f} ms (best of {REPEATS})")
    print(f"raw numpy.busday_offset:          {t_raw * 1000:8.1f} ms (best of {REPEATS})")
    print(f"ratio fleetcare / numpy:          {t_ours / t_raw:8.2f} (target <= 1.50)")
    print(f"(scalar Python loop, extrapolated: {t_scalar:6.1f} s)")
    if t_ours / t_raw > 1.5:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
