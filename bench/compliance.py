"""Benchmark (issue 12, R-SW-1): firmware compliance at 1,000,000 devices on PostgreSQL.

fleetcare's compliance (the portal page with its table, the API endpoint and the
service behind them) against the bare ``GROUP BY (account, product_model,
firmware_version)`` SQL over the same accounts, measured in the same run. Scenarios:
the vendor's first page (20 accounts), one customer with 200,000 devices, one
customer of ordinary size. Prints the p95 of each, the query count of each request
(constant whatever the fleet size) and the ratio to the baseline; the target is a
p95 under 100 ms.

    python bench/compliance.py [--devices 1000000] [--accounts 2000] [--runs 40] [--keep]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

from fleet_import import drop_database, fresh_database

DB = "fleetcare_bench_compliance"
BIG_SHARE = 0.2  # the largest account holds a fifth of the fleet

BASELINE_SQL = """
SELECT account_id, product_model_id, firmware_version, count(*)
FROM fleet_device
WHERE status = 'active' AND account_id = ANY(%(accounts)s)
GROUP BY account_id, product_model_id, firmware_version
"""


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


BEST: dict[str, float] = {}


def timed(fn, runs: int) -> tuple[float, float, object]:
    result = fn()  # warm
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    BEST[getattr(fn, "__name__", "")] = min(samples) * 1000  # the least disturbed run
    return p95(samples), statistics.median(samples) * 1000, result


def setup(devices: int, accounts: int):
    from django.db import connection

    from fleetcare.catalog.models import Category, FirmwareRelease, ProductModel
    from fleetcare.organisations.models import Organisation, User

    vendor = Organisation.objects.create(name="Poly", kind="vendor", country="US")
    admin = User.objects.create(username="bench-admin", organisation=vendor, role="vendor_admin")
    cats = {c: Category.objects.create(code=c, name=c) for c in ("personal", "video", "voice")}
    models = []
    for i, (sku, cat) in enumerate(
        [
            ("VOY-1", "personal"),
            ("VOY-2", "personal"),
            ("BW-1", "personal"),
            ("CCX-1", "voice"),
            ("CCX-2", "voice"),
            ("VVX-1", "voice"),
            ("STUDIO-1", "video"),
            ("STUDIO-2", "video"),
            ("TRIO-1", "voice"),
        ]
    ):
        model = ProductModel.objects.create(sku=sku, name=sku, family=sku[:3], category=cats[cat])
        for j, version in enumerate((f"{i}.0.0", f"{i}.1.0", f"{i}.1.2")):
            FirmwareRelease.objects.create(
                product_model=model, version=version, released_on=date(2025, 1 + 4 * j, 1)
            )
        models.append(model)
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Account {i:05d}", kind="customer", country="FR")
            for i in range(accounts)
        ],
        batch_size=2000,
    )
    ids = list(
        Organisation.objects.filter(kind="customer").order_by("name").values_list("id", flat=True)
    )
    big = ids[0]
    big_n = int(devices * BIG_SHARE)
    with connection.cursor() as cur:
        # Versions: 70 % on the latest release, 18 % the previous, 10 % the oldest, 2 %
        # unreported; 5 % of the devices are retired (not counted).
        cur.execute(
            """
            INSERT INTO fleet_device (created_at, updated_at, account_id, product_model_id,
                firmware_version, first_seen_on, last_seen_on, status)
            SELECT now(), now(),
                   CASE WHEN g < %(big_n)s THEN %(big)s
                        ELSE a.ids[2 + (g %% (array_length(a.ids, 1) - 1))] END,
                   m.ids[1 + m.k],
                   CASE WHEN g %% 50 = 0 THEN ''
                        WHEN g %% 100 < 72 THEN m.k || '.1.2'
                        WHEN g %% 100 < 90 THEN m.k || '.1.0'
                        ELSE m.k || '.0.0' END,
                   date '2025-06-15', date '2026-06-30',
                   CASE WHEN g %% 20 = 7 THEN 'retired' ELSE 'active' END
            FROM generate_series(0, %(n)s - 1) g
            CROSS JOIN (SELECT array_agg(id ORDER BY name) ids FROM organisations_organisation
                        WHERE kind = 'customer') a
            CROSS JOIN LATERAL (SELECT (g / 7) %% %(nmodels)s AS k,
                                       %(models)s::bigint[] AS ids) m
            """,
            {
                "n": devices,
                "big": big,
                "big_n": big_n,
                "models": [m.id for m in models],
                "nmodels": len(models),
            },
        )
        cur.execute("VACUUM ANALYZE fleet_device")
    big_admin = User.objects.create(
        username="big-admin", organisation_id=big, role="customer_admin"
    )
    small_admin = User.objects.create(
        username="small-admin", organisation_id=ids[len(ids) // 2], role="customer_admin"
    )
    return admin, big_admin, small_admin


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    fresh_database(DB)
    try:
        run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(DB)


def run(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from fleetcare.fleet import services
    from fleetcare.fleet.compliance_views import ACCOUNTS_PER_PAGE, accounts_for

    setup_test_environment()
    t0 = time.perf_counter()
    admin, big_admin, small_admin = setup(args.devices, args.accounts)
    print(
        f"set up {args.devices:,} devices, {args.accounts:,} accounts "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    first_page = [a.pk for a in accounts_for(admin, None).only("id")[:ACCOUNTS_PER_PAGE]]
    scenarios = [
        (f"vendor, first page of {ACCOUNTS_PER_PAGE} accounts", admin, first_page),
        (
            f"customer with {int(args.devices * BIG_SHARE):,} devices",
            big_admin,
            [big_admin.organisation_id],
        ),
        ("customer of ordinary size", small_admin, [small_admin.organisation_id]),
    ]
    worst = 0.0
    worst_queries = 0
    for label, user, accounts in scenarios:

        def baseline(accounts=accounts):
            with connection.cursor() as cur:
                cur.execute(BASELINE_SQL, {"accounts": accounts})
                return sum(row[3] for row in cur.fetchall())

        def service(user=user, accounts=accounts):
            return services.compliance(user=user, account_ids=accounts).total

        client = Client()
        client.force_login(user)

        def page(client=client):
            response = client.get("/fleet/compliance/")
            assert response.status_code == 200, response.status_code
            return response

        def api(client=client):
            response = client.get("/api/v1/fleet/compliance")
            assert response.status_code == 200, response.status_code
            return response.json()["total"]

        base_p95, base_med, base_total = timed(baseline, args.runs)
        svc_p95, svc_med, svc_total = timed(service, args.runs)
        page_p95, page_med, _ = timed(page, args.runs)
        api_p95, api_med, api_total = timed(api, args.runs)
        assert base_total == svc_total == api_total, (base_total, svc_total, api_total)
        with CaptureQueriesContext(connection) as page_q:
            page()
        with CaptureQueriesContext(connection) as api_q:
            api()
        print(f"\n{label}: {svc_total:,} active devices counted")
        print(
            "  fastest run (ms): baseline {baseline:.1f}, service {service:.1f}, "
            "page {page:.1f}, API {api:.1f}".format(**BEST)
        )
        print(f"  baseline bare GROUP BY SQL     p95 {base_p95:7.1f} ms  median {base_med:6.1f}")
        print(
            f"  service compliance()           p95 {svc_p95:7.1f} ms  median {svc_med:6.1f}"
            f"  p95 ratio {svc_p95 / base_p95:.2f}"
        )
        print(
            f"  portal page /fleet/compliance/ p95 {page_p95:7.1f} ms  median {page_med:6.1f}"
            f"  queries {len(page_q)}"
        )
        print(
            f"  API /api/v1/fleet/compliance   p95 {api_p95:7.1f} ms  median {api_med:6.1f}"
            f"  queries {len(api_q)}"
        )
        worst = max(worst, page_p95, api_p95)
        worst_queries = max(worst_queries, len(page_q), len(api_q))
    print(f"\nload average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"p95_ms compliance: {worst:.1f}")
    print(f"queries compliance: {worst_queries} (per request, constant)")
    print("target: p95 < 100 ms:", "met" if worst < 100 else "NOT met")


if __name__ == "__main__":
    main()
