"""Inventory pushes through the API (R-FLT-2): a device-management tool's batch."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from fleetcare.fleet import importing
from fleetcare.fleet.importing import ImportRejected
from fleetcare.fleet.models import ImportMode, SnapshotSource
from fleetcare.fleet.services.access import require_fleet_manager
from fleetcare.fleet.services.dedup import _Duplicate, _existing
from fleetcare.fleet.services.error_reports import save_report
from fleetcare.fleet.services.imports import ImportOutcome, _check_as_of, _import_now


def push_inventory(
    *,
    actor: Any,
    account: Any,
    devices: list[dict[str, Any]],
    as_of: date | None = None,
    mode: str = ImportMode.FULL,
    confirm_retire: bool = False,
) -> ImportOutcome:
    """R-FLT-2: a device-management tool's batch: the account's whole inventory (full,
    the default) or devices to add or update (``mode="add"``)."""
    try:
        return _push(actor, account, devices, as_of, ImportMode(mode), confirm_retire)
    except ImportRejected as exc:
        exc.report = save_report(actor=actor, account=account, errors=exc.errors)
        raise


def _push(actor, account, devices, as_of, mode, confirm_retire) -> ImportOutcome:
    require_fleet_manager(actor, account)
    as_of = _check_as_of(as_of)
    batch = {"as_of": as_of.isoformat(), "devices": devices}
    if mode != ImportMode.FULL:  # the same batch in another mode is another import
        batch["mode"] = mode
    canonical = json.dumps(batch, sort_keys=True, default=str)
    checksum = hashlib.sha256(canonical.encode()).hexdigest()
    existing = _existing(account, checksum)
    if existing:
        return ImportOutcome(existing, duplicate=True)
    if bad := importing.nul_errors(devices):
        raise ImportRejected(bad)
    try:
        snaps = _import_now(
            rows_factory=lambda: importing.rows_from_records(devices),
            account=account,
            as_of=as_of,
            source=SnapshotSource.API,
            file_name="",
            checksum=checksum,
            actor=actor,
            mode=mode,
            confirm_retire=confirm_retire,
        )
    except _Duplicate as dup:
        return ImportOutcome(dup.snapshots, duplicate=True)
    return ImportOutcome(snaps)
