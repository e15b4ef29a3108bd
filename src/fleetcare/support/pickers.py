"""Type-ahead pickers of the case form: the requester (people of the account) and the
device (of the account, filtered by the chosen model, searched by serial or site).

Both lists go through ``visible_to`` and the account through ``get_visible_or_404``,
so another tenant's people or devices are never offered (R-TEN-1). The widget renders
a search box that asks the picker endpoint (htmx) for radio buttons; without
JavaScript the page still shows the current choice and the first matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.fleet.models import Device, DeviceStatus
from fleetcare.organisations.models import Organisation, OrganisationKind, User

PICKER_LIMIT = 20


@dataclass
class Option:
    pk: int
    label: str
    detail: str = ""


def person_option(user: User) -> Option:
    name = user.get_full_name() or user.username
    return Option(user.pk, name, user.email or user.username)


def device_option(device: Device) -> Option:
    serial = device.serial_number or f"#{device.pk}"
    site = device.site.name if device.site_id else ""
    return Option(device.pk, f"{device.product_model.name} · {serial}", site)


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def account_for(user: Any, account_id: Any) -> Organisation | None:
    """The case's account: the customer's own organisation, else the chosen one
    (another tenant's answers 404)."""
    scope = scope_of(user)
    if scope.is_customer:
        return user.organisation
    pk = _int(account_id)
    if pk is None:
        return None
    return get_visible_or_404(
        Organisation.objects.filter(kind=OrganisationKind.CUSTOMER), user, pk=pk
    )


def people(user: Any, account: Organisation | None) -> QuerySet[User]:
    if account is None:
        return User.objects.none()
    return (
        User.objects.visible_to(user)
        .filter(organisation=account, is_active=True)
        .order_by("last_name", "first_name", "username", "id")
    )


def devices(user: Any, account: Organisation | None, model_id: Any) -> QuerySet[Device]:
    pk = _int(model_id)
    if pk is None:
        return Device.objects.none()
    qs = (
        Device.objects.visible_to(user)
        .filter(status=DeviceStatus.ACTIVE, product_model_id=pk)
        .select_related("product_model", "site")
        .order_by("serial_number", "id")
    )
    if not scope_of(user).is_customer:
        if account is None:
            return Device.objects.none()
        qs = qs.filter(account=account)
    return qs


def search_people(qs: QuerySet[User], text: str) -> QuerySet[User]:
    for word in text.split()[:4]:
        qs = qs.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    return qs


def search_devices(qs: QuerySet[Device], text: str) -> QuerySet[Device]:
    for word in text.split()[:4]:
        qs = qs.filter(
            Q(serial_number__icontains=word)
            | Q(site__name__icontains=word)
            | Q(site__city__icontains=word)
        )
    return qs


def options(qs: QuerySet[Any], text: str, selected: Any, kind: str) -> tuple[list[Option], bool]:
    """The first matches (the current choice first, kept even when it does not match),
    and whether there were more."""
    make = person_option if kind == "people" else device_option
    search = search_people if kind == "people" else search_devices
    chosen = qs.filter(pk=_int(selected)).first() if _int(selected) else None
    found = list(
        search(qs, text.strip()[:100]).exclude(pk=getattr(chosen, "pk", None))[: PICKER_LIMIT + 1]
    )
    more = len(found) > PICKER_LIMIT
    rows = ([chosen] if chosen else []) + found[:PICKER_LIMIT]
    return [make(r) for r in rows], more


class PickerWidget(forms.Widget):
    """A search box plus radio buttons filled by the picker endpoint (htmx)."""

    template_name = "support/widgets/picker.html"

    def __init__(self, kind: str, depends: list[str], attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.depends = depends
        self.legend: Any = ""
        self.rows: list[Option] = []
        self.more = False
        self.hint = ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            url=reverse("support:pick_people" if self.kind == "people" else "support:pick_devices"),
            include=", ".join(f"[name='{n}']" for n in self.depends),
            include_ids=[f"id_{n}" for n in self.depends],
            kind=self.kind,
            legend=self.legend,
            limit=PICKER_LIMIT,
            options=self.rows,
            more=self.more,
            hint=self.hint,
            selected=str(value or ""),
            search_label=(
                _("Search by name or e-mail")
                if self.kind == "people"
                else _("Search by serial number or site")
            ),
        )
        return context


def fill(widget: PickerWidget, qs: QuerySet[Any], selected: Any, hint: str = "") -> None:
    """Put the first matches (and the current choice) into the widget."""
    widget.rows, widget.more = options(qs, "", selected, widget.kind)
    widget.hint = hint
