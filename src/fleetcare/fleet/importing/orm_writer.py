"""Writing a validated inventory through the ORM (SQLite, and small imports)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from fleetcare.fleet.importing.reading import BATCH, ImportRejected, _err
from fleetcare.fleet.importing.validation import Analysis, Lookups, _data_rows, _Header, _parse_row


@dataclass
class Plan:
    """Per account: devices created, updated and (full inventory) retired, and the active
    devices before the import (the base of the retire warning)."""

    created: dict[int, int]
    updated: dict[int, int]
    retired: dict[int, int] = field(default_factory=dict)
    active: dict[int, int] = field(default_factory=dict)
    # account → model → devices that become active (new, or retired ones named again)
    added: dict[int, Counter[int]] = field(default_factory=dict)


def retiring_accounts(accounts: list[int], as_of: date) -> set[int]:
    """The accounts a full inventory as of ``as_of`` retires devices of: those with no
    done inventory of a later date (loading an older file records history only)."""
    from fleetcare.fleet.models import InventorySnapshot, SnapshotStatus

    later = InventorySnapshot.objects.filter(
        account_id__in=accounts, status=SnapshotStatus.DONE, as_of__gt=as_of
    ).values_list("account_id", flat=True)
    return set(accounts) - set(later)


def _known_serials(keys: list[tuple[int, str]]) -> list[tuple[int, str, int, str]]:
    """(model, serial, account, status) of the stored devices with these serials."""
    from django.db import connection

    from fleetcare.fleet.models import Device

    if not keys:
        return []
    if connection.vendor == "postgresql":  # one join on the unique (model, serial) index
        with connection.cursor() as cur:
            cur.execute(
                "SELECT d.product_model_id, d.serial_number, d.account_id, d.status "
                "FROM unnest(%s::bigint[], %s::text[]) AS s(m, sn) "
                f"JOIN {Device._meta.db_table} d "
                "ON d.product_model_id = s.m AND d.serial_number = s.sn",
                [[m for m, _s in keys], [s for _m, s in keys]],
            )
            return cur.fetchall()
    out: list[tuple[int, str, int, str]] = []
    for i in range(0, len(keys), 2000):
        wanted = {s for _m, s in keys[i : i + 2000]}
        out.extend(
            Device.objects.filter(serial_number__in=wanted).values_list(
                "product_model_id", "serial_number", "account_id", "status"
            )
        )
    return out


def plan_changes(analysis: Analysis, mode: str = "full", as_of: date | None = None) -> Plan:
    """What :func:`apply` would do, per account (for the preview); reads, never writes."""

    from fleetcare.fleet.models import Device, DeviceStatus, ImportMode

    created: dict[int, int] = defaultdict(int)
    updated: dict[int, int] = defaultdict(int)
    matched_active: dict[int, int] = defaultdict(int)
    added: dict[int, Counter[int]] = defaultdict(Counter)
    existing_pool: dict[tuple[int, int, int | None], int] = Counter()
    for acc, model, site, n in (
        Device.objects.filter(
            account_id__in=analysis.account_ids,
            status=DeviceStatus.ACTIVE,
            serial_number__isnull=True,
        )
        .order_by()
        .values_list("account_id", "product_model_id", "site_id")
        .annotate(n=Count("id"))
    ):
        existing_pool[(acc, model, site)] = n
    for acc, groups in analysis.serialless.items():
        for (model, site), n in groups.items():
            have = existing_pool.get((acc, model, site), 0)
            updated[acc] += min(n, have)
            matched_active[acc] += min(n, have)
            created[acc] += max(0, n - have)
            added[acc][model] += max(0, n - have)
    if analysis.serials:
        found = {(m, s): status for m, s, _acc, status in _known_serials(list(analysis.serials))}
        for key, (_row, acc) in analysis.serials.items():
            status = found.get(key)
            if status is None:
                created[acc] += 1
                added[acc][key[0]] += 1
            else:
                updated[acc] += 1
                matched_active[acc] += status == DeviceStatus.ACTIVE
                added[acc][key[0]] += status == DeviceStatus.RETIRED
    active = dict(
        Device.objects.filter(account_id__in=analysis.account_ids, status=DeviceStatus.ACTIVE)
        .order_by()
        .values_list("account_id")
        .annotate(n=Count("id"))
        .values_list("account_id", "n")
    )
    retired: dict[int, int] = {}
    if mode == ImportMode.FULL and as_of is not None:
        for acc in retiring_accounts(analysis.account_ids, as_of):
            n = active.get(acc, 0) - matched_active.get(acc, 0)
            if n > 0:
                retired[acc] = n
    return Plan(dict(created), dict(updated), retired, active, dict(added))


_DEVICE_COLUMNS = (
    "created_at",
    "updated_at",
    "account_id",
    "site_id",
    "product_model_id",
    "serial_number",
    "firmware_version",
    "first_seen_on",
    "last_seen_on",
    "status",
)


class _Writer:
    """Inserts new devices in batches with ``bulk_create`` (the non-PostgreSQL path)."""

    def __init__(self) -> None:
        self.buffer: list[tuple[Any, ...]] = []
        self.now = timezone.now()
        self.written = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.written += 1
        self.buffer.append(row)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        from fleetcare.fleet.models import Device

        if self.buffer:
            Device.objects.bulk_create(
                [
                    Device(
                        account_id=a,
                        site_id=s,
                        product_model_id=m,
                        serial_number=sn,
                        firmware_version=fw,
                        first_seen_on=f,
                        last_seen_on=last,
                        status=st,
                    )
                    for a, s, m, sn, fw, f, last, st in self.buffer
                ],
                batch_size=1000,
            )
            self.buffer.clear()

    def close(self) -> None:
        self.flush()


def apply(
    rows: Iterator[tuple[int, list[Any]]],
    analysis: Analysis,
    account_id: int | None,
    as_of: date,
    progress: Callable[[int], None] | None = None,
    mode: str = "full",
) -> Plan:
    """Pass 2 (inside the caller's transaction): create and update the devices; a full
    inventory then retires the account's active devices the file did not name."""
    from fleetcare.fleet.models import Device, DeviceStatus, ImportMode

    lk = Lookups.load(account_id)
    _, header_cells = next(rows)
    header = _Header(header_cells, lk, [])
    accounts = analysis.account_ids
    by_serial: dict[tuple[int, str], tuple[int, int | None, str, date, str, int]] = {}
    pools: dict[tuple[int, int, int | None], list[tuple[int, str, date]]] = defaultdict(list)
    active: dict[int, int] = defaultdict(int)
    for pk, acc, model, serial, site, fw, last, status in (
        Device.objects.filter(account_id__in=accounts)
        .filter(Q(status=DeviceStatus.ACTIVE) | Q(serial_number__isnull=False))
        .order_by("id")
        .values_list(
            "id",
            "account_id",
            "product_model_id",
            "serial_number",
            "site_id",
            "firmware_version",
            "last_seen_on",
            "status",
        )
        .iterator(chunk_size=10000)
    ):
        active[acc] += status == DeviceStatus.ACTIVE
        if serial is None:  # only active ones (see the filter)
            pools[(acc, model, site)].append((pk, fw, last))
        else:
            by_serial[(model, serial)] = (pk, site, fw, last, status, acc)
    for pool in pools.values():
        pool.reverse()  # pop() takes the oldest first
    created: dict[int, int] = defaultdict(int)
    updated: dict[int, int] = defaultdict(int)
    updates: list[Device] = []
    writer = _Writer()
    done = 0
    for number, cells in _data_rows(rows):
        parsed = _parse_row(number, cells, header, lk, as_of, None)
        if parsed is None:  # cannot happen after a clean analysis; be safe
            raise ImportRejected([_err(number, "", "row_changed")])
        acc, model, serial, site, fw, first = parsed
        done += 1
        if progress and done % BATCH == 0:
            progress(done)
        existing = None
        if serial is not None:
            hit = by_serial.pop((model, serial), None)
            if hit is not None:
                pk, old_site, old_fw, last, status, _acc = hit
                if status == DeviceStatus.RETIRED:  # in the inventory again
                    status = DeviceStatus.ACTIVE
                existing = (pk, site if site is not None else old_site, fw or old_fw, last, status)
        else:
            pool = pools.get((acc, model, site))
            if pool:
                pk, old_fw, last = pool.pop()
                existing = (pk, site, fw or old_fw, last, DeviceStatus.ACTIVE)
        if existing is not None:
            pk, new_site, new_fw, last, new_status = existing
            updates.append(
                Device(
                    pk=pk,
                    site_id=new_site,
                    firmware_version=new_fw,
                    last_seen_on=max(last, as_of),
                    updated_at=writer.now,
                    status=new_status,
                )
            )
            updated[acc] += 1
            if len(updates) >= BATCH:
                Device.objects.bulk_update(updates, _UPDATED, batch_size=1000)
                updates.clear()
        else:
            writer.add((acc, site, model, serial, fw, first or as_of, as_of, DeviceStatus.ACTIVE))
            created[acc] += 1
    writer.close()
    if updates:
        Device.objects.bulk_update(updates, _UPDATED, batch_size=1000)
    retired: dict[int, int] = {}
    if mode == ImportMode.FULL:
        retiring = retiring_accounts(accounts, as_of)
        gone: list[int] = []
        for (acc, _m, _s), pool in pools.items():
            if acc in retiring and pool:
                gone.extend(pk for pk, _fw, _last in pool)
                retired[acc] = retired.get(acc, 0) + len(pool)
        for pk, _site, _fw, _last, status, acc in by_serial.values():  # not in the file
            if acc in retiring and status == DeviceStatus.ACTIVE:
                gone.append(pk)
                retired[acc] = retired.get(acc, 0) + 1
        for i in range(0, len(gone), 2000):
            Device.objects.filter(pk__in=gone[i : i + 2000]).update(
                status=DeviceStatus.RETIRED, updated_at=writer.now
            )
    if progress:
        progress(done)
    return Plan(dict(created), dict(updated), retired, dict(active))


_UPDATED = ["site", "firmware_version", "last_seen_on", "updated_at", "status"]
