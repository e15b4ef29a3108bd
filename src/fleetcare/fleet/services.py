"""Fleet use cases: inventory imports and pushes, registering a device, coverage, counts.

Every import is an :class:`InventorySnapshot` (R-FLT-2) and is all or nothing
(R-FLT-4). Sending the same file or batch twice returns the first snapshot and
changes nothing. Imports of more than ``ASYNC_THRESHOLD`` rows run as a Celery task
(in-process when no broker is configured) with progress on the snapshot.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.models import log_change
from fleetcare.core.tenancy import scope_of
from fleetcare.rules.programmes import load_programme

from . import importing
from .importing import ImportRejected
from .models import (
    Device,
    DeviceStatus,
    InventorySnapshot,
    SnapshotCount,
    SnapshotSource,
    SnapshotStatus,
)

ASYNC_THRESHOLD = 5000
FLEET_VENDOR_ROLES = {"vendor_admin", "csm", "service_operations"}
PE = "poly_plus_enterprise"
DAAS = "device_as_a_service"

__all__ = [
    "ASYNC_THRESHOLD",
    "Coverage",
    "ImportOutcome",
    "ImportRejected",
    "category_counts_at",
    "coverage_for",
    "coverage_for_many",
    "import_file",
    "monthly_category_history",
    "preview_file",
    "push_inventory",
    "register_device",
    "run_snapshot_import",
]


# --------------------------------------------------------------------------- permissions


def may_manage_fleet(user: Any, account: Any) -> bool:
    scope = scope_of(user)
    if scope.is_vendor:
        return bool(getattr(user, "is_superuser", False)) or user.role in FLEET_VENDOR_ROLES
    return (
        scope.is_customer and user.role == "customer_admin" and account.pk == user.organisation_id
    )


def require_fleet_manager(user: Any, account: Any) -> None:
    if account is None:
        if not scope_of(user).is_vendor:
            raise PermissionDenied(_("Only vendor staff may import several accounts at once."))
        return
    if not may_manage_fleet(user, account):
        raise PermissionDenied(
            _("Only the account's IT administrator or vendor fleet staff may change its fleet.")
        )


def _check_as_of(as_of: date | None) -> date:
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError({"as_of": _("The inventory date cannot be in the future.")})
    return as_of


# --------------------------------------------------------------------------- snapshots


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


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
    """Change-log entries for many snapshots of one import, in one insert."""
    if len(objs) <= 5:
        for obj in objs:
            log_change(obj, action, actor)
        return
    from django.contrib.contenttypes.models import ContentType

    from fleetcare.core.models import ChangeLogEntry, snapshot

    ct = ContentType.objects.get_for_model(InventorySnapshot)
    who = actor if getattr(actor, "is_authenticated", False) else None
    ChangeLogEntry.objects.bulk_create(
        [
            ChangeLogEntry(
                content_type=ct,
                object_id=str(o.pk),
                object_repr=f"snapshot {o.pk}",
                action=action,
                actor=who,
                after=snapshot(o),
            )
            for o in objs
        ],
        batch_size=1000,
    )


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(uploaded: Any) -> Path:
    """Keep an uploaded file (Django UploadedFile or a path) on disk for the import."""
    suffix = (
        ".xlsx" if str(getattr(uploaded, "name", uploaded)).lower().endswith(".xlsx") else ".csv"
    )
    target = _upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    if isinstance(uploaded, str | Path):
        shutil.copyfile(uploaded, target)
    else:
        with open(target, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
    return target


def _check_file_name(name: str) -> None:
    lower = name.lower()
    if not (lower.endswith(".csv") or lower.endswith(".xlsx") or lower.endswith(".txt")):
        raise ValidationError({"file": _("Send a CSV or XLSX file.")})


def import_file(
    *,
    user: Any,
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
    require_fleet_manager(user, account)
    as_of = _check_as_of(as_of)
    path = Path(path)
    file_name = file_name or path.name
    _check_file_name(file_name)
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
                actor=user,
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
                path.unlink(missing_ok=True)
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
        upload_path=str(path),
        created_by=user,
    )
    log_change(snapshot, "fleet.import_queued", user)
    from .tasks import import_snapshot

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
    path = Path(snapshot.upload_path)
    InventorySnapshot.objects.filter(pk=snapshot.pk).update(status=SnapshotStatus.VALIDATING)
    try:
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
        path.unlink(missing_ok=True)
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
    *, user: Any, account: Any, path: str | Path, file_name: str = "", as_of: date | None = None
) -> Preview:
    """What importing this file would change (counts per model, devices added/updated), or
    every bad row. Writes nothing."""
    from fleetcare.catalog.models import ProductModel

    require_fleet_manager(user, account)
    as_of = _check_as_of(as_of)
    _check_file_name(file_name or str(path))
    existing = _existing(account, _sha256_file(Path(path)))
    try:
        analysis = importing.analyse(importing.open_rows(path, file_name), account.pk, as_of)
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
    *, user: Any, account: Any, devices: list[dict[str, Any]], as_of: date | None = None
) -> ImportOutcome:
    """R-FLT-2: a device-management tool's batch (the account's whole inventory)."""
    require_fleet_manager(user, account)
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
        actor=user,
    )
    return ImportOutcome(snaps)


def latest_snapshot(account_id: int, on: date) -> InventorySnapshot | None:
    return (
        InventorySnapshot.objects.filter(
            account_id=account_id, status=SnapshotStatus.DONE, as_of__lte=on
        )
        .order_by("-as_of", "-id")
        .first()
    )


def latest_model_counts(account_id: int, on: date) -> dict[int, int]:
    snap = latest_snapshot(account_id, on)
    if snap is None:
        return {}
    return dict(snap.counts.values_list("product_model_id", "count"))


@transaction.atomic
def register_device(
    *,
    user: Any,
    account: Any,
    product_model: Any,
    serial_number: str = "",
    site: Any = None,
    firmware_version: str = "",
    first_seen_on: date | None = None,
) -> Device:
    """R-FLT-2: one device registered in the portal. Adds it to a new snapshot (today):
    the previous inventory plus this device."""
    require_fleet_manager(user, account)
    today = timezone.localdate()
    first_seen_on = first_seen_on or today
    errors: dict[str, str] = {}
    serial = (serial_number or "").strip() or None
    if site is not None and site.organisation_id != account.pk:
        errors["site"] = _("That site does not belong to the account.")
    if first_seen_on > today:
        errors["first_seen_on"] = _("The first-seen date cannot be in the future.")
    if serial and Device.objects.filter(product_model=product_model, serial_number=serial).exists():
        errors["serial_number"] = _(
            "A device of this model with this serial number already exists."
        )
    if errors:
        raise ValidationError(errors)
    device = Device.objects.create(
        account=account,
        product_model=product_model,
        serial_number=serial,
        site=site,
        firmware_version=(firmware_version or "").strip(),
        first_seen_on=first_seen_on,
        last_seen_on=today,
    )
    counts = Counter(latest_model_counts(account.pk, today))
    counts[product_model.pk] += 1
    snap = InventorySnapshot.objects.create(
        account=account,
        as_of=today,
        source=SnapshotSource.PORTAL,
        status=SnapshotStatus.DONE,
        rows_total=1,
        rows_done=1,
        device_count=sum(counts.values()),
        created_devices=1,
        created_by=user,
        finished_at=timezone.now(),
    )
    from fleetcare.catalog.models import ProductModel

    cats = dict(ProductModel.objects.filter(pk__in=counts).values_list("id", "category_id"))
    SnapshotCount.objects.bulk_create(
        SnapshotCount(
            snapshot=snap, account=account, product_model_id=m, category_id=cats[m], count=n
        )
        for m, n in counts.items()
    )
    log_change(device, "fleet.device_registered", user)
    return device


# --------------------------------------------------------------------------- counts


@dataclass
class CategoryCount:
    """R-PE-4 input: covered count of a category at a date, and what was left out and why."""

    count: int = 0
    quote_only: int = 0
    end_of_support: int = 0
    not_counted: list[tuple[str, str, int, str]] = field(default_factory=list)  # sku, name, n, why


def latest_snapshot_ids(on: date, account_ids: Iterable[int] | None = None):
    """A subquery: the last done snapshot on or before ``on`` of each account."""
    from fleetcare.organisations.models import Organisation

    last = (
        InventorySnapshot.objects.filter(
            account_id=OuterRef("pk"), status=SnapshotStatus.DONE, as_of__lte=on
        )
        .order_by("-as_of", "-id")
        .values("id")[:1]
    )
    accounts = Organisation.objects.filter(kind="customer")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    return accounts.annotate(snap=Subquery(last)).filter(snap__isnull=False).values("snap")


def category_counts_at(
    on: date, account_ids: Iterable[int] | None = None
) -> dict[int, dict[str, CategoryCount]]:
    """Counts per account and category code at ``on`` from the snapshot history (R-FLT-2):
    one grouped query. Quote-only classes and models past end-of-support on ``on`` are
    not counted, and are listed with the reason (R-CAT-2, R-CAT-3)."""
    programme = load_programme(PE)
    quote_only = set(programme.quote_only_classes)
    rows = (
        SnapshotCount.objects.filter(snapshot_id__in=latest_snapshot_ids(on, account_ids))
        .values(
            "account_id",
            "product_model_id",
            "product_model__sku",
            "product_model__name",
            "product_model__end_of_support_on",
            code=F("category__code"),
            category_quote_only=F("category__quote_only"),
        )
        .annotate(n=Sum("count"))
        .order_by()
    )
    out: dict[int, dict[str, CategoryCount]] = defaultdict(dict)
    for r in rows:
        cc = out[r["account_id"]].setdefault(r["code"], CategoryCount())
        n = r["n"]
        eos = r["product_model__end_of_support_on"]
        if r["code"] in quote_only or r["category_quote_only"]:
            cc.quote_only += n
            cc.not_counted.append(
                (r["product_model__sku"], r["product_model__name"], n, "quote_only")
            )
        elif eos is not None and eos <= on:
            cc.end_of_support += n
            cc.not_counted.append(
                (r["product_model__sku"], r["product_model__name"], n, "end_of_support")
            )
        else:
            cc.count += n
    return dict(out)


def monthly_category_history(account_id: int, ends: list[date]) -> dict[str, list[int]]:
    """Covered count per category code at each date of ``ends`` (oldest first)."""
    history: dict[str, list[int]] = defaultdict(lambda: [0] * len(ends))
    for i, end in enumerate(ends):
        for code, cc in category_counts_at(end, [account_id]).get(account_id, {}).items():
            history[code][i] = cc.count
    return dict(history)


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    """R-FLT-3 / R-CAT-3 / R-DS-3: whether a device is covered on a date, and why."""

    covered: bool
    on: date
    programme: str | None = None
    programme_name: str | None = None
    contract_id: int | None = None
    contract_reference: str | None = None
    subscription_reference: str | None = None
    covered_from: date | None = None
    covered_to: date | None = None
    reason: str | None = None  # code when not covered
    explanation: str = ""


REASONS = {
    "no_contract": "The account has no Poly+ Enterprise contract in force on that date.",
    "category_not_chosen": "The device's category is not one the contract covers.",
    "quote_only": "Quote-only class: never covered automatically, it needs its own quote line.",
    "end_of_support": "The model is past its end-of-support date.",
    "not_in_fleet": "The device was not yet in the fleet on that date.",
    "not_active": "The device is retired or replaced.",
}


def coverage_for_many(devices: list[Device], on: date) -> dict[int, Coverage]:
    """Coverage of several devices on ``on`` in a constant number of queries."""
    from fleetcare.contracts.models import ContractCategory, EnterpriseContract
    from fleetcare.daas.models import SubscribedDevice

    pe = load_programme(PE)
    daas_name = load_programme(DAAS).name
    device_ids = [d.pk for d in devices]
    enrolments = {
        e.device_id: e
        for e in SubscribedDevice.objects.filter(
            device_id__in=device_ids,
            term_start__lte=on,
            term_end__gte=on,
            subscription__status="active",
        ).select_related("subscription")
    }
    contracts = {
        c.account_id: c
        for c in EnterpriseContract.objects.in_force(on)
        .filter(account_id__in={d.account_id for d in devices})
        .order_by("start_date")
    }
    chosen: dict[int, set[int]] = defaultdict(set)
    for contract_id, cat in ContractCategory.objects.filter(
        contract_id__in=[c.pk for c in contracts.values()]
    ).values_list("contract_id", "category_id"):
        chosen[contract_id].add(cat)
    out: dict[int, Coverage] = {}
    for d in devices:
        model = d.product_model
        cat = model.category
        enrolment = enrolments.get(d.pk)
        if enrolment is not None:
            out[d.pk] = Coverage(
                True,
                on,
                DAAS,
                daas_name,
                subscription_reference=enrolment.subscription.reference,
                covered_from=enrolment.term_start,
                covered_to=enrolment.term_end,
            )
            continue

        def no(reason: str, d: Device = d) -> Coverage:
            return Coverage(False, on, reason=reason, explanation=REASONS[reason])

        contract = contracts.get(d.account_id)
        if d.status != DeviceStatus.ACTIVE:
            out[d.pk] = no("not_active")
        elif cat.quote_only or cat.code in pe.quote_only_classes:
            out[d.pk] = no("quote_only")
        elif contract is None:
            out[d.pk] = no("no_contract")
        elif cat.pk not in chosen[contract.pk] or cat.code not in pe.covered_categories:
            out[d.pk] = no("category_not_chosen")
        elif model.is_past_end_of_support(on):
            out[d.pk] = no("end_of_support")
        elif d.first_seen_on > on:
            out[d.pk] = no("not_in_fleet")
        else:
            until = contract.end_date
            if model.end_of_support_on is not None:
                until = min(until, model.end_of_support_on - timedelta(days=1))
            out[d.pk] = Coverage(
                True,
                on,
                PE,
                pe.name,
                contract_id=contract.pk,
                contract_reference=contract.reference,
                covered_from=max(contract.start_date, d.first_seen_on),
                covered_to=until,
            )
    return out


def coverage_for(device: Device, on: date | None = None) -> Coverage:
    """R-FLT-3: covered from the day a device appears in an account with a P+E contract in
    force, in a chosen category, unless quote-only (R-CAT-2) or past end-of-support
    (R-CAT-3); a DaaS device is covered for its term even past end-of-support (R-DS-3)."""
    on = on or timezone.localdate()
    return coverage_for_many([device], on)[device.pk]
