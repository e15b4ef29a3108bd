"""Inventory imports and pushes (R-FLT-2, R-FLT-4): all or nothing, one snapshot per account."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.changelog import log_change, log_changes
from fleetcare.fleet import importing
from fleetcare.fleet.importing import ImportRejected
from fleetcare.fleet.models import (
    InventorySnapshot,
    SnapshotCount,
    SnapshotSource,
    SnapshotStatus,
)
from fleetcare.fleet.services.access import require_fleet_manager
from fleetcare.fleet.services.counts import latest_model_counts
from fleetcare.fleet.services.uploads import (
    _check_file_name,
    _sha256_file,
    discard_upload,
    local_path,
)

ASYNC_THRESHOLD = 5000


def _check_as_of(as_of: date | None) -> date:
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError({"as_of": _("The inventory date cannot be in the future.")})
    return as_of


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


@dataclass
class ImportOutcome:
    snapshots: list[InventorySnapshot]
    duplicate: bool = False
    background: bool = False

    @property
    def snapshot(self) -> InventorySnapshot:
        return self.snapshots[0]


def _existing(account: Any, checksum: str) -> list[InventorySnapshot]:
    qs = InventorySnapshot.objects.filter(checksum=checksum).exclude(status=SnapshotStatus.FAILED)
    if account is not None:
        qs = qs.filter(account=account)
    return list(qs.order_by("id"))


def _import_now(
    *,
    rows_factory,
    account: Any,
    as_of: date,
    source: str,
    file_name: str,
    checksum: str,
    actor: Any,
    snapshot: InventorySnapshot | None = None,
    on_progress: Any = None,
) -> list[InventorySnapshot]:
    """Analyse then write, all or nothing. Raises ImportRejected with every bad row."""
    account_id = account.pk if account is not None else None

    def progress(n: int) -> None:
        if on_progress is not None:
            on_progress(n)
        if snapshot is not None:
            InventorySnapshot.objects.filter(pk=snapshot.pk).update(rows_done=n)

    if importing.use_direct_writing():
        return _import_direct(
            rows_factory,
            account,
            as_of,
            on_progress,
            snapshot,
            actor,
            source=source,
            file_name=file_name,
            checksum=checksum,
        )
    analysis = importing.analyse(rows_factory(), account_id, as_of, progress)
    if not analysis.ok:
        raise ImportRejected(analysis.errors)
    if snapshot is not None:
        InventorySnapshot.objects.filter(pk=snapshot.pk).update(
            status=SnapshotStatus.WRITING, rows_total=analysis.rows, rows_done=0
        )
    with transaction.atomic():
        _lock_accounts(analysis.account_ids)
        plan = importing.apply(rows_factory(), analysis, account_id, as_of, progress)
        return _write_snapshots(
            analysis,
            plan,
            account_id,
            as_of,
            snapshot,
            actor,
            source=source,
            file_name=file_name,
            checksum=checksum,
        )


# Every import takes this advisory lock: shared for one account (whose row it also
# locks), exclusive for a multi-account file (whose accounts are known only at the end).
_IMPORT_LOCK = 7_415_021


class _Refused(Exception):
    def __init__(self, analysis: importing.Analysis) -> None:
        self.analysis = analysis


def _import_direct(
    rows_factory,
    account: Any,
    as_of: date,
    on_progress: Any,
    snapshot: InventorySnapshot | None,
    actor: Any,
    *,
    source: str,
    file_name: str,
    checksum: str,
) -> list[InventorySnapshot]:
    """PostgreSQL: one pass that validates and writes inside one transaction; any bad row
    rolls everything back, then every problem is listed."""
    from django.db import IntegrityError

    account_id = account.pk if account is not None else None
    reporter = _ProgressReporter(snapshot) if snapshot is not None else None

    def on_rows(n: int) -> None:
        if on_progress is not None:
            on_progress(n)
        if reporter is not None:
            reporter(n)

    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                if account_id is None:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
                else:
                    cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_IMPORT_LOCK])
                    _lock_accounts([account_id])
            known = importing.accounts_with_devices(None if account_id is None else [account_id])
            lookups = importing.Lookups.load(account_id)  # no query may run during the COPY
            writer = importing.DirectWriter(as_of, known)
            # psycopg's errors from the COPY become Django's (IntegrityError below).
            with connection.wrap_database_errors:
                try:
                    analysis = importing.analyse(
                        rows_factory(), account_id, as_of, on_rows, lookups, sink=writer
                    )
                except BaseException as exc:
                    writer.close(exc)
                    raise
                writer.close()
            if not analysis.ok:
                raise _Refused(analysis)
            if account_id is None:
                _lock_accounts(analysis.account_ids)
            importing.lock_references(analysis)
            plan = writer.finish(analysis)
            snaps = _write_snapshots(
                analysis,
                plan,
                account_id,
                as_of,
                snapshot,
                actor,
                source=source,
                file_name=file_name,
                checksum=checksum,
            )
    except _Refused as refused:  # rolled back; now the checks that need the database
        errors = refused.analysis.errors
        errors.extend(importing.serials_of_other_accounts(refused.analysis.serials))
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ImportRejected(errors) from None
    except IntegrityError:
        # The unique serial index refused a row: a serial number of another account's
        # device. Check the file again without writing, to list every problem.
        analysis = importing.analyse(rows_factory(), account_id, as_of)
        if not analysis.ok:
            raise ImportRejected(analysis.errors) from None
        raise
    finally:
        if reporter is not None:
            reporter.close()
    return snaps


class _ProgressReporter:
    """Progress of a background import, written through a second connection so that the
    portal sees it while the import's own transaction is still open."""

    def __init__(self, snapshot: InventorySnapshot) -> None:
        from django.db import connections

        self.snapshot_id = snapshot.pk
        self.conn = connections.create_connection("default")

    def __call__(self, n: int) -> None:
        t = InventorySnapshot._meta.db_table
        with self.conn.cursor() as cur:  # never waits: skipped while the row is locked
            cur.execute(
                f"UPDATE {t} SET rows_done = %s WHERE id = "
                f"(SELECT id FROM {t} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                [n, self.snapshot_id],
            )

    def close(self) -> None:
        self.conn.close()


