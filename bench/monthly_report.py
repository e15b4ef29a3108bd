"""Benchmark (issue 4, R-PE-4): the month-end report for 5,000 accounts, 1,000,000 devices,
12 months of snapshots, on PostgreSQL.

fleetcare's ``monthly_report`` (every account, from the snapshot history) against a
hand-written SQL GROUP BY over the devices giving the same counts, in the same run.
Prints both times, the ratio (target <= 2) and checks the numbers are the same.

    python bench/monthly_report.py [--devices 1000000] [--accounts 5000] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date, timedelta

from fleet_import import base_data, drop_database, fresh_database

DB = "fleetcare_bench_report"
MONTH = date(2026, 6, 1)
MONTH_END = date(2026, 6, 30)

BASELINE_SQL = """
SELECT d.account_id, c.code, count(*)
FROM fleet_device d
JOIN catalog_productmodel pm ON pm.id = d.product_model_id
JOIN catalog_category c ON c.id = pm.category_id
WHERE d.first_seen_on <= %(end)s AND d.status = 'active'
  AND NOT c.quote_only AND c.code IN ('personal', 'video', 'voice')
  AND (pm.end_of_support_on IS NULL OR pm.end_of_support_on > %(end)s)
GROUP BY d.account_id, c.code
"""


def best_of(fn, repeats=5):
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=5_000)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    fresh_database(DB)
    from django.db import connection

    from fleetcare.reports.services import monthly_report

    admin, models = base_data(args.accounts)
    model_ids = [m.id for m in models]
    months = [date(2025, 7, 1) + timedelta(days=31 * i) for i in range(12)]
    month_ends = [
        (m.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1) for m in months
    ]
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        # Devices: spread over accounts and models, first seen over the 12 months.
        cur.execute(
            """
            INSERT INTO fleet_device (created_at, updated_at, account_id, product_model_id,
                firmware_version, first_seen_on, last_seen_on, status)
            SELECT now(), now(), a.ids[1 + (g %% array_length(a.ids, 1))],
                   (%(models)s::bigint[])[1 + ((g / 7) %% %(nmodels)s)],
                   '1.0', date '2025-06-15' + (g %% 380), date '2026-06-30', 'active'
            FROM generate_series(0, %(n)s - 1) g,
                 (SELECT array_agg(id ORDER BY id) ids FROM organisations_organisation
                  WHERE kind = 'customer') a
            """,
            {"models": model_ids, "nmodels": len(model_ids), "n": args.devices},
        )
        # One snapshot per account per month end, counts = devices first seen by then.
        for end in month_ends:
            cur.execute(
                """
                INSERT INTO fleet_inventorysnapshot (created_at, updated_at, account_id, as_of,
                    source, file_name, checksum, status, rows_total, rows_done, device_count,
                    created_devices, updated_devices, errors, upload_path)
                SELECT now(), now(), o.id, %(end)s, 'api', '', '', 'done', 0, 0, 0, 0, 0,
                       '[]'::jsonb, ''
                FROM organisations_organisation o WHERE o.kind = 'customer'
                """,
                {"end": end},
            )
            cur.execute(
                """
                INSERT INTO fleet_snapshotcount (snapshot_id, account_id, product_model_id,
                    category_id, count)
                SELECT s.id, d.account_id, d.product_model_id, pm.category_id, count(*)
                FROM fleet_device d
                JOIN fleet_inventorysnapshot s ON s.account_id = d.account_id AND s.as_of = %(end)s
                JOIN catalog_productmodel pm ON pm.id = d.product_model_id
                WHERE d.first_seen_on <= %(end)s
                GROUP BY s.id, d.account_id, d.product_model_id, pm.category_id
                """,
                {"end": end},
            )
        cur.execute("ANALYZE")
    print(
        f"set up {args.devices:,} devices, {args.accounts:,} accounts, 12 monthly snapshots "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    def baseline():
        with connection.cursor() as cur:
            cur.execute(BASELINE_SQL, {"end": MONTH_END})
            return {(a, c): n for a, c, n in cur.fetchall()}

    def fleetcare():
        report = monthly_report(user=admin, month=MONTH)
        return {(r.account_id, r.category): r.count for r in report.rows if r.count}

    base_s, base_counts = best_of(baseline)
    fc_s, fc_counts = best_of(fleetcare)
    same = base_counts == fc_counts
    print(
        f"hand-written GROUP BY over devices : {base_s:7.3f} s ({len(base_counts):,} account×category rows)"
    )
    print(f"fleetcare monthly report           : {fc_s:7.3f} s ({len(fc_counts):,} rows)")
    print(f"ratio                              : {fc_s / base_s:7.2f}  (target <= 2)")
    print(f"same numbers                       : {same}")
    print(
        f"peak memory (max RSS)              : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    if not args.keep:
        drop_database(DB)
    if not same:
        raise SystemExit("the counts differ")


if __name__ == "__main__":
    main()
