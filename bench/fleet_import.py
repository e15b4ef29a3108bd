"""Benchmark (issues 4 and 10, R-FLT-2/4): import a 1,000,000-device CSV over 5,000 accounts.

fleetcare's import (a full inventory: validate every row, write, one snapshot per
account, all or nothing), best of 3, against baselines measured in the same run on
PostgreSQL, best of 3 each:

- ``ratio_indexed_floor`` (target <= 1.5): a COPY of the same ready-made rows into a
  table shaped like fleet_device with its indexes and no FK triggers;
- ``ratio_bare_copy`` (information): a COPY of the file into a bare text table;
- ``ratio_preview`` (target <= 2): the preview of the same file (validation and the plan:
  added, updated, retired) with the 1,000,000 devices already stored, against the import;
- ``peak_rss_mb`` (target < 500): the file is streamed, never loaded whole.

    python bench/fleet_import.py [--devices 1000000] [--accounts 5000] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def fresh_database(name: str) -> str:
    """Drop and create ``name``; point Django at it; migrate. Returns its URL."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleetcare.config.settings")
    os.environ.setdefault("FLEETCARE_MEDIA_ROOT", f"/tmp/{name}-media")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def drop_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_data(accounts: int):
    """Vendor admin, categories, a dozen models (two past end-of-support, one quote-only),
    and ``accounts`` customer accounts, in bulk."""
    from datetime import date

    from fleetcare.catalog.models import Category, ProductModel
    from fleetcare.organisations.models import Organisation, User

    vendor = Organisation.objects.create(name="Poly", kind="vendor", country="US")
    admin = User.objects.create(username="bench-admin", organisation=vendor, role="vendor_admin")
    cats = {
        code: Category.objects.create(code=code, name=code, quote_only=code == "infrastructure")
        for code in ("personal", "video", "voice", "infrastructure")
    }
    specs = [
        ("VOY-1", "personal", None),
        ("VOY-2", "personal", None),
        ("BW-1", "personal", date(2020, 1, 1)),
        ("CCX-1", "voice", None),
        ("CCX-2", "voice", None),
        ("VVX-1", "voice", date(2021, 6, 30)),
        ("STUDIO-1", "video", None),
        ("STUDIO-2", "video", None),
        ("INFRA-1", "infrastructure", None),
    ]
    models = [
        ProductModel.objects.create(
            sku=sku,
            name=sku,
            family=sku.split("-")[0],
            category=cats[cat],
            end_of_support_on=eos,
        )
        for sku, cat, eos in specs
    ]
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Account {i:05d}", kind="customer", country="FR", account_number=f"A{i:06d}"
            )
            for i in range(accounts)
        ],
        batch_size=2000,
    )
    return admin, models


DB = "fleetcare_bench_import"


def make_csv(path: Path, devices: int, accounts: int, skus: list[str]) -> None:
    rng = random.Random(4)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["account", "sku", "serial_number", "site", "firmware_version", "first_seen"])
        for i in range(devices):
            serial = f"SN{i:09d}" if i % 3 == 0 else ""
            first = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if i % 4 == 0 else ""
            w.writerow([f"A{i % accounts:06d}", skus[i % len(skus)], serial, "", "1.0.0", first])


