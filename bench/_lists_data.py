"""The data bench/fleet_lists.py and bench/search.py share: one customer account with
1,000,000 devices on PostgreSQL (a small second account beside it, to check that a
tenant's search stays fast and scoped), cases, replacement orders and documents.

Built once with COPY (``session_replication_role = replica`` skips the per-row FK
triggers: the rows are valid by construction), then VACUUM ANALYZE; reused by later runs
while the device count matches (``--rebuild`` forces a fresh database).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB = os.environ.get("BENCH_LISTS_DB", "fleetcare_bench_lists")
BIG = "Bench Big SA"
SMALL = "Bench Small SARL"
# (sku, category, share of the big account's devices in 1/1000): one rare model.
MODELS = [
    ("VOY-1", "personal", 150),
    ("VOY-2", "personal", 150),
    ("CCX-1", "voice", 120),
    ("CCX-2", "voice", 120),
    ("CCX-3", "voice", 100),
    ("VVX-1", "voice", 80),
    ("STUDIO-1", "video", 90),
    ("STUDIO-2", "video", 90),
    ("G7500", "video", 50),
    ("TC10", "video", 30),
    ("EAGLE", "video", 19),
    ("RARE-1", "immersive_telepresence", 1),
]


def _exists(devices: int) -> bool:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            return False
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB}"
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM fleet_device d JOIN organisations_organisation o "
                "ON o.id = d.account_id WHERE o.name = %s",
                [BIG],
            ).fetchone()
    except psycopg.Error:
        return False
    return bool(row) and row[0] == devices


def setup(devices: int, *, rebuild: bool = False) -> dict[str, Any]:
    """Django pointed at the bench database, built if needed; the objects the cases use."""
    reuse = not rebuild and _exists(devices)
    if not reuse:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleetcare.config.settings")
    os.environ.setdefault("FLEETCARE_MEDIA_ROOT", f"/tmp/{DB}-media")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not reuse:
        t = time.perf_counter()
        _build(devices)
        print(f"built {devices:,} devices in {time.perf_counter() - t:.1f} s", flush=True)
    else:
        print(f"reusing {DB} ({devices:,} devices)", flush=True)
    return _context()


def _build(devices: int) -> None:
    from datetime import date
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from fleetcare.billing.models import Document
    from fleetcare.catalog.models import Category, ProductModel
    from fleetcare.organisations.models import Organisation, Site, User
    from fleetcare.replacements.models import ReplacementOrder
    from fleetcare.support.models import Case

    vendor = Organisation.objects.create(name="Poly", kind="vendor", country="US")
    User.objects.create(username="bench-agent", organisation=vendor, role="support_agent")
    User.objects.create(username="bench-vendor", organisation=vendor, role="vendor_admin")
    cats = {
        code: Category.objects.create(code=code, name=code)
        for code in sorted({c for _s, c, _n in MODELS})
    }
    models = [
        ProductModel.objects.create(
            sku=sku,
            name=sku,
            family=sku.split("-")[0],
            category=cats[cat],
        )
        for sku, cat, _n in MODELS
    ]
    big = Organisation.objects.create(name=BIG, kind="customer", country="FR", currency="EUR")
    small = Organisation.objects.create(name=SMALL, kind="customer", country="FR")
    Organisation.objects.bulk_create(
        Organisation(name=f"Account {i:05d}", kind="customer", country="FR") for i in range(2000)
    )
    for org, name in ((big, "bench-big"), (small, "bench-small")):
        User.objects.create(username=name, organisation=org, role="customer_admin")
        Site.objects.create(organisation=org, name="HQ", country="FR", time_zone="Europe/Paris")
    # The big account's devices, model by model in the shares above; serials
    # SN000000001 … (one in ten devices without a serial, as fleets are).
    weights = [n for _s, _c, n in MODELS]
    total_w = sum(weights)
    now = timezone.now().isoformat()
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        raw = cur.connection
        with raw.cursor().copy(
            "COPY fleet_device (created_at, updated_at, account_id, product_model_id, "
            "serial_number, firmware_version, first_seen_on, last_seen_on, status) FROM STDIN"
        ) as copy:
            i = 0
            for model, w in zip(models, weights, strict=True):
                n = devices * w // total_w if model is not models[-1] else devices - i
                buf = []
                for _ in range(n):
                    i += 1
                    serial = "\\N" if i % 10 == 0 else f"SN{i:09d}"
                    first = date.fromordinal(738000 + i % 700).isoformat()
                    last = date.fromordinal(739000 + (i * 7919) % 330).isoformat()
                    buf.append(
                        f"{now}\t{now}\t{big.pk}\t{model.pk}\t{serial}\t1.0.0\t{first}\t{last}\tactive\n"
                    )
                    if len(buf) == 50_000:
                        copy.write("".join(buf))
                        buf = []
                copy.write("".join(buf))
            for j in range(1000):  # the small account: same serial shapes, its own
                copy.write(
                    f"{now}\t{now}\t{small.pk}\t{models[j % 3].pk}\tSM{j:09d}\t1.0.0\t"
                    "2025-01-01\t2025-06-01\tactive\n"
                )
        cur.execute("SET session_replication_role = origin")
    # Cases, orders and documents of both accounts (thousands, as a vendor's are).
    requester = User.objects.get(username="bench-big")
    site = big.sites.get()
    opened = timezone.now()
    Case.objects.bulk_create(
        Case(
            reference=f"CASE-{k:06d}",
            account=big if k % 10 else small,
            requester=requester,
            product_model=models[k % 11],
            severity="S3",
            subject=f"Bench case {k}",
            description="-",
            entitlement="none",
            opened_at=opened,
        )
        for k in range(1, 5001)
    )
    cases = list(Case.objects.order_by("id")[:2000])
    ReplacementOrder.objects.bulk_create(
        ReplacementOrder(
            reference=f"RMA-{k:06d}",
            case=c,
            account_id=c.account_id,
            product_model_id=c.product_model_id,
            delivery_site=site,
            cause="hardware_fault",
            requested_at=opened,
        )
        for k, c in enumerate(cases, start=1)
    )
    Document.objects.bulk_create(
        Document(
            kind="invoice",
            purpose="options",
            status="issued",
            number=f"INV-{k:06d}",
            account=big if k % 10 else small,
            addressed_to=big if k % 10 else small,
            currency="EUR",
            title=f"Bench invoice {k}",
            total=Decimal("100.00"),
        )
        for k in range(1, 5001)
    )
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _context() -> dict[str, Any]:
    from fleetcare.catalog.models import ProductModel
    from fleetcare.organisations.models import Organisation, User

    return {
        "big": Organisation.objects.get(name=BIG),
        "small": Organisation.objects.get(name=SMALL),
        "big_user": User.objects.get(username="bench-big"),
        "small_user": User.objects.get(username="bench-small"),
        "agent": User.objects.get(username="bench-agent"),
        "models": {m.sku: m for m in ProductModel.objects.all()},
    }


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


CPU_P95: dict[int, float] = {}


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, int]:
    """p95 in ms of ``fn`` over ``runs`` calls (after two warm-ups), and the query count
    of one call. The p95 of this process's CPU time per call is kept in ``CPU_P95`` (on
    a machine shared with other work the wall time includes waiting for a core)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    fn()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    samples, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    CPU_P95[id(fn)] = p95(cpu)
    return p95(samples), queries


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} ({os.cpu_count() or 0} cores)"


def sql_timer(sql: str, params: list[Any]) -> Callable[[], Any]:
    from django.db import connection

    def run() -> Any:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    return run


def clients(ctx: dict[str, Any]) -> dict[str, Any]:
    """A logged-in portal client and a bearer-token API client per user."""
    from django.test import Client

    from fleetcare.organisations.models import ApiToken

    out = {}
    for key in ("big_user", "small_user", "agent"):
        user = ctx[key]
        portal = Client()
        portal.force_login(user)
        _, raw = ApiToken.issue(user)
        out[key] = (portal, Client(HTTP_AUTHORIZATION=f"Bearer {raw}"))
    return out


def explain_cost(fn: Callable[[], Any]) -> tuple[float, int]:
    """The database's own cost of one call, independent of the machine's load: the sum of
    EXPLAIN ANALYZE execution times (ms) and of the buffers its queries touched."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    total_ms, buffers = 0.0, 0
    with connection.cursor() as cur:
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql.replace("%", "%%"))
            plan = cur.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            top = plan[0]
            total_ms += top["Execution Time"]
            node = top["Plan"]
            buffers += node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
    return total_ms, buffers
