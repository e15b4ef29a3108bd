"""Benchmark (issue 10, R-FLT-1): device lists at 1,000,000 devices in one account, on
PostgreSQL, API and portal: first page, a page deep in the list (by cursor), a model
filter, a category filter, a serial search (exact and partial). Target: p95 < 50 ms,
query count constant.

Each case is timed through Django's test client (middleware, session or bearer token,
tenancy, serialisation or template) and compared with the best hand-written indexed SQL
for the same page (a deep page by row comparison, a category as one index range per
model), measured in the same run: the ratio says what the application adds. Also
printed: the p95 of this process's CPU time per request (on a shared machine the wall
time includes waiting for a core), the database's own execution time (EXPLAIN ANALYZE)
and the buffers the queries touched — both independent of the machine's load.

    python bench/fleet_lists.py [--devices 1000000] [--runs 60] [--rebuild]
"""

from __future__ import annotations

import argparse

from _lists_data import CPU_P95, clients, explain_cost, load, setup, sql_timer, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    ctx = setup(args.devices, rebuild=args.rebuild)

    from fleetcare.core.keyset import encode_cursor
    from fleetcare.fleet.filters import DEVICE_SORTS
    from fleetcare.fleet.models import Device

    big = ctx["big"]
    portal, api = clients(ctx)["big_user"]
    sort = DEVICE_SORTS.default
    deep_row = (
        Device.objects.filter(account=big)
        .order_by(*sort.fields)
        .values_list(*sort.columns)[args.devices // 2]
    )
    cursor = encode_cursor(sort, deep_row)
    video = [m.pk for m in ctx["models"].values() if m.category.code == "video"]
    rare = ctx["models"]["RARE-1"].pk
    model = ctx["models"]["CCX-2"].pk
    serial = f"SN{args.devices // 3:09d}"
    partial = serial[-7:]  # contains, not a prefix

    cols = (
        "d.id, d.account_id, d.site_id, d.product_model_id, d.serial_number, "
        "d.firmware_version, d.first_seen_on, d.last_seen_on, d.status"
    )
    base = f"SELECT {cols} FROM fleet_device d WHERE d.account_id = %s"
    order = " ORDER BY d.account_id, d.product_model_id, d.id LIMIT 51"

    def per_model(ids: list[int]) -> str:
        # The fastest hand-written SQL for a list of models: one index range per model.
        parts = [f"({base} AND d.product_model_id = {pk}{order})" for pk in ids]
        return " UNION ALL ".join(parts) + " ORDER BY 4, 1 LIMIT 51"

    cases = [
        ("api_first_page", lambda: api.get("/api/v1/fleet/devices"), base + order, [big.pk]),
        (
            "api_deep_page",
            lambda: api.get("/api/v1/fleet/devices", {"cursor": cursor}),
            base + " AND (d.product_model_id, d.id) > (%s, %s)" + order,
            [big.pk, *deep_row[1:]],
        ),
        ("portal_first_page", lambda: portal.get("/fleet/"), base + order, [big.pk]),
        (
            "portal_deep_page",
            lambda: portal.get("/fleet/", {"cursor": cursor}),
            base + " AND (d.product_model_id, d.id) > (%s, %s)" + order,
            [big.pk, *deep_row[1:]],
        ),
        (
            "api_model_filter",
            lambda: api.get("/api/v1/fleet/devices", {"product_model_id": model}),
            base + " AND d.product_model_id = %s" + order,
            [big.pk, model],
        ),
        (
            "api_category_filter",
            lambda: api.get("/api/v1/fleet/devices", {"category": "video"}),
            per_model(video),
            [big.pk] * len(video),
        ),
        (
            "api_rare_category_filter",
            lambda: api.get("/api/v1/fleet/devices", {"category": "immersive_telepresence"}),
            base + " AND d.product_model_id = ANY(%s)" + order,
            [big.pk, [rare]],
        ),
        (
            "portal_category_filter",
            lambda: portal.get("/fleet/", {"category": "video"}),
            per_model(video),
            [big.pk] * len(video),
        ),
        (
            "api_serial_exact",
            lambda: api.get("/api/v1/fleet/devices", {"q": serial}),
            base + " AND d.serial_number = %s" + order,
            [big.pk, serial],
        ),
        (
            "api_serial_partial",
            lambda: api.get("/api/v1/fleet/devices", {"q": partial}),
            base + " AND d.serial_number ILIKE %s" + order,
            [big.pk, f"%{partial}%"],
        ),
        (
            "portal_serial_exact",
            lambda: portal.get("/fleet/", {"q": serial}),
            base + " AND d.serial_number = %s" + order,
            [big.pk, serial],
        ),
    ]
    print(load(), flush=True)
    for name, request, sql, params in cases:
        response = request()
        assert response.status_code == 200, (name, response.status_code)
        ms, queries = timed(request, args.runs)
        cpu_ms = CPU_P95[id(request)]
        base_ms, _ = timed(sql_timer(sql, params), args.runs)
        db_ms, buffers = explain_cost(request)
        print(
            f"p95_ms {name}: {ms:.1f}  queries: {queries}  "
            f"baseline_sql_p95_ms: {base_ms:.2f}  ratio: {ms / base_ms:.1f}  "
            f"app_cpu_p95_ms: {cpu_ms:.1f}  db_exec_ms: {db_ms:.2f}  buffers: {buffers}",
            flush=True,
        )
    print(load(), flush=True)


if __name__ == "__main__":
    main()
