"""Registering one device in the portal (R-FLT-2)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.changelog import log_change
from fleetcare.fleet.models import (
    Device,
    InventorySnapshot,
    SnapshotCount,
    SnapshotSource,
    SnapshotStatus,
)
from fleetcare.fleet.services.access import require_fleet_manager
from fleetcare.fleet.services.counts import latest_model_counts


@transaction.atomic
def register_device(
    *,
    actor: Any,
    account: Any,
    product_model: Any,
    serial_number: str = "",
    site: Any = None,
    firmware_version: str = "",
    first_seen_on: date | None = None,
) -> Device:
    """R-FLT-2: one device registered in the portal. Adds it to a new snapshot (today):
    the previous inventory plus this device."""
    require_fleet_manager(actor, account)
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
        created_by=actor,
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
    log_change(device, "fleet.device_registered", actor=actor)
    return device
