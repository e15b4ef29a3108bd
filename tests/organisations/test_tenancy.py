"""R-TEN-1: every model of the foundation, for each role, sees exactly what it should."""

from __future__ import annotations

import pytest
from django.http import Http404

from fleetcare.catalog.models import (
    Category,
    FirmwareRelease,
    ProductDocument,
    ProductModel,
    SparePart,
)
from fleetcare.core.changelog import log_change
from fleetcare.core.jobs import run_job
from fleetcare.core.models import ChangeLogEntry, JobRun
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import ApiToken, Organisation, PartnerCustomer, Site, User
from tests.factories import (
    DistributorFactory,
    OrganisationFactory,
    PartnerFactory,
    ProductModelFactory,
    SiteFactory,
    UserFactory,
    VendorFactory,
    link_partner,
)

VENDOR_ROLES = [
    "vendor_admin",
    "support_agent",
    "escalation_manager",
    "csm",
    "service_operations",
    "billing",
]


@pytest.fixture
def world(db):
    """Two customers, two partners each with a DaaS customer, a distributor, the vendor."""
    w = {}
    w["vendor"] = VendorFactory()
    w["acme"] = OrganisationFactory(name="Acme")
    w["globex"] = OrganisationFactory(name="Globex", country="US")
    w["maple"] = PartnerFactory(name="Maple")
    w["thames"] = PartnerFactory(name="Thames", country="GB")
    w["northwind"] = OrganisationFactory(name="Northwind", country="CA")
    w["contoso"] = OrganisationFactory(name="Contoso", country="GB")
    w["dist"] = DistributorFactory()
    w["link_maple"] = link_partner(w["maple"], w["northwind"])
    w["link_thames"] = link_partner(w["thames"], w["contoso"])
    for key in ["acme", "globex", "maple", "thames", "northwind", "contoso", "dist"]:
        w[f"site_{key}"] = SiteFactory(organisation=w[key], country=w[key].country, time_zone="UTC")
    w["u_acme"] = UserFactory(organisation=w["acme"], role="customer_admin")
    w["u_globex"] = UserFactory(organisation=w["globex"], role="customer_admin")
    w["u_maple"] = UserFactory(organisation=w["maple"], role="partner")
    w["u_thames"] = UserFactory(organisation=w["thames"], role="partner")
    w["u_northwind"] = UserFactory(organisation=w["northwind"], role="customer_admin")
    w["u_northwind_end"] = UserFactory(organisation=w["northwind"], role="end_user")
    w["u_dist"] = UserFactory(organisation=w["dist"], role="distributor")
    for role in VENDOR_ROLES:
        w[f"u_{role}"] = UserFactory(organisation=w["vendor"], role=role)
    w["model"] = ProductModelFactory()
    return w


def ids(qs):
    return set(qs.values_list("pk", flat=True))


CASES = [
    # user key, visible organisation keys
    ("u_acme", {"acme"}),
    ("u_globex", {"globex"}),
    ("u_maple", {"maple", "northwind"}),
    ("u_thames", {"thames", "contoso"}),
    ("u_northwind", {"northwind"}),
    ("u_northwind_end", set()),  # end users see nothing (docs/visibility.md)
    ("u_dist", {"dist"}),
]


@pytest.mark.parametrize(("user_key", "expected"), CASES)
def test_r_ten_1_organisations_visible(world, user_key, expected):
    user = world[user_key]
    assert ids(Organisation.objects.visible_to(user)) == {world[k].pk for k in expected}


@pytest.mark.parametrize("role", VENDOR_ROLES)
def test_r_ten_1_vendor_roles_see_every_organisation_site_and_link(world, role):
    user = world[f"u_{role}"]
    assert ids(Organisation.objects.visible_to(user)) == ids(Organisation.objects.all())
    assert ids(Site.objects.visible_to(user)) == ids(Site.objects.all())
    assert ids(PartnerCustomer.objects.visible_to(user)) == ids(PartnerCustomer.objects.all())


@pytest.mark.parametrize(
    ("user_key", "expected"),
    [
        ("u_acme", {"acme"}),
        ("u_maple", {"maple", "northwind"}),
        ("u_thames", {"thames", "contoso"}),
        ("u_northwind", {"northwind"}),
        ("u_northwind_end", set()),
        ("u_dist", {"dist"}),
    ],
)
def test_r_ten_1_sites_visible(world, user_key, expected):
    assert ids(Site.objects.visible_to(world[user_key])) == {
        world[f"site_{k}"].pk for k in expected
    }


