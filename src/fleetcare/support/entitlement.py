"""Entitlement of a case (R-SUP-1) and who may open one (R-DS-6), by programme kind.

R-PRG-1: an ``account_wide`` programme entitles through the account's contract in
force covering the model's category; a ``per_device`` programme through the device's
current term. The result carries the programme code of the record found, so the
clock, the case openers and the replacement settings come from that programme's
features. Dates come from the records; which categories a programme covers from its
settings in ``fleetcare.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from fleetcare.contracts.models import ContractCategory, EnterpriseContract
from fleetcare.core import programmes
from fleetcare.core.tenancy import scope_of
from fleetcare.daas.models import SubscribedDevice, SubscriptionStatus
from fleetcare.organisations.models import Organisation, PartnerCustomer, Role
from fleetcare.rules.coverage import Reason
from fleetcare.rules.programmes import BY_PARTNER

from .entitlement_messages import NO_COVER, explain_not_entitled
from .models import Entitlement


@dataclass(frozen=True)
class EntitlementResult:
    kind: str  # Entitlement value: the programme kind, or none
    until: date | None = None
    contract: EnterpriseContract | None = None
    daas_device: SubscribedDevice | None = None  # the per-device term found
    programme_code: str = ""
    reason: str = ""  # when not entitled: a key of NOT_ENTITLED
    params: dict[str, Any] = field(default_factory=dict)  # JSON-able, to fill its sentence

    @property
    def note(self) -> str:
        return explain_not_entitled(self.reason, self.params)

    @property
    def partner(self) -> Organisation | None:
        if self.daas_device is None:
            return None
        return self.daas_device.subscription.partner

    @property
    def programme(self):  # type: ignore[no-untyped-def]
        """The entitling programme's settings; None when not entitled."""
        return programmes.programme(self.programme_code) if self.programme_code else None


def _per_device(sd: SubscribedDevice) -> EntitlementResult:
    return EntitlementResult(
        Entitlement.PER_DEVICE,
        sd.term_end,
        daas_device=sd,
        programme_code=sd.subscription.programme_code,
    )


def _daas_device(account: Organisation, product_model: Any, device: Any, on: date):
    base = (
        SubscribedDevice.objects.select_related("subscription__partner")
        .filter(subscription__customer=account, term_start__lte=on, term_end__gte=on)
        .exclude(subscription__status=SubscriptionStatus.CANCELLED)
        .order_by("-term_end", "id")
    )
    if device is not None:
        found = base.filter(device=device).first()
        if found is not None:
            return found
        return None
    return base.filter(product_model=product_model).first()


def _pe_contract(account: Organisation, product_model: Any, on: date):
    """The P+E contract that entitles ``product_model`` on ``on``, else None with the
    reason code and its parameters (R-CAT-2, R-CAT-3)."""
    category = product_model.category
    if category.quote_only:
        return None, Reason.QUOTE_ONLY, {"category": category.code}
    if product_model.is_past_end_of_support(on):
        eos = product_model.end_of_support_on
        return None, Reason.END_OF_SUPPORT, {"model": product_model.name, "date": eos.isoformat()}
    rows = (
        ContractCategory.objects.select_related("contract")
        .filter(
            contract__in=EnterpriseContract.objects.filter(account=account).in_force(on),
            category=category,
        )
        .order_by("-contract__end_date", "contract_id")
    )
    for row in rows:
        programme = row.contract.programme
        if category.code in programme.quote_only_classes:
            continue
        if category.code not in programme.covered_categories:
            continue
        return row.contract, "", {}
    return None, NO_COVER, {}


