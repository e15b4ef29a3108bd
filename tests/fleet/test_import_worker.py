"""A real Celery worker on Redis killed mid-import (R-FLT-2, R-FLT-4): the import is
delivered again to the next worker and completes, or the stale-import job marks it failed
and the same file is importable again. Needs PostgreSQL (shared with the worker)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from fleetcare.fleet.models import Device, InventorySnapshot, SnapshotStatus
from tests.core.test_celery import REDIS_HOST, REDIS_PORT, _redis_answers
from tests.factories import csv_bytes, upload

BROKER = f"redis://{REDIS_HOST}:{REDIS_PORT}/9"
ROWS = 300_000


def _worker(env: dict) -> subprocess.Popen:
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    return subprocess.Popen(
        [
            celery,
            "-A",
            "fleetcare.config",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _reset_connections(app) -> None:
    """Celery caches its connection and producer pools with the broker URL they were
    opened on; drop them so the next send uses the broker configured now."""
    pool = getattr(app, "_pool", None)
    if pool is not None:
        pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
# The stale-import job itself is tested in test_import_faults.py (no worker needed).
@pytest.mark.parametrize("recovery", ["redelivered"])
def test_r_flt_4_a_worker_killed_mid_import(models, admin_api, settings, tmp_path, recovery):
    if not _redis_answers():
        if os.environ.get("FLEETCARE_REQUIRE_REDIS"):
            pytest.fail("FLEETCARE_REQUIRE_REDIS is set but no Redis answers on 127.0.0.1:6379")
        pytest.skip("no Redis answers on 127.0.0.1:6379 (CI runs this test with Redis)")
    if connection.vendor != "postgresql":
        pytest.skip("the worker must share the test database: run with a PostgreSQL DATABASE_URL")
    import redis

    from fleetcare.config.celery import app

    redis.Redis.from_url(BROKER).flushdb()
    db = connection.settings_dict
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "FLEET_IMPORT_HEARTBEAT_SECONDS": "1",
        "FLEETCARE_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "FLEETCARE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
    }
    old = app.conf.broker_url, app.conf.task_always_eager, app.conf.result_backend
    app.conf.broker_url, app.conf.task_always_eager = BROKER, False
    _reset_connections(app)  # earlier tests may have opened the pool on another broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    content = csv_bytes([{"sku": "STUDIO-X50", "serial_number": f"SN{i:07d}"} for i in range(ROWS)])
    worker = _worker(env)
    try:
        r = upload(admin_api, content)
        assert r.status_code == 202, r.content
        snap_id = r.json()["snapshots"][0]["id"]

        def running():
            s = InventorySnapshot.objects.get(pk=snap_id)
            return s.status == SnapshotStatus.VALIDATING and s.rows_done >= 10_000

        _wait(running, 120, "the import to start")
        worker.send_signal(signal.SIGKILL)  # mid-import: no goodbye, no ack
        worker.wait()
        time.sleep(1)
        snap = InventorySnapshot.objects.get(pk=snap_id)
        assert snap.in_progress
        assert not Device.objects.exists()  # the import's transaction died with it

        if recovery == "redelivered":
            worker = _worker(env)
            done = _wait(
                lambda: InventorySnapshot.objects.filter(pk=snap_id, status="done").first(),
                180,
                "the redelivered import to finish",
            )
            assert done.device_count == ROWS
            assert Device.objects.count() == ROWS
        else:
            from fleetcare.core.jobs import run_job

            later = timezone.now() + timedelta(seconds=settings.FLEET_IMPORT_STALE_SECONDS + 5)
            assert run_job("fleet.stale_imports", later)["failed"] == [snap_id]
            assert InventorySnapshot.objects.get(pk=snap_id).status == "failed"
            # The same file is importable again (here in-process: the point is that the
            # failed snapshot no longer counts as a duplicate).
            app.conf.task_always_eager = True
            settings.CELERY_TASK_ALWAYS_EAGER = True
            again = upload(admin_api, content)
            assert again.status_code in (201, 202), again.content
            assert again.json()["duplicate"] is False
            new_id = again.json()["snapshots"][0]["id"]
            assert InventorySnapshot.objects.get(pk=new_id).status == "done"
            assert InventorySnapshot.objects.get(pk=snap_id).status == "failed"
            assert Device.objects.count() == ROWS
    finally:
        _stop(worker)
        app.conf.broker_url, app.conf.task_always_eager, app.conf.result_backend = old
        _reset_connections(app)
        redis.Redis.from_url(BROKER).flushdb()
