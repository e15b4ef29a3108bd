"""One search box for the portal and ``GET /api/v1/search``: a case or a replacement
order by reference, a device by serial number, a money document by number, an
organisation by name.

Each kind is one query on an index, whatever the size of the fleet: an exact or prefix
match (``LIKE 'x%'`` on the ``varchar_pattern_ops`` indexes, the organisation name on
``UPPER(name)``), never ``%x%`` over a million rows. Every query goes through
``visible_to(user)`` (another tenant's record is never found), and a kind is searched
only for the roles whose menu has it. An exact reference, serial or number found once
is the answer itself (the portal opens it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fleetcare.billing.models import Document
from fleetcare.billing.permissions import can_browse_documents
from fleetcare.core.permissions import can
from fleetcare.core.textsearch import variants
from fleetcare.fleet.models import Device
from fleetcare.fleet.permissions import can_view_fleet
from fleetcare.organisations.models import Organisation
from fleetcare.replacements.models import ReplacementOrder
from fleetcare.replacements.permissions import can_browse_replacements
from fleetcare.support.models import Case
from fleetcare.support.permissions import can_browse_cases

PER_KIND = 5
MAX_QUERY = 64

KIND_LABELS = {
    "case": _("Case"),
    "replacement": _("Replacement order"),
    "device": _("Device"),
    "document": _("Money document"),
    "organisation": _("Organisation"),
}


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    label: str
    detail: str
    url: str
    exact: bool

    @property
    def kind_label(self) -> Any:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Results:
    query: str
    hits: list[Hit]

    @property
    def exact(self) -> Hit | None:
        """The one record that matches exactly, if there is exactly one."""
        exact = [h for h in self.hits if h.exact]
        return exact[0] if len(exact) == 1 else None


def _prefix(field: str, q: str) -> Q:
    cond = Q()
    for v in variants(q):
        cond |= Q(**{f"{field}__startswith": v})
    return cond


def _first(qs: Any) -> list[Any]:
    # No ORDER BY: the prefix index gives its first rows in its own order and the scan
    # stops there (an ORDER BY would sort every match first).
    return list(qs.order_by()[:PER_KIND])


def _cases(user: Any, q: str, exact: set[str]) -> list[Hit]:
    rows = _first(
        Case.objects.visible_to(user)
        .filter(_prefix("reference", q))
        .only("id", "reference", "subject")
    )
    return [
        Hit(
            "case",
            c.pk,
            c.reference,
            c.subject,
            reverse("support:case_detail", args=[c.pk]),
            c.reference in exact,
        )
        for c in rows
    ]


def _orders(user: Any, q: str, exact: set[str]) -> list[Hit]:
    rows = _first(
        ReplacementOrder.objects.visible_to(user)
        .filter(_prefix("reference", q))
        .select_related("account")
        .only("id", "reference", "account__name")
    )
    return [
        Hit(
            "replacement",
            o.pk,
            o.reference,
            o.account.name,
            reverse("replacements:detail", args=[o.pk]),
            o.reference in exact,
        )
        for o in rows
    ]


def _devices(user: Any, q: str, exact: set[str]) -> list[Hit]:
    rows = _first(
        Device.objects.visible_to(user)
        .filter(_prefix("serial_number", q))
        .select_related("product_model", "account")
        .only("id", "serial_number", "product_model__name", "account__name")
    )
    return [
        Hit(
            "device",
            d.pk,
            d.serial_number or "",
            f"{d.product_model.name} · {d.account.name}",
            reverse("fleet:device_detail", args=[d.pk]),
            d.serial_number in exact,
        )
        for d in rows
    ]


def _documents(user: Any, q: str, exact: set[str]) -> list[Hit]:
    rows = _first(
        Document.objects.visible_to(user)
        .filter(_prefix("number", q))
        .select_related("account")
        .only("id", "number", "kind", "title", "account__name")
    )
    return [
        Hit(
            "document",
            d.pk,
            d.label,
            f"{d.title} · {d.account.name}",
            reverse("billing:document_detail", args=[d.pk]),
            d.number in exact,
        )
        for d in rows
    ]


def _organisations(user: Any, q: str, exact: set[str]) -> list[Hit]:
    rows = _first(
        Organisation.objects.visible_to(user).filter(name__istartswith=q).only("id", "name", "kind")
    )
    return [
        Hit(
            "organisation",
            o.pk,
            o.name,
            str(o.get_kind_display()),
            reverse("portal:organisation_detail", args=[o.pk]),
            o.name.casefold() == q.casefold(),
        )
        for o in rows
    ]


def _kinds(user: Any) -> list[Any]:
    kinds = []
    if can(user, can_browse_cases):
        kinds.append(_cases)
    if can(user, can_browse_replacements):
        kinds.append(_orders)
    if can(user, can_view_fleet):
        kinds.append(_devices)
    if can(user, can_browse_documents):
        kinds.append(_documents)
    kinds.append(_organisations)
    return kinds


def search(*, actor: Any, q: str) -> Results:
    """What ``actor`` may see that matches ``q``: at most PER_KIND hits per kind, one
    query per kind."""
    q = (q or "").strip()[:MAX_QUERY]
    if not q:
        return Results(q, [])
    exact = set(variants(q))
    hits: list[Hit] = []
    for kind in _kinds(actor):
        found = kind(actor, q, exact)
        hits += sorted(found, key=lambda h: (not h.exact, h.label))
    return Results(q, hits)
