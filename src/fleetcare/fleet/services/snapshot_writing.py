"""Writing the snapshots of an import, inside its transaction: one per account, its
counts per model (one statement), the change log and the webhooks."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from fleetcare.core.changelog import log_changes
from fleetcare.fleet import importing
from fleetcare.fleet.models import (
    ImportMode,
    InventorySnapshot,
    SnapshotCount,
    SnapshotStatus,
)
from fleetcare.webhooks import payloads as webhook_events


def _write_counts(snapshots: dict[int, InventorySnapshot], analysis: importing.Analysis) -> None:
    """One statement: a count per snapshot and product model (account and category copied)."""
    cols: tuple[list[int], list[int], list[int], list[int], list[int]] = ([], [], [], [], [])
    snap_ids, accounts, models, categories, counts = cols
    for acc, counter in analysis.counts.items():
        snap_id = snapshots[acc].pk
        for model, n in counter.items():
            snap_ids.append(snap_id)
            accounts.append(acc)
            models.append(model)
            categories.append(analysis.categories[model])
            counts.append(n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {SnapshotCount._meta.db_table} "
                "(snapshot_id, account_id, product_model_id, category_id, count) "
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], "
                "%s::integer[])",
                list(cols),
            )
        return
    SnapshotCount.objects.bulk_create(
        [
            SnapshotCount(snapshot_id=s, account_id=a, product_model_id=m, category_id=c, count=n)
            for s, a, m, c, n in zip(*cols, strict=True)
        ],
        batch_size=2000,
    )


def _write_snapshots(
    analysis: importing.Analysis,
    plan: importing.Plan,
    account_id: int | None,
    as_of: date,
    snapshot: InventorySnapshot | None,
    actor: Any,
    *,
    source: str,
    file_name: str,
    checksum: str,
    mode: str = ImportMode.FULL,
    confirm_retire: bool = False,
) -> list[InventorySnapshot]:
    """Inside the import's transaction: one snapshot per account, its counts, change log.
    A full inventory counts the file; add or update counts the account's active devices
    once the file is in."""
    accounts = analysis.account_ids
    if mode == ImportMode.ADD:
        _count_active_devices(analysis)
    snaps: dict[int, InventorySnapshot] = {}
    now = timezone.now()
    who = actor if getattr(actor, "is_authenticated", False) else None
    for acc in accounts:
        total = sum(analysis.counts[acc].values())
        fields = {
            "as_of": as_of,
            "source": source,
            "file_name": file_name[:200],
            "checksum": checksum,
            "status": SnapshotStatus.DONE,
            "rows_total": total,
            "rows_done": total,
            "device_count": total,
            "created_devices": plan.created.get(acc, 0),
            "updated_devices": plan.updated.get(acc, 0),
            "retired_devices": plan.retired.get(acc, 0),
            "mode": mode,
            "retire_confirmed": confirm_retire,
            "errors": [],
            "error_count": 0,
            "finished_at": now,
            "upload_path": "",
        }
        if snapshot is not None and acc == account_id:
            for k, v in fields.items():
                setattr(snapshot, k, v)
            snapshot.save()
            snaps[acc] = snapshot
        else:
            snaps[acc] = InventorySnapshot(
                account_id=acc, created_by=who, created_at=now, updated_at=now, **fields
            )
    new = [s for s in snaps.values() if s.pk is None]
    InventorySnapshot.objects.bulk_create(new, batch_size=2000)
    _write_counts(snaps, analysis)
    _log_many(list(snaps.values()), "fleet.inventory_imported", actor)
    webhook_events.fleet_imports("import.finished", list(snaps.values()))
    return list(snaps.values())


def _count_active_devices(analysis: importing.Analysis) -> None:
    """Add or update: the snapshot's counts are the account's active devices (the file's
    and the ones it did not name), per model."""
    from django.db.models import Count

    from fleetcare.fleet.models import Device, DeviceStatus

    counts: dict[int, Counter[int]] = {acc: Counter() for acc in analysis.account_ids}
    for acc, model, n in (
        Device.objects.filter(account_id__in=list(counts), status=DeviceStatus.ACTIVE)
        .order_by()
        .values_list("account_id", "product_model_id")
        .annotate(n=Count("id"))
    ):
        counts[acc][model] = n
    analysis.counts.update(counts)


def _log_many(objs: list[InventorySnapshot], action: str, actor: Any) -> None:
    """Change-log entries for many snapshots of one import, in one insert (a large import
    names each by id, which needs no query)."""
    log_changes(
        objs, action, actor=actor, describe=str if len(objs) <= 5 else lambda o: f"snapshot {o.pk}"
    )
