"""Background imports that survive failure: heartbeat, stale imports, the broker check.

A running import beats a heartbeat on its snapshot. Its Celery task is acknowledged
only once it has run (``acks_late``), so a worker that dies mid-import leaves the
message to be delivered again; the next worker sees a stale heartbeat and runs the
import again (all or nothing: nothing of the first attempt was committed). An import
whose heartbeat stays silent longer than ``FLEET_IMPORT_STALE_SECONDS`` is marked
failed by the job ``fleet.stale_imports``; the same file can then be sent again.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from fleetcare.fleet.models import InventorySnapshot, SnapshotStatus


class BrokerUnavailable(Exception):
    """The task queue does not answer: nothing was queued, nothing was kept."""


def check_broker() -> None:
    """Connect to the broker with a short timeout (not kombu's ~20 s of retries)."""
    from fleetcare.config.celery import app

    if app.conf.task_always_eager:
        return
    timeout = settings.FLEET_BROKER_CONNECT_TIMEOUT
    try:
        conn = app.connection_for_write(connect_timeout=timeout)
        try:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        finally:
            conn.release()
    except Exception as exc:  # kombu/redis/amqp errors all mean "not reachable"
        raise BrokerUnavailable(str(exc)) from exc


def queue_import(snapshot_id: int) -> None:
    """Send the import task once (no publish retries); BrokerUnavailable if it fails."""
    from fleetcare.config.celery import app

    try:  # by name: the task lives in fleet.services.imports, which imports this module
        app.send_task("fleet.import_snapshot", args=[snapshot_id], retry=False)
    except BrokerUnavailable:
        raise
    except Exception as exc:
        if app.conf.task_always_eager:
            raise
        raise BrokerUnavailable(str(exc)) from exc


def alive_cutoff(now: datetime | None = None) -> datetime:
    """A heartbeat newer than this means a worker is running the import right now."""
    return (now or timezone.now()) - timedelta(
        seconds=3 * settings.FLEET_IMPORT_HEARTBEAT_SECONDS + 1
    )


class Heartbeat:
    """Progress and heartbeat of a background import, written by a thread through its own
    connection (PostgreSQL: the portal sees them while the import's transaction is open;
    elsewhere the import's progress callback writes them)."""

    def __init__(self, snapshot: InventorySnapshot) -> None:
        self.snapshot_id = snapshot.pk
        self.rows_done: int | None = None
        self.status: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if connection.vendor == "postgresql":
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def __call__(self, n: int) -> None:
        self.rows_done = n
        if self._thread is None:
            InventorySnapshot.objects.filter(pk=self.snapshot_id).update(
                rows_done=n, heartbeat_at=timezone.now()
            )

    def set_status(self, status: str) -> None:
        self.status = status

    def _run(self) -> None:
        conn = connections.create_connection("default")
        t = InventorySnapshot._meta.db_table
        tick = min(0.5, settings.FLEET_IMPORT_HEARTBEAT_SECONDS)
        try:
            while True:
                stopping = self._stop.wait(tick)
                sets, params = ["heartbeat_at = now()"], []
                if self.rows_done is not None:
                    sets.append("rows_done = %s")
                    params.append(self.rows_done)
                if self.status is not None:
                    sets.append("status = %s")
                    params.append(self.status)
                with conn.cursor() as cur:  # never waits: skipped while the row is locked
                    cur.execute(
                        f"UPDATE {t} SET {', '.join(sets)} WHERE id = (SELECT id FROM {t} "
                        "WHERE id = %s AND status IN ('pending', 'validating', 'writing') "
                        "FOR UPDATE SKIP LOCKED)",
                        [*params, self.snapshot_id],
                    )
                if stopping:
                    return
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def mark_stale_imports(now: datetime) -> dict[str, Any]:
    """Imports whose heartbeat is older than the setting are failed (their worker died)."""
    from fleetcare.core.changelog import log_change
    from fleetcare.fleet.services.uploads import discard_upload

    cutoff = now - timedelta(seconds=settings.FLEET_IMPORT_STALE_SECONDS)
    stale = InventorySnapshot.objects.filter(
        status__in=[SnapshotStatus.PENDING, SnapshotStatus.VALIDATING, SnapshotStatus.WRITING],
        heartbeat_at__lt=cutoff,
    )
    failed = []
    for snap in stale:
        n = InventorySnapshot.objects.filter(pk=snap.pk, heartbeat_at__lt=cutoff).update(
            status=SnapshotStatus.FAILED,
            errors=[
                {
                    "row": 1,
                    "column": "",
                    "code": "stale",
                    "params": {},
                    "value": "",
                }
            ],
            error_count=1,
            finished_at=now,
            upload_path="",
        )
        if n:
            if snap.upload_path:
                discard_upload(snap.upload_path)
            snap.refresh_from_db()
            log_change(snap, "fleet.import_stale", actor=None)
            failed.append(snap.pk)
    return {"failed": failed}
