"""Firmware compliance (R-SW-1): per account and model, active devices on the model's
latest release against older ones, from the imported ``firmware_version``.

One set-based ``GROUP BY (account, product_model, firmware_version)`` over active
devices, answered from the partial index ``fleet_device_firmware_active``, plus three
small look-ups (latest releases, model names, account names): a constant number of
queries whatever the fleet size (``bench/compliance.py`` measures it at 1 M devices).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.catalog.models import ProductModel
from fleetcare.catalog.services import latest_versions
from fleetcare.core.currency import axis_count, format_count
from fleetcare.core.tenancy import scope_of
from fleetcare.fleet.models import Device, DeviceStatus
from fleetcare.organisations.models import Organisation
from fleetcare.rules import software as rules


@dataclass
class ComplianceRow:
    account_id: int
    account_name: str
    product_model_id: int
    sku: str
    model_name: str
    latest: str | None
    total: int = 0
    on_latest: int = 0
    outdated: int = 0
    unknown: int = 0
    older_versions: dict[str, int] = field(default_factory=dict)

    @property
    def latest_share(self) -> float:
        return rules.share(self.on_latest, self.total)

    @property
    def older_text(self) -> str:
        """The older versions and their counts, newest count first: "8.1.0 × 12, 8.0.0 × 3"
        (counts as the reader writes them)."""
        ordered = sorted(self.older_versions.items(), key=lambda kv: (-kv[1], kv[0]))
        return ", ".join(f"{version} × {format_count(n)}" for version, n in ordered)

    def add(self, version: str, n: int) -> None:
        self.total += n
        status = rules.firmware_status(version, self.latest)
        if status == rules.LATEST:
            self.on_latest += n
        elif status == rules.OUTDATED:
            self.outdated += n
            self.older_versions[version] = self.older_versions.get(version, 0) + n
        else:  # unknown version, or a model without a published release
            self.unknown += n


@dataclass
class Compliance:
    rows: list[ComplianceRow]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def on_latest(self) -> int:
        return sum(r.on_latest for r in self.rows)

    @property
    def outdated(self) -> int:
        return sum(r.outdated for r in self.rows)

    @property
    def unknown(self) -> int:
        return sum(r.unknown for r in self.rows)

    @property
    def latest_share(self) -> float:
        return rules.share(self.on_latest, self.total)


def _devices(user: Any):
    qs = Device.objects.visible_to(user)
    if scope_of(user).is_partner:  # its tenancy joins the enrolments: count each device once
        qs = Device.objects.filter(pk__in=qs.values("pk"))
    return qs.filter(status=DeviceStatus.ACTIVE)


def compliance(
    *,
    user: Any,
    account_ids: Iterable[int] | None = None,
    product_model_id: int | None = None,
) -> Compliance:
    """R-SW-1: the rows the reader may see, for ``account_ids`` (all visible when None),
    ordered by account name and SKU."""
    qs = _devices(user)
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    if product_model_id is not None:
        qs = qs.filter(product_model_id=product_model_id)
    groups = list(
        qs.order_by()
        .values_list("account_id", "product_model_id", "firmware_version")
        .annotate(n=Count("*"))
    )
    model_ids = {m for _a, m, _v, _n in groups}
    account_set = {a for a, _m, _v, _n in groups}
    latest = latest_versions(model_ids)
    models = {m.pk: m for m in ProductModel.objects.filter(pk__in=model_ids).only("sku", "name")}
    names = dict(Organisation.objects.filter(pk__in=account_set).values_list("pk", "name"))
    rows: dict[tuple[int, int], ComplianceRow] = {}
    for account_id, model_id, version, n in groups:
        row = rows.get((account_id, model_id))
        if row is None:
            model = models[model_id]
            row = rows[(account_id, model_id)] = ComplianceRow(
                account_id,
                names.get(account_id, ""),
                model_id,
                model.sku,
                model.name,
                latest.get(model_id),
            )
        row.add(version, n)
    return Compliance(sorted(rows.values(), key=lambda r: (r.account_name, r.sku)))


def device_firmware(device: Device) -> dict[str, Any]:
    """R-SW-1: a device's firmware status: latest, outdated (with the latest version
    named), unknown, or no release published for its model."""
    latest = latest_versions([device.product_model_id]).get(device.product_model_id)
    return {
        "status": rules.firmware_status(device.firmware_version, latest),
        "version": device.firmware_version,
        "latest": latest,
    }


CHART_ROWS = 40


def chart_svg(result: Compliance) -> str:
    """Devices on the latest release, older ones and unknown, per account and model: a
    stacked horizontal bar chart (matplotlib, server-rendered SVG, as the monthly report)."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = result.rows[:CHART_ROWS]
    fig = Figure(figsize=(8, 1.2 + 0.35 * max(1, len(rows))), dpi=96)
    ax = fig.add_subplot(1, 1, 1)
    labels = [f"{r.account_name} · {r.sku}" for r in rows]
    y = list(range(len(rows)))
    latest = [r.on_latest for r in rows]
    older = [r.outdated for r in rows]
    unknown = [r.unknown for r in rows]
    ax.barh(y, latest, color="#2e7d32", label=_("Latest firmware"))
    ax.barh(y, older, left=latest, color="#b03a2e", label=_("Older firmware"))
    ax.barh(
        y,
        unknown,
        left=[a + b for a, b in zip(latest, older, strict=True)],
        color="#9e9e9e",
        label=_("Version unknown"),
    )
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(_("Active devices"))
    ax.grid(axis="x", alpha=0.3)
    # Above the bars, never over them (the longest bar reaches the right edge).
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(axis_count))
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    return buf.getvalue()


FIRMWARE_MAX = Device._meta.get_field("firmware_version").max_length


def record_firmware_versions(*, actor: Any, account: Any, versions: dict[int, str]) -> int:
    """The firmware versions a device-management tool reports for devices of ``account``
    (device id → version), change-logged in one insert; returns how many changed."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from fleetcare.core.changelog import bulk_changelog
    from fleetcare.fleet.services.access import require_fleet_manager

    require_fleet_manager(actor, account)
    bad = [pk for pk, v in versions.items() if len((v or "").strip()) > (FIRMWARE_MAX or 40)]
    if bad:
        raise ValidationError(
            {"firmware_version": _("Longer than %(n)s characters.") % {"n": FIRMWARE_MAX}}
        )
    with transaction.atomic():
        devices = list(
            Device.objects.select_for_update().filter(account=account, pk__in=list(versions))
        )
        changed = [d for d in devices if d.firmware_version != versions[d.pk].strip()]
        now = timezone.now()
        with bulk_changelog(
            changed, "fleet.firmware_reported", actor=actor, describe=lambda d: f"#{d.pk}"
        ):
            for device in changed:
                device.firmware_version = versions[device.pk].strip()
                device.updated_at = now
            Device.objects.bulk_update(changed, ["firmware_version", "updated_at"], batch_size=1000)
    return len(changed)
