"""Programmes as the models see them (R-PRG-1).

The programmes themselves are data (``rules.programmes``: one TOML file each, found in
the package and in ``FLEETCARE_PROGRAMME_DIRS``). Records store a programme's *code*;
code branches on the programme's kind and features, never on its code. This module
gives the kinds as a Django enum, the model-field defaults (the default programme of
each kind, from the registry) and the display name of a stored code.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import models
from django.utils.translation import gettext_lazy as _

from fleetcare.rules import programmes as registry
from fleetcare.rules.programmes import Programme, ProgrammeError


class ProgrammeKind(models.TextChoices):
    ACCOUNT_WIDE = registry.ACCOUNT_WIDE, _("Account-wide contract")
    PER_DEVICE = registry.PER_DEVICE, _("Per-device term")


def programme(code: str) -> Programme:
    """The programme of a stored code (``ProgrammeError`` when no file defines it)."""
    return registry.load_programme(code)


def default_programme(kind: str) -> Programme:
    return registry.default_programme(ProgrammeKind(kind).value)  # type: ignore[arg-type]


def default_account_wide_code() -> str:
    """Model-field default: the default account-wide programme (a contract's)."""
    return default_programme(ProgrammeKind.ACCOUNT_WIDE).code


def default_per_device_code() -> str:
    """Model-field default: the default per-device programme (a subscription's)."""
    return default_programme(ProgrammeKind.PER_DEVICE).code


def programme_name(code: str) -> str:
    """The programme's name for display; the code itself if no file defines it now."""
    try:
        return programme(code).name
    except ProgrammeError:
        return code


def codes(kind: str | None = None, **features: object) -> list[str]:
    """Codes of the programmes of ``kind`` (any kind when None) whose features equal
    ``features``, e.g. ``codes(sold_by="partner")``."""
    return [
        p.code
        for p in registry.all_programmes()
        if (kind is None or p.kind == kind)
        and all(getattr(p, key) == value for key, value in features.items())
    ]


def kinds_taken(organisation_id: int | None) -> frozenset[str]:
    """The programme kinds an organisation takes (R-PRG-1): the kinds of the programmes
    of its account-wide contracts and of its per-device subscriptions, whatever their
    state. Empty for an organisation that takes none yet. One query (indexed)."""
    if organisation_id is None:
        return frozenset()
    from django.apps import apps

    contract = apps.get_model("contracts", "EnterpriseContract")
    subscription = apps.get_model("daas", "Subscription")
    codes_ = set(
        contract.objects.filter(account_id=organisation_id)
        .values_list("programme_code", flat=True)
        .order_by()
        .union(
            subscription.objects.filter(customer_id=organisation_id)
            .values_list("programme_code", flat=True)
            .order_by()
        )
    )
    kinds: set[str] = set()
    for code in codes_:
        try:
            kinds.add(programme(code).kind)
        except ProgrammeError:
            continue
    return frozenset(kinds)


def _taken_annotations() -> dict[str, Any]:
    from django.apps import apps
    from django.db.models import Exists, OuterRef

    contract = apps.get_model("contracts", "EnterpriseContract")
    subscription = apps.get_model("daas", "Subscription")
    out: dict[str, Any] = {}
    for kind in ProgrammeKind.values:
        known = codes(kind)
        out[f"takes_{kind}_by_contract"] = Exists(
            contract.objects.filter(
                account_id=OuterRef("organisation_id"), programme_code__in=known
            )
        )
        out[f"takes_{kind}_by_subscription"] = Exists(
            subscription.objects.filter(
                customer_id=OuterRef("organisation_id"), programme_code__in=known
            )
        )
    return out


def with_kinds_taken(users: models.QuerySet) -> models.QuerySet:
    """``users`` with the kinds their organisation takes read in the same query (the
    session's user is read this way on every request: one query less for the menus).
    :func:`kinds_taken_by` then answers from those columns."""
    return users.annotate(**_taken_annotations())


def kinds_taken_by(user: Any) -> frozenset[str]:
    """:func:`kinds_taken` of the user's organisation, from the columns
    :func:`with_kinds_taken` added when it did, else by its query."""
    # getattr, not __dict__: request.user is a lazy object wrapping the user.
    first = f"takes_{ProgrammeKind.values[0]}_by_contract"
    if getattr(user, first, None) is None:
        return kinds_taken(getattr(user, "organisation_id", None))
    return frozenset(
        kind
        for kind in ProgrammeKind.values
        if getattr(user, f"takes_{kind}_by_contract", False)
        or getattr(user, f"takes_{kind}_by_subscription", False)
    )


@checks.register()
def check_programme_files(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``fleetcare check``: every programme file loads, each kind has a default."""
    try:
        for kind in ProgrammeKind.values:
            default_programme(kind)
    except ProgrammeError as exc:
        return [checks.Error(str(exc), id="fleetcare.programmes.E001")]
    return []