def resolve_entitlement(
    account: Organisation, product_model: Any, device: Any = None, on: date | None = None
) -> EntitlementResult:
    """R-SUP-1: an account-wide contract, a per-device term, or none (R-PRG-1).

    A device enrolled in a per-device programme is entitled by its term; otherwise an
    account-wide contract in force covering the model's category; otherwise a
    per-device term of that model for the account; otherwise none (kept, marked,
    offered paid support).
    """
    from django.utils import timezone

    on = on or timezone.localdate()
    if device is not None:
        sd = _daas_device(account, product_model, device, on)
        if sd is not None:
            return _per_device(sd)
    contract, why_not, params = _pe_contract(account, product_model, on)
    if contract is not None:
        return EntitlementResult(
            Entitlement.ACCOUNT_WIDE,
            contract.end_date,
            contract=contract,
            programme_code=contract.programme_code,
        )
    if device is None:
        sd = _daas_device(account, product_model, None, on)
        if sd is not None:
            return _per_device(sd)
    return EntitlementResult(Entitlement.NONE, None, reason=why_not, params=params)


def is_daas_device(device: Any) -> bool:
    """The device is enrolled in a per-device programme whose cases only its partner
    opens (R-DS-6)."""
    return (
        device is not None
        and SubscribedDevice.objects.filter(
            device=device,
            subscription__programme_code__in=programmes.codes(case_openers="partner_only"),
        ).exists()
    )


def _partner_names(customer_id: int) -> str:
    names = list(
        PartnerCustomer.objects.filter(customer_id=customer_id)
        .select_related("partner")
        .order_by("partner__name")
        .values_list("partner__name", flat=True)
    )
    return ", ".join(names)


def _send_to_partner(partner_name: str) -> str:
    if partner_name:
        return _(
            "Please contact %(partner)s, your service partner, who opens support cases "
            "for your Device-as-a-Service devices."
        ) % {"partner": partner_name}
    return _(
        "Please contact your service partner, who opens support cases for your "
        "Device-as-a-Service devices."
    )


def refusal_to_open(user: Any) -> str:
    """Why ``user`` may open no case at all (``permissions.can_open_cases`` is false):
    the people of a DaaS customer are sent to their partner by name (R-DS-6)."""
    if scope_of(user).is_customer:
        return _send_to_partner(_partner_names(user.organisation_id))
    return _("Your role may not open support cases.")


def check_may_open(
    user: Any, account: Organisation, result: EntitlementResult, device: Any
) -> None:
    """R-DS-6 / R-TEN-1: raise PermissionDenied (with the reason) unless ``user`` may open
    this case.

    * vendor staff may open any case (phone entry);
    * a customer's users open for their own account, except where the programme's
      ``case_openers`` is ``partner_only``;
    * an end user of a DaaS customer never opens one: they are sent to their partner;
    * a certified partner opens cases only under a programme it sells
      (``sold_by = "partner"``), for the devices it sold.
    """
    scope = scope_of(user)
    if not scope.authenticated:
        raise PermissionDenied(_("Sign in to open a case."))
    if scope.is_vendor:
        return
    if scope.role == Role.END_USER:
        partner = result.partner.name if result.partner else _partner_names(user.organisation_id)
        raise PermissionDenied(_send_to_partner(partner))
    if scope.is_customer:
        if account.pk != scope.organisation_id:
            raise PermissionDenied(_("You may open cases only for your own organisation."))
        partner_only = (result.programme is not None and result.programme.partner_only) or (
            device is not None and is_daas_device(device)
        )
        if partner_only:
            partner = result.partner.name if result.partner else _partner_names(account.pk)
            raise PermissionDenied(_send_to_partner(partner))
        return
    if scope.is_partner:
        if account.pk not in scope.served_customer_ids():
            raise PermissionDenied(_("You may open cases only for the DaaS customers you sold to."))
        if result.programme is None or result.programme.sold_by != BY_PARTNER:
            raise PermissionDenied(
                _(
                    "A certified partner opens cases only for Device-as-a-Service devices "
                    "under a current term; this product is not one."
                )
            )
        if result.partner is None or result.partner.pk != scope.organisation_id:
            raise PermissionDenied(
                _("Only the certified partner that sold this device may open a case for it.")
            )
        return
    raise PermissionDenied(_("Your role may not open support cases."))


def daas_partner_filter(partner_id: int) -> Q:
    return Q(opened_by_partner_id=partner_id) | Q(daas_device__subscription__partner_id=partner_id)
