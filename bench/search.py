"""Benchmark (issue 12 item 6): the global search at 1,000,000 devices on PostgreSQL.

Each case goes through ``GET /api/v1/search?q=`` (and the portal's ``/search/`` for
two of them) as the big account's administrator, a small account's administrator (its
searches must not wade through the big account's million serials) and a support agent
(every tenant). Prints ``p95_ms search <case>: X`` (target < 100 ms), the query count
(constant: one per kind) and the ratio to the bare indexed SQL of the device look-up.

    python bench/search.py [--devices 1000000] [--runs 60] [--rebuild]
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
    users = clients(ctx)
    big_portal, big_api = users["big_user"]
    _small_portal, small_api = users["small_user"]
    agent_portal, agent_api = users["agent"]
    serial = f"SN{args.devices // 3:09d}"

    def s(client, q):
        return lambda: client.get("/api/v1/search", {"q": q})

    cases = [
        ("case_reference_exact", s(big_api, "CASE-004321")),
        ("order_reference_exact", s(big_api, "RMA-001234")),
        ("serial_exact", s(big_api, serial)),
        ("serial_prefix", s(big_api, serial[:7])),
        ("document_number", s(big_api, "INV-0042")),
        ("organisation_name", s(big_api, "Bench")),
        ("no_match", s(big_api, "ZZZ-NOTHING")),
        ("small_tenant_serial_prefix_of_big", s(small_api, "SN0003")),
        ("small_tenant_own_serial", s(small_api, "SM000000500")),
        ("agent_serial_exact", s(agent_api, serial)),
        ("agent_organisation_name", s(agent_api, "Account 01")),
        ("portal_exact_redirect", lambda: big_portal.get("/search/", {"q": "CASE-004321"})),
        ("portal_agent_list", lambda: agent_portal.get("/search/", {"q": "CASE-00"})),
    ]
    baseline = sql_timer(
        "SELECT id, serial_number FROM fleet_device WHERE serial_number LIKE %s LIMIT 5",
        [serial[:7] + "%"],
    )
    base_ms, _ = timed(baseline, args.runs)
    print(f"baseline_sql_p95_ms serial_prefix_lookup: {base_ms:.2f}", flush=True)
    print(load(), flush=True)
    for name, request in cases:
        response = request()
        assert response.status_code in (200, 302), (name, response.status_code)
        ms, queries = timed(request, args.runs)
        cpu_ms = CPU_P95[id(request)]
        cost = explain_cost(request)
        print(
            f"p95_ms search {name}: {ms:.1f}  queries: {queries}  "
            f"app_cpu_p95_ms: {cpu_ms:.1f}  db_exec_ms: {cost[0]:.2f}  buffers: {cost[1]}  "
            f"ratio: {ms / base_ms:.1f}",
            flush=True,
        )
    print(load(), flush=True)


if __name__ == "__main__":
    main()
