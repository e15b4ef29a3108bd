"""Who is entitled to a model's software and documents (R-POR-1, R-PE-8, R-SW-1).

The facts come from the database in at most two queries; the decision is
:func:`fleetcare.rules.software.decide_download`. Programmes are chosen by their
features (``software_updates``), never by name: :func:`fleetcare.core.programmes.codes`.
The answer is cached on the user object for the request (a page asks once per model).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.permissions import is_vendor_staff
from fleetcare.core.programmes import ProgrammeKind, codes
from fleetcare.core.tenancy import scope_of
from fleetcare.rules import software as rules


def _contract_reference(account_id: int | None, on: date) -> str | None:
    """An account-wide contract in force on ``on`` whose programme brings software updates."""
    from fleetcare.contracts.models import EnterpriseContract

    if account_id is None:
        return None
    contract = (
        EnterpriseContract.objects.in_force(on)
        .filter(
            account_id=account_id,
            programme_code__in=codes(ProgrammeKind.ACCOUNT_WIDE, software_updates=True),
        )
        .order_by("-end_date", "id")
        .values_list("reference", flat=True)
        .first()
    )
    return contract


def _term_reference(scope: Any, model_id: int, on: date) -> str | None:
    """A device of the model under a per-device term in force on ``on`` (the reader's
    own, or, for a partner, one it sold) whose programme brings software updates."""
    from fleetcare.daas.models import SubscribedDevice, SubscriptionStatus

    if scope.organisation_id is None:
        return None
    whose = (
        Q(subscription__partner_id=scope.organisation_id)
        if scope.is_partner
        else Q(subscription__customer_id=scope.organisation_id)
    )
    return (
        SubscribedDevice.objects.filter(
            whose,
            product_model_id=model_id,
            subscription__status=SubscriptionStatus.ACTIVE,
            subscription__programme_code__in=codes(ProgrammeKind.PER_DEVICE, software_updates=True),
            term_start__lte=on,
            term_end__gte=on,
            replaced_by__isnull=True,
        )
        .order_by("id")
        .values_list("subscription__reference", flat=True)
        .first()
    )


def download_decision(user: Any, product_model: Any, on: date | None = None) -> rules.Decision:
    """R-POR-1: whether ``user`` may download ``product_model``'s firmware and documents."""
    on = on or timezone.localdate()
    sku = getattr(product_model, "sku", "")
    signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
    if not signed_in or not getattr(user, "is_active", False):
        return rules.decide_download(
            signed_in=False,
            vendor_staff=False,
            end_user=False,
            contract_reference=None,
            term_reference=None,
            sku=sku,
        )
    cache = user.__dict__.setdefault("_fleetcare_downloads", {})
    key = (product_model.pk, on)
    if key in cache:
        return cache[key]
    scope = scope_of(user)
    vendor = is_vendor_staff(user)
    end_user = scope.is_end_user
    contract = term = None
    if not vendor and not end_user:
        if scope.is_customer:
            contract = _contract_reference(scope.organisation_id, on)
        if contract is None and (scope.is_customer or scope.is_partner):
            term = _term_reference(scope, product_model.pk, on)
    decision = rules.decide_download(
        vendor_staff=vendor,
        end_user=end_user,
        contract_reference=contract,
        term_reference=term,
        sku=sku,
    )
    cache[key] = decision
    return decision


def explain(decision: rules.Decision) -> str:
    """The decision as a sentence, in the active language."""
    params = decision.params
    if decision.reason == rules.BY_VENDOR:
        return _("Vendor staff may download every model's software.")
    if decision.reason == rules.BY_CONTRACT:
        return _("Entitled by the contract %(reference)s: software updates are included.") % params
    if decision.reason == rules.BY_TERM:
        return (
            _(
                "Entitled by the subscription %(reference)s: a device of this model is under its term."
            )
            % params
        )
    if decision.reason == rules.END_USER:
        return _(
            "Software and documents are downloaded by your IT administrator or your partner, "
            "not by end users. Ask them for the file."
        )
    if decision.reason == rules.NOT_SIGNED_IN:
        return _("Sign in to download software and documents.")
    return (
        _(
            "Downloads of %(sku)s are for entitled users: your organisation has no contract in "
            "force that includes software updates, and no device of this model under a "
            "subscription term. Ask your customer success manager or your partner."
        )
        % params
    )
