"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from fleetcare.catalog.models import Category, ProductModel, ProductPrice
from fleetcare.core.currency import supported_currencies
from fleetcare.organisations.models import Organisation, PartnerCustomer, Site, User

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


def d(text: str) -> date:
    return date.fromisoformat(text)
