"""The device list's rows, ready to print.

A row of the fleet list shows a device's model, category, serial, site, two dates and
its coverage. Left to the template, each row costs a dozen attribute look-ups, a URL
reverse, two date formats and a translation (about 0.2 ms a row: 40 ms for a page of
200 devices); built here, a row is one dict the template prints as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse

from fleetcare.core.messages import format_date

from .models import Device
from .services.coverage import Coverage

_PK = 987654321  # a stand-in id: one reverse per page, not one per row


def device_rows(
    devices: Sequence[Device], coverage: Mapping[int, Coverage], *, show_account: bool
) -> list[dict[str, Any]]:
    """One dict per device: ``url``, ``account``, ``model``, ``sku``, ``category``,
    ``serial``, ``site``, ``first_seen``, ``last_seen`` (in the reader's language),
    ``covered`` and ``programme``."""
    head, _, tail = reverse("fleet:device_detail", args=[_PK]).partition(str(_PK))
    rows = []
    for d in devices:
        model = d.product_model
        cover = coverage[d.pk]
        rows.append(
            {
                "url": f"{head}{d.pk}{tail}",
                "account": d.account.name if show_account else "",
                "model": model.name,
                "sku": model.sku,
                "category": str(model.category),
                "serial": d.serial_number or "—",
                "site": d.site.name if d.site_id else "—",
                "first_seen": format_date(d.first_seen_on),
                "last_seen": format_date(d.last_seen_on),
                "covered": cover.covered,
                "programme": cover.programme_name or "",
            }
        )
    return rows
