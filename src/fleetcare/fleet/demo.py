"""Demo fleet: 14 months of inventory history for Acme, Globex and Initech (idempotent:
each month's inventory is the same batch, and the same batch twice changes nothing)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fleetcare.catalog.models import ProductModel
from fleetcare.rules.enterprise import add_months

from . import services

# customer → {sku: (count 14 months ago, added per month)}; site names round-robin.
FLEETS: dict[str, dict[str, tuple[int, float]]] = {
    "acme": {
        "STUDIO-X50": (34, 1.0),
        "STUDIO-X30": (6, 0.25),
        "CCX-500": (90, 1.5),
        "TRIO-8800": (12, 0.2),
        "VOY-FOCUS2-UC": (180, 4.0),
        "BW-8225-UC": (60, 1.0),
        "VVX-411": (25, 0.0),
        "G7500": (4, 0.0),
    },
    "globex": {
        "STUDIO-X52": (20, 0.3),
        "CCX-600": (140, 1.0),
        "SAVI-8220-O": (220, 2.0),
        "TRIO-C60": (10, 0.0),
        "BW-C520": (15, 0.0),
    },
    "initech": {"STUDIO-X30": (8, 0.2), "CCX-400": (60, 0.5), "VOY-5200-UC": (75, 1.0)},
}
MONTHS = 14


def firmware_choices() -> dict[str, list[str]]:
    """Each model's releases, newest first (the demo catalogue's)."""
    from fleetcare.catalog.models import FirmwareRelease

    out: dict[str, list[str]] = {}
    for sku, version in FirmwareRelease.objects.order_by(
        "product_model__sku", "-released_on", "-id"
    ).values_list("product_model__sku", "version"):
        out.setdefault(sku, []).append(version)
    return out


def demo_version(versions: list[str], j: int, salt: int = 0) -> str:
    """R-SW-1 demo: most devices run the latest release, some older ones (7 in 10 the
    latest, 2 the previous, 1 the oldest), varied per account."""
    if not versions:
        return ""
    slot = (j + salt) % 10
    index = 0 if slot < 7 else (1 if slot < 9 else 2)
    return versions[min(index, len(versions) - 1)]


def month_ends_back(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    return [add_months(first, -i) - timedelta(days=1) for i in range(months, 0, -1)]


def load(ctx: Any, out: Any = None) -> None:
    known = set(ProductModel.objects.values_list("sku", flat=True))
    user = ctx.users.get("admin") or ctx.users.get("csm")
    ends = month_ends_back(ctx.today, MONTHS)
    firmware = firmware_choices()
    for key, fleet in FLEETS.items():
        account = ctx.customers.get(key)
        if account is None:
            continue
        sites = list(account.sites.order_by("name").values_list("name", flat=True))
        created = 0
        for i, end in enumerate(ends):
            devices = []
            for sku, (start, per_month) in fleet.items():
                if sku not in known:
                    continue
                n = start + int(per_month * i)
                for j in range(n):
                    row = {"sku": sku}
                    version = demo_version(firmware.get(sku, []), j, account.pk)
                    if version:
                        row["firmware_version"] = version
                    if sites:
                        row["site"] = sites[j % len(sites)]
                    if j < 5:  # a few carry serial numbers; most do not
                        row["serial_number"] = f"{sku}-{account.pk:03d}-{j:04d}"
                    devices.append(row)
            outcome = services.push_inventory(
                actor=user, account=account, devices=devices, as_of=end
            )
            created += 0 if outcome.duplicate else 1
        if out is not None and created:
            out.write(f"fleet: {account.name}: {created} monthly inventories\n")
