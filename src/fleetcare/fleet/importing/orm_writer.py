"""Writing a validated inventory through the ORM (SQLite, and small imports)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fleetcare.fleet.importing.reading import BATCH, ImportRejected, _err
from fleetcare.fleet.importing.validation import Analysis, Lookups, _data_rows, _Header, _parse_row


@dataclass
class Plan:
    created: dict[int, int]
    updated: dict[int, int]


def plan_changes(analysis: Analysis) -> Plan:
    """What :func:`apply` would do, per account (for the preview); reads, never writes."""
    from fleetcare.fleet.models import Device, DeviceStatus

    created: dict[int, int] = defaultdict(int)
    updated: dict[int, int] = defaultdict(int)
    existing_pool: dict[tuple[int, int, int | None], int] = Counter()
    for acc, model, site in Device.objects.filter(
        account_id__in=analysis.account_ids, status=DeviceStatus.ACTIVE, serial_number__isnull=True
    ).values_list("account_id", "product_model_id", "site_id"):
        existing_pool[(acc, model, site)] += 1
    for acc, groups in analysis.serialless.items():
        for (model, site), n in groups.items():
            have = existing_pool.get((acc, model, site), 0)
            updated[acc] += min(n, have)
            created[acc] += max(0, n - have)
    if analysis.serials:
        found: set[tuple[int, str]] = set()
        keys = list(analysis.serials)
        for i in range(0, len(keys), 2000):
            wanted = {s for _m, s in keys[i : i + 2000]}
            found.update(
                Device.objects.filter(serial_number__in=wanted).values_list(
                    "product_model_id", "serial_number"
                )
            )
        for key, (_row, acc) in analysis.serials.items():
            if key in found:
                updated[acc] += 1
            else:
                created[acc] += 1
    return Plan(dict(created), dict(updated))


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
) -> Plan:
    """Pass 2 (inside the caller's transaction): create and update the devices."""
    from fleetcare.fleet.models import Device, DeviceStatus

    lk = Lookups.load(account_id)
    _, header_cells = next(rows)
    header = _Header(header_cells, lk, [])
    accounts = analysis.account_ids
    by_serial: dict[tuple[int, str], tuple[int, int | None, str, date]] = {}
    pools: dict[tuple[int, int, int | None], list[tuple[int, str, date]]] = defaultdict(list)
    for pk, acc, model, serial, site, fw, last in (
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
        )
        .iterator(chunk_size=10000)
    ):
        if serial is None:  # only active ones (see the filter)
            pools[(acc, model, site)].append((pk, fw, last))
        else:
            by_serial[(model, serial)] = (pk, site, fw, last)
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
            raise ImportRejected([_err(number, "", "row changed between checking and writing")])
        acc, model, serial, site, fw, first = parsed
        done += 1
        if progress and done % BATCH == 0:
            progress(done)
        existing = None
        if serial is not None:
            hit = by_serial.get((model, serial))
            if hit is not None:
                pk, old_site, old_fw, last = hit
                existing = (pk, site if site is not None else old_site, fw or old_fw, last)
        else:
            pool = pools.get((acc, model, site))
            if pool:
                pk, old_fw, last = pool.pop()
                existing = (pk, site, fw or old_fw, last)
        if existing is not None:
            pk, new_site, new_fw, last = existing
            updates.append(
                Device(
                    pk=pk,
                    site_id=new_site,
                    firmware_version=new_fw,
                    last_seen_on=max(last, as_of),
                    updated_at=writer.now,
                )
            )
            updated[acc] += 1
            if len(updates) >= BATCH:
                Device.objects.bulk_update(
                    updates,
                    ["site", "firmware_version", "last_seen_on", "updated_at"],
                    batch_size=1000,
                )
                updates.clear()
        else:
            writer.add((acc, site, model, serial, fw, first or as_of, as_of, DeviceStatus.ACTIVE))
            created[acc] += 1
    writer.close()
    if updates:
        Device.objects.bulk_update(
            updates, ["site", "firmware_version", "last_seen_on", "updated_at"], batch_size=1000
        )
    if progress:
        progress(done)
    return Plan(dict(created), dict(updated))
