"""Benchmark (issue 15): the production server under load, on PostgreSQL.

Creates its own database (``fleetcare_bench_load``, dropped afterwards unless --keep),
loads the demo plus a 100,000-device customer account, starts ``fleetcare serve`` with
4 workers on 127.0.0.1 and drives it from a second process: N concurrent clients
(default 50), each a role with its own way in: portal users log in through the login
form and browse pages with their session; integrations call the API with bearer
tokens. Each client waits a random think time (mean --think seconds, default 1)
between requests, as a person reading a page would.
Bounded by --seconds and --max-requests.

Prints ``rps:``, ``p50_ms:``, ``p95_ms:``, ``p99_ms:``, ``errors:`` for the sustained
run, then a --burst-seconds burst at twice the sustained rate (open loop: requests
arrive on schedule whether or not earlier ones were answered) and what happened to it
(answered, queued, shed with 503, any 500), then a recovery run at the sustained load.

    python bench/load.py [--clients 50] [--seconds 30] [--think 1] [--threads 1] [--keep]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from fleet_import import drop_database, fresh_database  # noqa: E402

DB = "fleetcare_bench_load"
BIG_DEVICES = 100_000
PASSWORD = "fleetcare-demo"
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


# --- set-up ------------------------------------------------------------------------


def load_data(devices: int = BIG_DEVICES) -> dict:
    """Demo + a 100,000-device account; returns the logins and tokens the clients use."""
    from datetime import date, timedelta

    from django.core.management import call_command
    from django.db import connection

    from fleetcare.catalog.models import ProductModel
    from fleetcare.fleet.models import Device
    from fleetcare.organisations.models import ApiToken, Organisation, Site, User

    t0 = time.perf_counter()
    call_command("demo", "--quiet")
    call_command("jobs", "run", stdout=open(os.devnull, "w"))  # noqa: SIM115
    big = Organisation.objects.create(
        name="Bench Mega Corp", kind="customer", country="FR", currency="EUR"
    )
    site = Site.objects.create(
        organisation=big, name="Lyon", country="FR", time_zone="Europe/Paris"
    )
    admin = User.objects.create(
        username="mega-admin", organisation=big, role="customer_admin", email="m@example.com"
    )
    admin.set_password(PASSWORD)
    admin.save()
    models = list(
        ProductModel.objects.filter(category__quote_only=False).values_list("pk", flat=True)
    )
    start = date(2025, 1, 1)
    batch = []
    for i in range(devices):
        batch.append(
            Device(
                account=big,
                site=site,
                product_model_id=models[i % len(models)],
                serial_number=f"MEGA{i:07d}",
                firmware_version="1.0",
                first_seen_on=start + timedelta(days=i % 300),
                last_seen_on=date(2026, 11, 30),
            )
        )
        if len(batch) == 10_000:
            Device.objects.bulk_create(batch)
            batch = []
    Device.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # as autovacuum would after a bulk load
    tokens = {
        name: ApiToken.issue(User.objects.get(username=name), "bench")[1]
        for name in ["acme", "maple", "agent", "mega-admin", "billing"]
    }
    print(f"set-up: demo + {devices:,} devices in {time.perf_counter() - t0:.1f} s")
    return {"tokens": tokens, "big_account": big.pk}


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, workers: int, var_dir: str, threads: int):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DB_CONN_MAX_AGE": "60",
        "FLEETCARE_VAR_DIR": var_dir,
        "GUNICORN_LOG_LEVEL": "warning",
        "FLEETCARE_THREADS": str(threads),
    }
    if redis_answers():  # the several-machine set-up: cache and sessions in Redis
        env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(Path(var_dir) / "serve.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "fleetcare"), "serve", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                "fleetcare serve exited:\n" + (Path(var_dir) / "serve.log").read_text()
            )
        try:
            if request(port, "GET", "/readyz")[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("fleetcare serve did not become ready")


# --- the clients ---------------------------------------------------------------------


def request(port, method, path, headers=None, body=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, response.getheader("Set-Cookie") or "", data
    finally:
        conn.close()


# (role, portal pages or API paths). Portal users log in through the form.
PORTAL = {
    "acme": ["/", "/fleet/", "/support/", "/contracts/", "/billing/", "/catalog/"],
    "agent": ["/", "/support/", "/support/?scope=queue", "/replacements/", "/catalog/"],
    "maple": ["/", "/daas/", "/support/", "/billing/"],
    "mega-admin": ["/", "/fleet/", "/fleet/?page=40", "/fleet/imports/"],
}
API = {
    "acme": [
        "/api/v1/me",
        "/api/v1/fleet/devices?page_size=50",
        "/api/v1/cases",
        "/api/v1/contracts/enterprise",
    ],
    "maple": ["/api/v1/daas/subscriptions", "/api/v1/daas/devices?page_size=50", "/api/v1/cases"],
    "agent": ["/api/v1/cases/queue", "/api/v1/cases?page_size=50", "/api/v1/catalog/models"],
    "mega-admin": [
        "/api/v1/fleet/devices?page_size=50",
        "/api/v1/fleet/devices?page_size=50&cursor=DEEP",
    ],
    "billing": ["/api/v1/billing/documents", "/api/v1/replacements"],
}


class Client:
    def __init__(self, port: int, kind: str, role: str, tokens: dict):
        self.port, self.kind, self.role = port, kind, role
        self.paths = PORTAL[role] if kind == "portal" else API[role]
        self.headers = {"Authorization": f"Bearer {tokens[role]}"} if kind == "api" else {}
        self.rng = random.Random(f"{kind}{role}{id(self)}")

    def login(self) -> None:
        status, cookie, page = request(self.port, "GET", "/login/")
        csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode(
            {"username": self.role, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, cookie, _ = request(
            self.port,
            "POST",
            "/login/",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
                "Referer": f"http://127.0.0.1:{self.port}/login/",
            },
            body=body,
        )
        session = re.search(r"sessionid=([^;]+)", cookie)
        if status != 302 or not session:
            raise RuntimeError(f"login of {self.role} failed: {status}")
        self.headers = {"Cookie": f"sessionid={session.group(1)}; csrftoken={csrf_cookie}"}

    def one(self, path: str | None = None) -> tuple[float, int, str]:
        path = path or self.rng.choice(self.paths)
        t0 = time.perf_counter()
        try:
            status = request(self.port, "GET", path, headers=self.headers)[0]
        except OSError as exc:
            return time.perf_counter() - t0, 0, f"{path}: {exc}"
        return time.perf_counter() - t0, status, path


def deep_cursor(port, token, rows: int = 10_000) -> str:
    """A ``next_cursor`` ``rows`` deep into the big account's devices, found as an
    integration would (following cursors, 500 at a time): a keyset page costs the same
    however deep, which this path shows."""
    path, cursor = "/api/v1/fleet/devices?page_size=500", ""
    for _ in range(rows // 500):
        status, _, body = request(
            port,
            "GET",
            path + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""),
            headers={"Authorization": f"Bearer {token}"},
        )
        cursor = json.loads(body).get("next_cursor") or "" if status == 200 else ""
        if not cursor:
            break
    return urllib.parse.quote(cursor)


def make_clients(port, n, tokens) -> list[Client]:
    deep = deep_cursor(port, tokens["mega-admin"])
    for paths in API.values():
        paths[:] = [p.replace("cursor=DEEP", f"cursor={deep}") for p in paths]
    kinds = [("portal", r) for r in PORTAL] + [("api", r) for r in API]
    clients = [Client(port, *kinds[i % len(kinds)], tokens) for i in range(n)]
    for c in clients:
        if c.kind == "portal":
            c.login()
    return clients


def closed_loop(clients, seconds, max_requests, think) -> tuple[list, float]:
    """Each client: request, wait a random think time, again, until time or count ends."""
    results: list = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(client: Client):
        # Start each client at a random point of its think time, as people already
        # browsing are: fifty first requests at the same instant are a burst of their
        # own (they filled the first second of every phase and made its p95).
        if think:
            time.sleep(client.rng.uniform(0, think))
        while time.monotonic() < stop:
            result = client.one()
            with lock:
                if len(results) >= max_requests:
                    return
                results.append(result)
            time.sleep(client.rng.expovariate(1 / think) if think else 0)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0


def open_loop(clients, rate, seconds) -> tuple[list, float]:
    """Requests arrive at ``rate`` per second for ``seconds``, answered or not."""
    results: list = []
    lock = threading.Lock()
    threads = []
    t0 = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        client = clients[i % len(clients)]

        def fire(c=client):
            r = c.one()
            with lock:
                results.append(r)

        t = threading.Thread(target=fire)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k] * 1000


def summary(results, elapsed) -> dict:
    times = [r[0] for r in results]
    errors = [r for r in results if not (200 <= r[1] < 400)]
    return {
        "requests": len(results),
        "rps": len(results) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99),
        "errors": len(errors),
        "status": {
            str(s): sum(1 for r in results if r[1] == s) for s in sorted({r[1] for r in results})
        },
        "slowest": sorted(
            (
                (path, round(percentile([r[0] for r in results if r[2] == path], 95)))
                for path in {r[2] for r in results}
            ),
            key=lambda kv: -kv[1],
        )[:6],
        "first_errors": [f"{r[1]} {r[2]}" for r in errors[:5]],
    }


def drive(port, tokens, args, out) -> None:
    """The second process: log in, run sustained, burst and recovery; report JSON."""
    clients = make_clients(port, args["clients"], tokens)
    closed_loop(clients, 3, 10**9, args["think"])  # warm-up (workers, caches, pages)
    # Baseline, same run: one client of each kind after the other, no think time: what
    # each request costs with nobody else asking (the machine's speed, not the load).
    singles = []
    for client in {(c.kind, c.role): c for c in clients}.values():
        for path in client.paths:
            singles.extend(client.one(path) for _ in range(3))
    baseline = summary(singles, 1.0)
    sustained = summary(*closed_loop(clients, args["seconds"], args["max_requests"], args["think"]))
    rate = 2 * sustained["rps"]
    burst = summary(*open_loop(clients, rate, args["burst_seconds"]))
    burst["rate"] = rate
    recovery = summary(*closed_loop(clients, 10, args["max_requests"], args["think"]))
    out.put({"baseline": baseline, "sustained": sustained, "burst": burst, "recovery": recovery})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--max-requests", type=int, default=50_000)
    ap.add_argument("--think", type=float, default=1.0, help="mean seconds between requests")
    ap.add_argument("--burst-seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--devices", type=int, default=BIG_DEVICES, help="in the big account")
    ap.add_argument("--keep", action="store_true", help="keep the database")
    args = ap.parse_args()

    url = fresh_database(DB)
    server = None
    try:
        data = load_data(args.devices)
        from django.db import connections

        connections.close_all()
        var_dir = tempfile.mkdtemp(prefix="fleetcare-bench-load-")
        port = free_port()
        server = start_server(url, port, args.workers, var_dir, args.threads)
        print(
            f"server: fleetcare serve --workers {args.workers} (threads {args.threads}) on "
            f"127.0.0.1:{port}; {args.clients} clients, think {args.think} s, {os.cpu_count()} cores, "
            f"cache {'Redis' if redis_answers() else 'local memory'}"
        )
        load_before = os.getloadavg()
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        driver = ctx.Process(target=drive, args=(port, data["tokens"], vars(args), out))
        driver.start()
        report = out.get(timeout=args.seconds + args.burst_seconds + 600)
        driver.join(60)
        s, b, r = report["sustained"], report["burst"], report["recovery"]
        base = report["baseline"]
        print(f"rps: {s['rps']:.1f}")
        print(f"p50_ms: {s['p50_ms']:.1f}")
        print(f"p95_ms: {s['p95_ms']:.1f}")
        print(f"p99_ms: {s['p99_ms']:.1f}")
        print(f"errors: {s['errors']}")
        print(
            f"baseline (one request at a time, every path x3): p50 {base['p50_ms']:.1f} ms, "
            f"p95 {base['p95_ms']:.1f} ms; ratio p95 under load / baseline p95: "
            f"{s['p95_ms'] / max(base['p95_ms'], 0.1):.1f}"
        )
        print(f"requests: {s['requests']} status: {json.dumps(s['status'])}")
        print(f"slowest paths (p95 ms): {s['slowest']}")
        if s["first_errors"]:
            print(f"first errors: {s['first_errors']}")
        shed = b["status"].get("503", 0)
        fivehundred = sum(
            n for code, n in b["status"].items() if code.startswith("5") and code != "503"
        )
        print(
            f"burst: {b['rate']:.0f} req/s offered for {args.burst_seconds:.0f} s: {b['requests']} "
            f"requests, status {json.dumps(b['status'])}; shed with 503: {shed}; 500s: "
            f"{fivehundred}; p50 {b['p50_ms']:.0f} ms, p95 {b['p95_ms']:.0f} ms, p99 "
            f"{b['p99_ms']:.0f} ms ({'queued' if b['p95_ms'] > 2 * s['p95_ms'] else 'absorbed'})"
        )
        print(
            f"recovery: rps {r['rps']:.1f}, p95 {r['p95_ms']:.0f} ms, errors {r['errors']}"
            f" ({'recovered' if r['errors'] == 0 and r['p95_ms'] < 2 * max(s['p95_ms'], 50) else 'NOT recovered'})"
        )
        if fivehundred:
            print("FAIL: the burst produced 5xx other than 503")
        # The machine may be shared: the figures only mean something next to its load.
        print(
            "load average (1, 5, 15 min): before "
            + " ".join(f"{x:.2f}" for x in load_before)
            + ", after "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(40)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            drop_database(DB)


if __name__ == "__main__":
    main()
