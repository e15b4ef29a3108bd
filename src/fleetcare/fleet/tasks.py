"""Background work of the fleet app (Celery; in-process when no broker is configured)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="fleet.import_snapshot")
def import_snapshot(snapshot_id: int) -> dict:
    from .services import run_snapshot_import

    snapshot = run_snapshot_import(snapshot_id)
    return {"snapshot": snapshot.pk, "status": snapshot.status, "errors": len(snapshot.errors)}