@pytest.mark.parametrize(
    ("user_key", "expected"),
    [
        ("u_acme", set()),
        ("u_maple", {"link_maple"}),
        ("u_thames", {"link_thames"}),
        ("u_northwind", {"link_maple"}),
        ("u_dist", set()),
    ],
)
def test_r_ten_1_partner_customer_links_visible(world, user_key, expected):
    assert ids(PartnerCustomer.objects.visible_to(world[user_key])) == {
        world[k].pk for k in expected
    }


@pytest.mark.parametrize("user_key", [c[0] for c in CASES])
def test_r_ten_1_users_see_only_their_organisation_members(world, user_key):
    user = world[user_key]
    visible = User.objects.visible_to(user)
    if user.role == "end_user":
        assert ids(visible) == {user.pk}
    else:
        assert ids(visible) == ids(User.objects.filter(organisation=user.organisation))


@pytest.mark.parametrize("user_key", [c[0] for c in CASES] + [f"u_{r}" for r in VENDOR_ROLES])
def test_r_ten_1_api_tokens_only_their_owner(world, user_key):
    user = world[user_key]
    mine, _ = ApiToken.issue(user)
    ApiToken.issue(world["u_globex"] if user != world["u_globex"] else world["u_acme"])
    assert ids(ApiToken.objects.visible_to(user)) == {mine.pk}


@pytest.mark.parametrize("user_key", [c[0] for c in CASES] + [f"u_{r}" for r in VENDOR_ROLES])
def test_r_ten_1_catalogue_visible_to_every_signed_in_user(world, user_key):
    user = world[user_key]
    model = world["model"]
    FirmwareRelease.objects.create(product_model=model, version="1.0", released_on="2026-01-01")
    ProductDocument.objects.create(product_model=model, kind="datasheet", title="DS")
    part = SparePart.objects.create(part_number="P1", name="Part", list_price=1)
    part.compatible_models.add(model)
    for m in (Category, ProductModel, FirmwareRelease, ProductDocument, SparePart):
        assert m.objects.visible_to(user).count() == m.objects.count() > 0


@pytest.mark.parametrize("user_key", [c[0] for c in CASES])
def test_r_ten_1_change_log_and_job_runs_are_vendor_only(world, user_key):
    log_change(world["acme"], "test", actor=world["u_acme"])
    run_job("core.heartbeat")
    assert ChangeLogEntry.objects.visible_to(world[user_key]).count() == 0
    assert JobRun.objects.visible_to(world[user_key]).count() == 0
    assert ChangeLogEntry.objects.visible_to(world["u_support_agent"]).count() == 1
    assert JobRun.objects.visible_to(world["u_vendor_admin"]).count() == 1


def test_r_ten_1_another_tenants_record_is_404(world):
    with pytest.raises(Http404):
        get_visible_or_404(Organisation, world["u_acme"], pk=world["globex"].pk)
    with pytest.raises(Http404):
        get_visible_or_404(Site, world["u_maple"], pk=world["site_contoso"].pk)
    assert get_visible_or_404(Site, world["u_maple"], pk=world["site_northwind"].pk)


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert Organisation.objects.visible_to(AnonymousUser()).count() == 0
    user = world["u_acme"]
    user.is_active = False
    user.save()
    assert Organisation.objects.visible_to(User.objects.get(pk=user.pk)).count() == 0


def test_role_must_match_organisation_kind(world):
    from django.core.exceptions import ValidationError

    bad = User(username="x", organisation=world["acme"], role="billing")
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "role" in exc.value.message_dict


@pytest.mark.parametrize(
    ("country", "subdivision", "tz", "field"),
    [
        ("XX", "", "UTC", "country"),
        ("DE", "DE-QC", "Europe/Berlin", "subdivision"),
        ("DE", "BY", "Mars/Olympus", "time_zone"),
    ],
)
def test_site_country_subdivision_and_time_zone_are_validated(
    world, country, subdivision, tz, field
):
    from django.core.exceptions import ValidationError

    site = Site(
        organisation=world["acme"], name="x", country=country, subdivision=subdivision, time_zone=tz
    )
    with pytest.raises(ValidationError) as exc:
        site.full_clean()
    assert field in exc.value.message_dict


def test_site_subdivision_short_code_is_normalised(world):
    site = Site(
        organisation=world["acme"],
        name="Munich",
        country="de",
        subdivision="by",
        time_zone="Europe/Berlin",
    )
    site.full_clean()
    assert (site.country, site.subdivision, site.subdivision_code) == ("DE", "DE-BY", "BY")