def shaped_table_load(connection, copy_s: float) -> float:
    """COPY (already timed: ``copy_s``) plus one INSERT … SELECT that resolves accounts and
    models into a table with fleet_device's columns, indexes and foreign keys."""
    from django.db import transaction

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE shaped_device (LIKE fleet_device INCLUDING ALL)")
        cur.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = 'fleet_device'::regclass AND contype = 'f'"""
        )
        for name, definition in cur.fetchall():
            definition = definition.replace("REFERENCES fleet_device", "REFERENCES shaped_device")
            cur.execute(f'ALTER TABLE shaped_device ADD CONSTRAINT "s_{name}" {definition}')
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """INSERT INTO shaped_device (created_at, updated_at, account_id, site_id,
                   product_model_id, serial_number, firmware_version, first_seen_on,
                   last_seen_on, status, replaced_by_id)
               SELECT now(), now(), o.id, NULL, m.id, NULLIF(b.serial_number, ''),
                      b.firmware_version, COALESCE(NULLIF(b.first_seen, '')::date, CURRENT_DATE),
                      CURRENT_DATE, 'active', NULL
               FROM bare_fleet b
               JOIN organisations_organisation o ON o.account_number = b.account
               JOIN catalog_productmodel m ON m.sku = b.sku"""
        )
    return copy_s + time.perf_counter() - t0


_FLOOR_COLS = (
    "created_at, updated_at, account_id, site_id, product_model_id, serial_number, "
    "firmware_version, first_seen_on, last_seen_on, status, replaced_by_id"
)


def indexed_floor(connection, rows_file: Path, runs: int = 3) -> float:
    """Best of ``runs``: COPY of the same ready-made rows (the import's own output) into a
    table shaped like fleet_device with its indexes and no FK triggers."""
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS floor_device")
        cur.execute("CREATE TABLE floor_device (LIKE fleet_device INCLUDING ALL)")
    best = float("inf")
    for _ in range(runs):
        with connection.cursor() as cur:
            cur.execute("TRUNCATE floor_device")
        t0 = time.perf_counter()
        with connection.cursor() as cur, open(rows_file, "rb") as fh:  # noqa: SIM117
            with cur.cursor.copy(f"COPY floor_device ({_FLOOR_COLS}) FROM STDIN") as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=5_000)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()

    fresh_database(DB)
    from django.db import connection

    from fleetcare.fleet import services
    from fleetcare.fleet.models import Device, InventorySnapshot

    admin, models = base_data(args.accounts)
    skus = [m.sku for m in models]
    tmp = Path(tempfile.mkdtemp()) / "fleet.csv"
    t0 = time.perf_counter()
    make_csv(tmp, args.devices, args.accounts, skus)
    print(
        f"generated {args.devices:,} rows over {args.accounts:,} accounts "
        f"({tmp.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
    )

    # Baseline: COPY the same file into a bare table.
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bare_fleet (account text, sku text, "
            "serial_number text, site text, firmware_version text, first_seen text)"
        )
    copy_s = float("inf")
    sql = "COPY bare_fleet FROM STDIN WITH (FORMAT csv, HEADER true)"
    for _ in range(3):
        with connection.cursor() as cur:
            cur.execute("TRUNCATE bare_fleet")
        t0 = time.perf_counter()
        with connection.cursor() as cur, open(tmp, "rb") as fh, cur.cursor.copy(sql) as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        copy_s = min(copy_s, time.perf_counter() - t0)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import_s = float("inf")
    runs = []
    for run in range(3):
        if run:  # start again from an empty fleet
            with connection.cursor() as cur:
                cur.execute(
                    "TRUNCATE fleet_device, fleet_snapshotcount, fleet_inventorysnapshot CASCADE"
                )
        t0 = time.perf_counter()
        outcome = services.import_file(
            actor=admin,
            account=None,
            path=tmp,
            file_name="fleet.csv",
            background=False,
            keep_file=True,
        )
        runs.append(time.perf_counter() - t0)
        import_s = min(import_s, runs[-1])
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n = Device.objects.count()
    assert n == args.devices, (n, args.devices)
    assert len(outcome.snapshots) == InventorySnapshot.objects.count() == args.accounts

    # Second baseline, for context: the least a load into the real table's shape costs.
    # The bare table above has no index and no foreign key; fleet_device needs both.
    shaped_s = shaped_table_load(connection, copy_s)

    # The preview's (and a refused import's) check with every device already stored.
    from datetime import date as _date

    from fleetcare.fleet import importing

    preview_s = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        analysis = importing.analyse(importing.open_rows(tmp, "fleet.csv"), None, _date.today())
        plan = importing.plan_changes(analysis, "full", _date.today())
        preview_s = min(preview_s, time.perf_counter() - t0)
    assert sum(plan.updated.values()) == args.devices and not plan.retired, plan.retired

    rows_file = tmp.with_suffix(".rows")
    with connection.cursor() as cur, open(rows_file, "wb") as fh:  # noqa: SIM117
        with cur.cursor.copy(f"COPY (SELECT {_FLOOR_COLS} FROM fleet_device) TO STDOUT") as cp:
            for block in cp:
                fh.write(block)
    floor_s = indexed_floor(connection, rows_file)
    rows_file.unlink()

    print(f"COPY into a bare table : {copy_s:8.2f} s")
    print(f"fleetcare import       : {import_s:8.2f} s  ({args.devices / import_s:,.0f} rows/s)")
    print(f"import runs            : {', '.join(f'{r:.2f}' for r in runs)} s")
    print(
        f"ratio to the bare COPY  : {import_s / copy_s:8.2f}  (information only, see ratio_indexed_floor)"
    )
    print(
        f"hand-written SQL load into a table shaped like fleet_device (same indexes and "
        f"foreign keys, no validation): {shaped_s:.2f} s; fleetcare / that: {import_s / shaped_s:.2f}"
    )
    print(
        f"peak memory (max RSS)  : {rss_after:8.0f} MB  (before the import {rss_before:.0f} MB; target < 500)"
    )
    print(f"indexed floor (COPY of ready rows, indexes, no FK triggers): {floor_s:.2f} s")
    print(f"preview check with every device stored: {preview_s:.2f} s")
    print(f"ratio_indexed_floor: {import_s / floor_s:.2f}")
    print(f"ratio_bare_copy: {import_s / copy_s:.2f}")
    print(f"ratio_preview: {preview_s / import_s:.2f}")
    print(f"peak_rss_mb: {rss_after:.0f}")
    tmp.unlink()
    if not args.keep:
        drop_database(DB)


if __name__ == "__main__":
    main()
