"""The same file or batch twice changes nothing (R-FLT-4): only done snapshots count."""

from __future__ import annotations

from typing import Any

from fleetcare.fleet.models import InventorySnapshot, SnapshotStatus


def _existing(account: Any, checksum: str) -> list[InventorySnapshot]:
    """The done snapshots of this file or batch (a failed or dead import never blocks it)."""
    qs = InventorySnapshot.objects.filter(checksum=checksum, status=SnapshotStatus.DONE)
    if account is not None:
        qs = qs.filter(account=account)
    return list(qs.order_by("id"))


class _Duplicate(Exception):
    """Found under the import's locks: the same file or batch was imported meanwhile."""

    def __init__(self, snapshots: list[InventorySnapshot]) -> None:
        self.snapshots = snapshots


def _check_not_imported(account_id: int | None, checksum: str) -> None:
    """Under the account locks (concurrent sends of one file wait here): a done snapshot
    with the same checksum makes this one a duplicate (R-FLT-4)."""
    if not checksum:
        return
    existing = _existing(account_id, checksum)
    if existing:
        raise _Duplicate(existing)
