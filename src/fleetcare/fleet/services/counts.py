"""Fleet counts per category and month, from the snapshot history (R-PE-4)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, OuterRef, Subquery, Sum

from fleetcare.core.programmes import ProgrammeKind, default_programme
from fleetcare.fleet.models import (
    InventorySnapshot,
    SnapshotCount,
    SnapshotStatus,
)
from fleetcare.rules import coverage as coverage_rules


def latest_snapshot(account_id: int, on: date) -> InventorySnapshot | None:
    return (
        InventorySnapshot.objects.filter(
            account_id=account_id, status=SnapshotStatus.DONE, as_of__lte=on
        )
        .order_by("-as_of", "-id")
        .first()
    )


def latest_model_counts(account_id: int, on: date) -> dict[int, int]:
    snap = latest_snapshot(account_id, on)
    if snap is None:
        return {}
    return dict(snap.counts.values_list("product_model_id", "count"))


@dataclass
class CategoryCount:
    """R-PE-4 input: covered count of a category at a date, and what was left out and why."""

    count: int = 0
    quote_only: int = 0
    end_of_support: int = 0
    not_counted: list[tuple[str, str, int, str]] = field(default_factory=list)  # sku, name, n, why


def latest_snapshot_ids(on: date, account_ids: Iterable[int] | None = None):
    """A subquery: the last done snapshot on or before ``on`` of each account."""
    from fleetcare.organisations.models import Organisation, OrganisationKind

    last = (
        InventorySnapshot.objects.filter(
            account_id=OuterRef("pk"), status=SnapshotStatus.DONE, as_of__lte=on
        )
        .order_by("-as_of", "-id")
        .values("id")[:1]
    )
    accounts = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    return accounts.annotate(snap=Subquery(last)).filter(snap__isnull=False).values("snap")


def category_counts_at(
    on: date, account_ids: Iterable[int] | None = None
) -> dict[int, dict[str, CategoryCount]]:
    """Counts per account and category code at ``on`` from the snapshot history (R-FLT-2):
    one grouped query. Quote-only classes and models past end-of-support on ``on`` are
    not counted, and are listed with the reason (R-CAT-2, R-CAT-3)."""
    programme = default_programme(ProgrammeKind.ACCOUNT_WIDE)
    quote_only = set(programme.quote_only_classes)
    rows = (
        SnapshotCount.objects.filter(snapshot_id__in=latest_snapshot_ids(on, account_ids))
        .values(
            "account_id",
            "product_model_id",
            "product_model__sku",
            "product_model__name",
            "product_model__end_of_support_on",
            code=F("category__code"),
            category_quote_only=F("category__quote_only"),
        )
        .annotate(n=Sum("count"))
        .order_by()
    )
    out: dict[int, dict[str, CategoryCount]] = defaultdict(dict)
    for r in rows:
        cc = out[r["account_id"]].setdefault(r["code"], CategoryCount())
        n = r["n"]
        why = coverage_rules.count_exclusion(
            r["code"],
            r["category_quote_only"],
            r["product_model__end_of_support_on"],
            on,
            quote_only,
        )
        if why is None:
            cc.count += n
            continue
        if why == coverage_rules.Reason.QUOTE_ONLY:
            cc.quote_only += n
        else:
            cc.end_of_support += n
        cc.not_counted.append((r["product_model__sku"], r["product_model__name"], n, why.value))
    return dict(out)


def monthly_category_history(account_id: int, ends: list[date]) -> dict[str, list[int]]:
    """Covered count per category code at each date of ``ends`` (oldest first)."""
    history: dict[str, list[int]] = defaultdict(lambda: [0] * len(ends))
    for i, end in enumerate(ends):
        for code, cc in category_counts_at(end, [account_id]).get(account_id, {}).items():
            history[code][i] = cc.count
    return dict(history)
