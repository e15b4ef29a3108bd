"""Fleet export (R-FLT-2/4): the devices a person sees, filtered as on the device list,
in the import's own columns (CSV or XLSX), so that the file re-imports as it is.

Streamed: rows come from the database in chunks and go out as they are written (CSV), or
through openpyxl's write-only workbook into a temporary file (XLSX); a million devices
are never in memory. Text cells are neutralised against formula injection by
core/exports.py; the import reads a neutralised cell back as the value exported."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.exports import csv_stream, xlsx_write
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import scope_of
from fleetcare.fleet.filters import DeviceFilter
from fleetcare.fleet.importing import ACCOUNT_COLUMN, COLUMNS
from fleetcare.fleet.models import Device, DeviceStatus

EXPORT_FORMATS = ("csv", "xlsx")
CHUNK = 5000


@dataclass
class Export:
    file_name: str
    content_type: str
    chunks: Iterator[str] | None = None  # CSV
    file: Any = None  # XLSX: an open temporary file, read from the start


def _rows(qs, with_account: bool) -> Iterator[tuple[Any, ...]]:
    fields = ["product_model__sku", "serial_number", "site__name", "firmware_version"]
    fields += ["first_seen_on"]
    if with_account:
        fields.insert(0, "account__account_number")
    yield from qs.values_list(*fields).iterator(chunk_size=CHUNK)


def export_devices(*, actor: Any, query: Mapping[str, Any], fmt: str = "csv") -> Export:
    """The devices ``actor`` may see, filtered by ``query`` (the device list's parameters;
    active devices unless ``status`` says otherwise: an inventory lists what is in use),
    in the order of the fleet index. Vendor and partner exports carry the ``account``
    column (main account identifier); a customer's does not need it."""
    from fleetcare.fleet import permissions

    require(actor, permissions.can_view_fleet, None, _("You have no fleet to see."))
    if fmt not in EXPORT_FORMATS:
        raise ValueError(fmt)
    filters, _errors = DeviceFilter.from_query(query, defaults={"status": DeviceStatus.ACTIVE})
    qs = filters.filter(Device.objects.visible_to(actor)).order_by(
        "account_id", "product_model_id", "id"
    )
    with_account = not scope_of(actor).is_customer
    header = ([ACCOUNT_COLUMN] if with_account else []) + list(COLUMNS)
    stem = f"fleet-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        return Export(f"{stem}.csv", "text/csv", chunks=csv_stream(header, _rows(qs, with_account)))
    fh = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    xlsx_write([(_("Fleet"), header, _rows(qs, with_account))], fh)
    fh.seek(0)
    return Export(
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file=fh,
    )