def _lock_accounts(accounts: list[int]) -> None:
    """One import at a time per account (row locks; no-op on SQLite, which serialises writes)."""
    from fleetcare.organisations.models import Organisation

    locked = Organisation.objects.select_for_update().filter(pk__in=accounts)
    if len(locked.values_list("pk", flat=True)) != len(accounts):
        raise ImportRejected([importing._err(1, "", "an account was deleted during the import")])


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
) -> list[InventorySnapshot]:
    """Inside the import's transaction: one snapshot per account, its counts, change log."""
    accounts = analysis.account_ids
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
            "errors": [],
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
    return list(snaps.values())


def _log_many(objs: list[InventorySnapshot], action: str, actor: Any) -> None:
    """Change-log entries for many snapshots of one import, in one insert (a large import
    names each by id, which needs no query)."""
    log_changes(
        objs, action, actor=actor, describe=str if len(objs) <= 5 else lambda o: f"snapshot {o.pk}"
    )


def import_file(
    *,
    actor: Any,
    account: Any,
    path: str | Path,
    file_name: str = "",
    as_of: date | None = None,
    background: bool | None = None,
    keep_file: bool = False,
    progress: Any = None,
) -> ImportOutcome:
    """Import a CSV or XLSX inventory file for ``account`` (or for the accounts it names).

    Small files are imported at once (ImportRejected on any bad row, nothing saved).
    Files over ASYNC_THRESHOLD rows (or ``background=True``) get a pending snapshot
    and run as a Celery task; the snapshot shows progress, then done or the errors.
    """
    require_fleet_manager(actor, account)
    as_of = _check_as_of(as_of)
    file_name = file_name or Path(str(path)).name
    _check_file_name(file_name)
    with local_path(path) as local:
        return _import_file(
            actor, account, path, local, file_name, as_of, background, keep_file, progress
        )


def _import_file(actor, account, ref, path, file_name, as_of, background, keep_file, progress):
    """:func:`import_file` once the upload ``ref`` can be read at the local ``path``."""
    checksum = _sha256_file(path)
    existing = _existing(account, checksum)
    if existing:
        return ImportOutcome(existing, duplicate=True, background=existing[0].in_progress)
    rows = importing.count_data_rows(path, file_name)
    if background is None:
        background = rows > ASYNC_THRESHOLD and account is not None
    if not background:
        try:
            snaps = _import_now(
                rows_factory=lambda: importing.open_rows(path, file_name),
                account=account,
                as_of=as_of,
                source=SnapshotSource.FILE,
                file_name=file_name,
                checksum=checksum,
                actor=actor,
                on_progress=progress,
            )
        except (UnicodeDecodeError, OSError, ValueError) as exc:
            if isinstance(exc, ImportRejected):
                raise
            raise ImportRejected(
                [importing._err(1, "", f"the file cannot be read as CSV or XLSX ({exc})")]
            ) from exc
        finally:
            if not keep_file:
                discard_upload(ref)
        return ImportOutcome(snaps)
    if account is None:
        raise ValidationError(_("Background imports need one account."))
    snapshot = InventorySnapshot.objects.create(
        account=account,
        as_of=as_of,
        source=SnapshotSource.FILE,
        file_name=file_name[:200],
        checksum=checksum,
        status=SnapshotStatus.PENDING,
        rows_total=rows,
        upload_path=str(ref),
        created_by=actor,
    )
    log_change(snapshot, "fleet.import_queued", actor=actor)
    if settings.CELERY_TASK_ALWAYS_EAGER or not transaction.get_connection().in_atomic_block:
        import_snapshot.delay(snapshot.pk)
    else:  # a worker must see the snapshot: queue it once it is committed
        transaction.on_commit(lambda: import_snapshot.delay(snapshot.pk))
    snapshot.refresh_from_db()
    return ImportOutcome([snapshot], background=True)


