"""Helpers shared by the DaaS, replacement and billing tests (no mocks: real rows)."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from fleetcare.contracts.models import EnterpriseContract
from fleetcare.core.programmes import default_programme
from fleetcare.daas import services as daas
from fleetcare.fleet.models import Device
from fleetcare.support.models import Case
from tests.factories import CategoryFactory, ProductModelFactory

_seq = itertools.count(1)


def voice_model(**kw):
    kw.setdefault("category", CategoryFactory(code="voice"))
    kw.setdefault("currency", "USD")
    kw.setdefault("list_price", Decimal("499.00"))
    kw.setdefault("daas_monthly_price", Decimal("30.00"))
    return ProductModelFactory(**kw)


def video_model(**kw):
    kw.setdefault("category", CategoryFactory(code="video"))
    kw.setdefault("currency", "USD")
    kw.setdefault("daas_monthly_price", Decimal("90.00"))
    return ProductModelFactory(**kw)


def subscribe(
    partner_user,
    customer,
    model,
    quantity,
    *,
    extended_cover=False,
    delivered_on=None,
    on=None,
    term_months=36,
):
    site = customer.sites.first()
    sub = daas.create_subscription(
        actor=partner_user,
        customer=customer,
        site=site,
        items=[daas.EnrolmentItem(model, quantity, extended_cover)],
        term_months=term_months,
        on=on or delivered_on or timezone.localdate(),
    )
    if delivered_on is not None:
        daas.record_delivery(actor=partner_user, subscription=sub, delivered_on=delivered_on)
    return sub


def pe_contract(
    account, *, onsite_destruction=False, start=date(2026, 1, 1), end=date(2026, 12, 31), **kw
):
    return EnterpriseContract.objects.create(
        account=account,
        reference=f"PE-T{next(_seq):05d}",
        start_date=start,
        end_date=end,
        status="active",
        onsite_destruction=onsite_destruction,
        **kw,
    )


def make_case(
    account,
    requester,
    *,
    entitlement,
    product_model,
    device=None,
    daas_device=None,
    contract=None,
    partner=None,
):
    return Case.objects.create(
        reference=f"C-T{next(_seq):06d}",
        account=account,
        requester=requester,
        opened_by_partner=partner,
        product_model=product_model,
        device=device,
        severity="S2",
        subject="Unit dead",
        description="Does not power on.",
        entitlement=entitlement,
        programme_code=_programme_code(entitlement, contract, daas_device),
        enterprise_contract=contract,
        daas_device=daas_device,
        opened_at=timezone.now(),
    )


def _programme_code(entitlement, contract, daas_device):
    """The code a case resolved this way carries (R-PRG-1)."""
    if contract is not None:
        return contract.programme_code
    if daas_device is not None:
        return daas_device.subscription.programme_code
    if entitlement == "none":
        return ""
    return default_programme(entitlement).code


def pe_device(account, model, site=None):
    return Device.objects.create(
        account=account,
        site=site or account.sites.first(),
        product_model=model,
        first_seen_on=date(2026, 1, 1),
        last_seen_on=date(2026, 1, 1),
    )


def at(text: str, tz: str = "Europe/Paris") -> datetime:
    """An aware datetime from local wall-clock text."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))
