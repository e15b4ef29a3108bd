"""What an import would change, before anything is written (R-FLT-4): devices added,
updated and retired, the counts per model before and after, or every bad row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fleetcare.fleet import importing
from fleetcare.fleet.importing import ImportRejected
from fleetcare.fleet.models import ErrorReport, ImportMode, InventorySnapshot
from fleetcare.fleet.services.access import require_fleet_manager
from fleetcare.fleet.services.counts import latest_model_counts
from fleetcare.fleet.services.dedup import _existing
from fleetcare.fleet.services.error_reports import save_report
from fleetcare.fleet.services.imports import _check_as_of, file_checksum
from fleetcare.fleet.services.retire_guard import over_share, warn_share
from fleetcare.fleet.services.uploads import _check_file_name, local_path


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
    retired: int = 0
    active: int = 0  # the account's active devices before the import
    mode: str = ImportMode.FULL
    lines: list[PreviewLine] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    duplicate: InventorySnapshot | None = None
    error_total: int = 0
    report: ErrorReport | None = None

    @property
    def needs_retire_confirmation(self) -> bool:
        """A full inventory retiring more than the share of the fleet: tick to confirm."""
        return self.mode == ImportMode.FULL and over_share(self.retired, self.active)

    @property
    def retire_share_percent(self) -> int:
        return round(warn_share() * 100)

    @property
    def errors_cut(self) -> bool:
        return self.error_total > len(self.errors)


def _refused(errors: Any, actor: Any, account: Any, file_name: str) -> Preview:
    log = importing.error_log(errors)
    report = save_report(actor=actor, account=account, errors=log, file_name=file_name)
    return Preview(0, list(log), error_total=log.total, report=report)


def preview_file(
    *,
    actor: Any,
    account: Any,
    path: str | Path,
    file_name: str = "",
    as_of: date | None = None,
    mode: str = ImportMode.FULL,
) -> Preview:
    """What importing this file in ``mode`` would change (devices added, updated,
    retired; counts per model), or its problems (the first 1,000 listed, every one in
    the error report). Writes no device."""
    from fleetcare.catalog.models import ProductModel

    require_fleet_manager(actor, account)
    as_of = _check_as_of(as_of)
    mode = ImportMode(mode)
    _check_file_name(file_name or str(path))
    try:
        with local_path(path) as local:
            existing = _existing(account, file_checksum(local, mode))
            importing.check_file(local, file_name)
            analysis = importing.analyse(importing.open_rows(local, file_name), account.pk, as_of)
    except ImportRejected as exc:
        return _refused(exc.errors, actor, account, file_name)
    except (UnicodeDecodeError, OSError, ValueError) as exc:
        return _refused(
            [importing._err(1, "", "unreadable", detail=str(exc))], actor, account, file_name
        )
    if not analysis.ok:
        return _refused(analysis.errors, actor, account, file_name)
    preview = Preview(analysis.rows, [], ignored_columns=analysis.ignored_columns, mode=mode)
    preview.duplicate = existing[0] if existing else None
    plan = importing.plan_changes(analysis, mode, as_of)
    preview.created = plan.created.get(account.pk, 0)
    preview.updated = plan.updated.get(account.pk, 0)
    preview.retired = plan.retired.get(account.pk, 0)
    preview.active = plan.active.get(account.pk, 0)
    before = latest_model_counts(account.pk, as_of)
    after = analysis.counts.get(account.pk, Counter())
    if mode == ImportMode.ADD:  # the file's devices come on top of the others
        after = _after_adding(account.pk, plan)
    models = ProductModel.objects.select_related("category").in_bulk(set(after) | set(before))
    for pk in sorted(models, key=lambda k: models[k].sku):
        m = models[pk]
        preview.lines.append(
            PreviewLine(m.sku, m.name, str(m.category), before.get(pk, 0), after.get(pk, 0))
        )
    return preview


def _after_adding(account_id: int, plan: importing.Plan) -> Counter:
    """Add or update: the active devices per model once the file's new ones are in."""
    from django.db.models import Count

    from fleetcare.fleet.models import Device, DeviceStatus

    after: Counter[int] = Counter(
        dict(
            Device.objects.filter(account_id=account_id, status=DeviceStatus.ACTIVE)
            .order_by()
            .values_list("product_model_id")
            .annotate(n=Count("id"))
            .values_list("product_model_id", "n")
        )
    )
    after.update(plan.added.get(account_id, Counter()))
    return after