def run_snapshot_import(snapshot_id: int) -> InventorySnapshot:
    """The background part of :func:`import_file` (Celery task body). Idempotent."""
    snapshot = InventorySnapshot.objects.select_related("account", "created_by").get(pk=snapshot_id)
    if snapshot.status not in (SnapshotStatus.PENDING, SnapshotStatus.VALIDATING):
        return snapshot
    ref = snapshot.upload_path
    InventorySnapshot.objects.filter(pk=snapshot.pk).update(status=SnapshotStatus.VALIDATING)
    try:
        with local_path(ref) as path:
            _import_now(
                rows_factory=lambda: importing.open_rows(path, snapshot.file_name),
                account=snapshot.account,
                as_of=snapshot.as_of,
                source=snapshot.source,
                file_name=snapshot.file_name,
                checksum=snapshot.checksum,
                actor=snapshot.created_by,
                snapshot=snapshot,
            )
    except ImportRejected as exc:
        InventorySnapshot.objects.filter(pk=snapshot.pk).update(
            status=SnapshotStatus.FAILED,
            errors=exc.errors,
            finished_at=timezone.now(),
            upload_path="",
        )
    except (UnicodeDecodeError, OSError, ValueError) as exc:
        InventorySnapshot.objects.filter(pk=snapshot.pk).update(
            status=SnapshotStatus.FAILED,
            errors=[importing._err(1, "", f"the file cannot be read as CSV or XLSX ({exc})")],
            finished_at=timezone.now(),
            upload_path="",
        )
    finally:
        discard_upload(ref)
    snapshot.refresh_from_db()
    return snapshot


@dataclass
class PreviewLine:
    sku: str
    name: str
    category: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass
class Preview:
    rows: int
    errors: list[dict[str, Any]]
    created: int = 0
    updated: int = 0
    lines: list[PreviewLine] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    duplicate: InventorySnapshot | None = None


def preview_file(
    *, actor: Any, account: Any, path: str | Path, file_name: str = "", as_of: date | None = None
) -> Preview:
    """What importing this file would change (counts per model, devices added/updated), or
    every bad row. Writes nothing."""
    from fleetcare.catalog.models import ProductModel

    require_fleet_manager(actor, account)
    as_of = _check_as_of(as_of)
    _check_file_name(file_name or str(path))
    try:
        with local_path(path) as local:
            existing = _existing(account, _sha256_file(local))
            analysis = importing.analyse(importing.open_rows(local, file_name), account.pk, as_of)
    except (UnicodeDecodeError, OSError, ValueError) as exc:
        return Preview(
            0, [importing._err(1, "", f"the file cannot be read as CSV or XLSX ({exc})")]
        )
    preview = Preview(analysis.rows, analysis.errors, ignored_columns=analysis.ignored_columns)
    preview.duplicate = existing[0] if existing else None
    if not analysis.ok:
        return preview
    plan = importing.plan_changes(analysis)
    preview.created = plan.created.get(account.pk, 0)
    preview.updated = plan.updated.get(account.pk, 0)
    after = analysis.counts.get(account.pk, Counter())
    before = latest_model_counts(account.pk, as_of)
    models = ProductModel.objects.select_related("category").in_bulk(set(after) | set(before))
    for pk in sorted(models, key=lambda k: models[k].sku):
        m = models[pk]
        preview.lines.append(
            PreviewLine(m.sku, m.name, str(m.category), before.get(pk, 0), after.get(pk, 0))
        )
    return preview


def push_inventory(
    *, actor: Any, account: Any, devices: list[dict[str, Any]], as_of: date | None = None
) -> ImportOutcome:
    """R-FLT-2: a device-management tool's batch (the account's whole inventory)."""
    require_fleet_manager(actor, account)
    as_of = _check_as_of(as_of)
    canonical = json.dumps(
        {"as_of": as_of.isoformat(), "devices": devices}, sort_keys=True, default=str
    )
    checksum = hashlib.sha256(canonical.encode()).hexdigest()
    existing = _existing(account, checksum)
    if existing:
        return ImportOutcome(existing, duplicate=True)
    snaps = _import_now(
        rows_factory=lambda: importing.rows_from_records(devices),
        account=account,
        as_of=as_of,
        source=SnapshotSource.API,
        file_name="",
        checksum=checksum,
        actor=actor,
    )
    return ImportOutcome(snaps)


@shared_task(name="fleet.import_snapshot")
def import_snapshot(snapshot_id: int) -> dict:
    """Background import of a queued snapshot (Celery; in-process without a broker)."""
    snapshot = run_snapshot_import(snapshot_id)
    return {"snapshot": snapshot.pk, "status": snapshot.status, "errors": len(snapshot.errors)}
