"""Inventory imports and pushes (R-FLT-2, R-FLT-4): all or nothing, one snapshot per account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.changelog import log_change
from fleetcare.fleet import importing
from fleetcare.fleet.importing import ImportRejected
from fleetcare.fleet.models import (
    ImportMode,
    InventorySnapshot,
    SnapshotSource,
    SnapshotStatus,
)
from fleetcare.fleet.services.access import require_fleet_manager
from fleetcare.fleet.services.dedup import _check_not_imported, _Duplicate, _existing
from fleetcare.fleet.services.error_reports import save_report
from fleetcare.fleet.services.liveness import (
    BrokerUnavailable,
    Heartbeat,
    alive_cutoff,
    check_broker,
    queue_import,
)
from fleetcare.fleet.services.retire_guard import RetireNotConfirmed, check_retire
from fleetcare.fleet.services.snapshot_writing import _write_snapshots
from fleetcare.fleet.services.uploads import (
    _check_file_name,
    _sha256_file,
    discard_upload,
    local_path,
)
from fleetcare.webhooks import payloads as webhook_events

ASYNC_THRESHOLD = 5000


def file_checksum(path: Path, mode: str) -> str:
    """The file's SHA-256 (a full inventory, as before modes existed); the same file in
    add-or-update mode is another import, so its mode is part of the key."""
    digest = _sha256_file(path)
    if mode == ImportMode.FULL:
        return digest
    return hashlib.sha256(f"{digest}:{mode}".encode()).hexdigest()


def _check_as_of(as_of: date | None) -> date:
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError({"as_of": _("The inventory date cannot be in the future.")})
    return as_of


@dataclass
class ImportOutcome:
    snapshots: list[InventorySnapshot]
    duplicate: bool = False
    background: bool = False

    @property
    def snapshot(self) -> InventorySnapshot:
        return self.snapshots[0]


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
    mode: str = ImportMode.FULL,
    confirm_retire: bool = False,
) -> list[InventorySnapshot]:
    """Analyse then write, all or nothing. Raises ImportRejected with every bad row, and
    RetireNotConfirmed (rolled back) for a full inventory over the retire share."""
    account_id = account.pk if account is not None else None

    def progress(n: int) -> None:
        if on_progress is not None:
            on_progress(n)
        if snapshot is not None:
            InventorySnapshot.objects.filter(pk=snapshot.pk).update(
                rows_done=n, heartbeat_at=timezone.now()
            )

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
            mode=mode,
            confirm_retire=confirm_retire,
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
        _check_not_imported(account_id, checksum)
        plan = importing.apply(rows_factory(), analysis, account_id, as_of, progress, mode)
        check_retire(plan, mode, confirm_retire)
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
            mode=mode,
            confirm_retire=confirm_retire,
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
    mode: str = ImportMode.FULL,
    confirm_retire: bool = False,
) -> list[InventorySnapshot]:
    """PostgreSQL: one pass that validates and writes inside one transaction; any bad row
    rolls everything back, then every problem is listed."""
    from django.db import IntegrityError

    account_id = account.pk if account is not None else None
    reporter = Heartbeat(snapshot) if snapshot is not None else None

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
            _check_not_imported(account_id, checksum)
            known = importing.accounts_with_devices(None if account_id is None else [account_id])
            lookups = importing.Lookups.load(account_id)  # no query may run during the COPY
            skipped = importing.skip_fk_triggers()  # per-row FK triggers off, if permitted
            writer = importing.DirectWriter(as_of, known, mode)
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
            if reporter is not None:
                reporter.set_status(SnapshotStatus.WRITING)
            if account_id is None:
                _lock_accounts(analysis.account_ids)
            importing.lock_references(analysis, actor)
            plan = writer.finish(analysis)
            check_retire(plan, mode, confirm_retire)
            # The snapshots, their counts (45,000 rows for 5,000 accounts) and the change
            # log go in with the triggers still skipped: every id they reference is one
            # lock_references checked and holds, or a row this transaction wrote. (Add or
            # update counts every model of the account's devices: triggers back on.)
            if skipped and mode == ImportMode.ADD:
                importing.restore_fk_triggers()
                skipped = False
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
                mode=mode,
                confirm_retire=confirm_retire,
            )
            if skipped:
                importing.restore_fk_triggers()
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


def _lock_accounts(accounts: list[int]) -> None:
    """One import at a time per account (row locks; no-op on SQLite, which serialises writes)."""
    from fleetcare.organisations.models import Organisation

    locked = Organisation.objects.select_for_update().filter(pk__in=accounts)
    if len(locked.values_list("pk", flat=True)) != len(accounts):
        raise ImportRejected([importing._err(1, "", "account_deleted")])


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
    mode: str = ImportMode.FULL,
    confirm_retire: bool = False,
) -> ImportOutcome:
    """Import a CSV or XLSX inventory file for ``account`` (or for the accounts it names).

    ``mode``: a full inventory retires the account's active devices the file does not
    name (over FLEET_IMPORT_RETIRE_WARN_SHARE of them only with ``confirm_retire``, else
    RetireNotConfirmed and nothing saved); add or update retires nothing.

    Small files are imported at once (ImportRejected on any bad row, nothing saved).
    Files over ASYNC_THRESHOLD rows (or ``background=True``) get a pending snapshot
    and run as a Celery task; the snapshot shows progress, then done or the errors.
    """
    background_started = False
    try:
        require_fleet_manager(actor, account)
        as_of = _check_as_of(as_of)
        file_name = file_name or Path(str(path)).name
        _check_file_name(file_name)
        mode = ImportMode(mode)
        with local_path(path) as local:
            outcome = _import_file(
                actor,
                account,
                path,
                local,
                file_name,
                as_of,
                background,
                progress,
                (mode, confirm_retire),
            )
        background_started = outcome.background
        return outcome
    except ImportRejected as exc:
        exc.report = save_report(
            actor=actor, account=account, errors=exc.errors, file_name=file_name
        )
        raise
    finally:
        if not keep_file and not background_started:
            discard_upload(path)


def _import_file(actor, account, ref, path, file_name, as_of, background, progress, how):
    """:func:`import_file` once the upload ``ref`` can be read at the local ``path``;
    ``how`` is (mode, confirm_retire)."""
    mode, confirm_retire = how
    checksum = file_checksum(path, mode)
    existing = _existing(account, checksum)
    if existing:
        return ImportOutcome(existing, duplicate=True)
    importing.check_file(path, file_name)
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
                mode=mode,
                confirm_retire=confirm_retire,
            )
        except _Duplicate as dup:
            return ImportOutcome(dup.snapshots, duplicate=True)
        except (UnicodeDecodeError, OSError, ValueError) as exc:
            if isinstance(exc, ImportRejected):
                raise
            raise ImportRejected([importing._err(1, "", "unreadable", detail=str(exc))]) from exc
        return ImportOutcome(snaps)
    if account is None:
        raise ValidationError(_("Background imports need one account."))
    check_broker()  # fails fast (BrokerUnavailable): nothing is created
    snapshot = _queue(account, as_of, file_name, checksum, rows, ref, actor, how)
    return ImportOutcome([snapshot], background=True)


def _queue(account, as_of, file_name, checksum, rows, ref, actor, how) -> InventorySnapshot:
    """A pending snapshot and its task; with the broker gone, neither (BrokerUnavailable)."""
    with transaction.atomic():
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
            heartbeat_at=timezone.now(),
            mode=how[0],
            retire_confirmed=how[1],
        )
        log_change(snapshot, "fleet.import_queued", actor=actor)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        import_snapshot.delay(snapshot.pk)
    elif transaction.get_connection().in_atomic_block:
        # a worker must see the snapshot: queue it once it is committed
        transaction.on_commit(lambda: queue_import(snapshot.pk))
    else:
        try:
            queue_import(snapshot.pk)
        except BrokerUnavailable:
            snapshot.delete()
            raise
    snapshot.refresh_from_db()
    return snapshot


def run_snapshot_import(snapshot_id: int) -> InventorySnapshot:
    """The background part of :func:`import_file` (Celery task body). Idempotent."""
    snapshot = InventorySnapshot.objects.select_related("account", "created_by").get(pk=snapshot_id)
    if not snapshot.in_progress:
        return snapshot
    # Delivered again while its worker still beats (a broker redelivery): leave it be.
    # Its worker died (no heartbeat for a while): run it again, from the start.
    claimed = InventorySnapshot.objects.filter(pk=snapshot.pk).filter(
        models.Q(status=SnapshotStatus.PENDING)
        | models.Q(heartbeat_at__isnull=True)
        | models.Q(heartbeat_at__lt=alive_cutoff())
    )
    if not claimed.update(
        status=SnapshotStatus.VALIDATING, rows_done=0, heartbeat_at=timezone.now()
    ):
        return snapshot
    ref = snapshot.upload_path
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
                mode=snapshot.mode,
                confirm_retire=snapshot.retire_confirmed,
            )
    except RetireNotConfirmed as refused:
        _fail(snapshot, [refused.as_error()])
    except _Duplicate as dup:
        first = dup.snapshots[0].pk
        _fail(snapshot, [importing._err(1, "", "duplicate", first, snapshot=first)])
    except ImportRejected as exc:
        _fail(snapshot, exc.errors)
    except (UnicodeDecodeError, OSError, ValueError) as exc:
        _fail(snapshot, [importing._err(1, "", "unreadable", detail=str(exc))])
    if ref:  # a worker killed before this line leaves it for the redelivery
        discard_upload(ref)
    snapshot.refresh_from_db()
    if snapshot.status == SnapshotStatus.FAILED:
        webhook_events.fleet_import("import.finished", snapshot, errors=len(snapshot.errors))
    return snapshot


def _fail(snapshot: InventorySnapshot, errors: Any) -> None:
    """A background import refused: its first problems on the snapshot, every one in its
    error report."""
    log = importing.error_log(errors)
    save_report(
        actor=snapshot.created_by,
        account=snapshot.account,
        errors=log,
        file_name=snapshot.file_name,
        snapshot=snapshot,
    )
    InventorySnapshot.objects.filter(pk=snapshot.pk).update(
        status=SnapshotStatus.FAILED,
        errors=list(log),
        error_count=log.total,
        finished_at=timezone.now(),
        upload_path="",
    )


@shared_task(name="fleet.import_snapshot", acks_late=True, reject_on_worker_lost=True)
def import_snapshot(snapshot_id: int) -> dict:
    """Background import of a queued snapshot (Celery; in-process without a broker)."""
    snapshot = run_snapshot_import(snapshot_id)
    return {"snapshot": snapshot.pk, "status": snapshot.status, "errors": len(snapshot.errors)}
