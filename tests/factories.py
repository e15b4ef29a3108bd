"""Factories and plain helpers shared by the whole suite (factory_boy; real rows, no mocks).

Fixtures built on them (the organisations, staff of each role, the fleet's models) are in
``tests/conftest.py``.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from factory.django import DjangoModelFactory

from fleetcare.catalog.models import Category, ProductModel, ProductPrice
from fleetcare.contracts.models import ContractCategory, EnterpriseContract
from fleetcare.core.currency import supported_currencies
from fleetcare.core.programmes import default_programme
from fleetcare.fleet.models import Device
from fleetcare.organisations.models import ApiToken, Organisation, PartnerCustomer, Site, User
from fleetcare.support.models import Case

PASSWORD = "pass"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Customer {n}")
    kind = "customer"
    country = "FR"
    currency = "EUR"
    account_number = factory.Sequence(lambda n: f"ACC{n:06d}")


class VendorFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Vendor {n}")
    kind = "vendor"
    country = "US"
    account_number = None


class PartnerFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = "certified_partner"
    country = "CA"
    account_number = None


class DistributorFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Distributor {n}")
    kind = "distribution_partner"
    account_number = None


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    country = factory.LazyAttribute(lambda o: o.organisation.country)
    time_zone = "Europe/Paris"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    organisation = factory.SubFactory(OrganisationFactory)
    role = "customer_admin"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def link_partner(partner: Organisation, customer: Organisation) -> PartnerCustomer:
    return PartnerCustomer.objects.get_or_create(partner=partner, customer=customer)[0]


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "video"
    name = factory.LazyAttribute(lambda o: o.code.replace("_", " ").title())
    quote_only = factory.LazyAttribute(
        lambda o: (
            o.code
            in {"immersive_telepresence", "media_engine", "vertical_solution", "infrastructure"}
        )
    )


class ProductModelFactory(DjangoModelFactory):
    class Meta:
        model = ProductModel

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Model {n}")
    family = "Studio"
    category = factory.SubFactory(CategoryFactory)

    # The model's price list (not fields of the model): the same figures in each of
    # ``currencies`` (test data; default every supported currency), or only in ``currency``.
    currency = None
    currencies = None
    list_price = Decimal("1000.00")
    pe_yearly_price = Decimal("60.00")
    daas_monthly_price = Decimal("25.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        p = {k: kwargs.pop(k) for k in PRICE_KEYS}
        obj = super()._create(model_class, *args, **kwargs)
        codes = p["currencies"] or ([p["currency"]] if p["currency"] else supported_currencies())
        for code in codes:
            ProductPrice.objects.create(
                product_model=obj,
                currency=code,
                list_price=p["list_price"],
                pe_yearly_price=p["pe_yearly_price"],
                daas_monthly_price=p["daas_monthly_price"],
            )
        return obj


PRICE_KEYS = ("currency", "currencies", "list_price", "pe_yearly_price", "daas_monthly_price")


_seq = itertools.count(1)


# --- dates ---------------------------------------------------------------------------


def d(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str, tz: str = "Europe/Paris") -> datetime:
    """An aware datetime: ISO text with its offset, or local wall-clock text in ``tz``."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(tz))


# --- catalogue -----------------------------------------------------------------------


def video_model(**kw):
    """A video model with a P+E price (every supported currency's price list)."""
    return ProductModelFactory(
        category=CategoryFactory(code="video"), pe_yearly_price=Decimal("60.00"), **kw
    )


def daas_video_model(**kw):
    """A video model with a DaaS monthly price (every supported currency's price list)."""
    kw.setdefault("category", CategoryFactory(code="video"))
    kw.setdefault("daas_monthly_price", Decimal("90.00"))
    return ProductModelFactory(**kw)


def voice_model(**kw):
    """A voice model (DaaS extended cover is for voice devices), priced in every supported
    currency unless ``currency=`` names one."""
    kw.setdefault("category", CategoryFactory(code="voice"))
    kw.setdefault("list_price", Decimal("499.00"))
    kw.setdefault("daas_monthly_price", Decimal("30.00"))
    return ProductModelFactory(**kw)


# --- API and imports -----------------------------------------------------------------


def api(user) -> Client:
    """A client authenticated with a bearer token, as an integration would be."""
    _, raw = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def csv_bytes(
    rows: list[dict], columns=("sku", "serial_number", "site", "firmware_version", "first_seen")
) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode()


def fleet_csv(counts: dict[str, int]) -> bytes:
    """A file with ``counts[sku]`` devices without serial numbers per SKU."""
    return csv_bytes([{"sku": sku} for sku, n in counts.items() for _ in range(n)])


def upload(client: Client, content: bytes, name: str = "fleet.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    data.update({k: str(v) for k, v in fields.items() if v is not None})
    return client.post("/api/v1/fleet/imports", data)


# --- contracts, devices, subscriptions, cases ------------------------------------------


def pe_contract(
    account, *, onsite_destruction=False, start=date(2026, 1, 1), end=date(2026, 12, 31), **kw
):
    """An active P+E contract without categories (a unique reference each time)."""
    return EnterpriseContract.objects.create(
        account=account,
        reference=f"PE-T{next(_seq):05d}",
        start_date=start,
        end_date=end,
        status="active",
        onsite_destruction=onsite_destruction,
        **kw,
    )


def active_pe_contract(
    account,
    category,
    *,
    reference: str,
    start: date,
    end: date,
    installed: int = 1,
    growth: int = 0,
    baseline: Decimal = Decimal("1"),
    currency: str = "EUR",
) -> EnterpriseContract:
    """An active Poly+ Enterprise contract covering one category of ``account``."""
    contract = EnterpriseContract.objects.create(
        account=account,
        reference=reference,
        start_date=start,
        end_date=end,
        status="active",
        currency=currency,
    )
    ContractCategory.objects.create(
        contract=contract,
        category=category,
        installed=installed,
        growth=growth,
        ordered=installed + growth,
        baseline=baseline,
        unit_price=Decimal("60.00"),
    )
    return contract


def pe_device(account, model, site=None):
    return Device.objects.create(
        account=account,
        site=site or account.sites.first(),
        product_model=model,
        first_seen_on=date(2026, 1, 1),
        last_seen_on=date(2026, 1, 1),
    )


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
    """A DaaS subscription raised through the service (optionally delivered)."""
    from fleetcare.daas import services as daas

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
    """A case row as the service leaves it, without going through ``open_case``."""
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


def pe_replacement(account, agent, model, *, currency="EUR"):
    """A replacement order requested by ``agent`` on a P+E case of ``account`` (a device of
    ``model`` under a contract in ``currency``), through the replacements service."""
    from fleetcare.replacements import services as rma

    contract = pe_contract(account, currency=currency)
    case = make_case(
        account,
        agent,
        entitlement="pe",
        product_model=model,
        device=pe_device(account, model),
        contract=contract,
    )
    return rma.request_replacement(
        actor=agent, case=case, cause="hardware_fault", delivery_site=account.sites.first()
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
