"""Directory API: organisations, sites, users with roles, partner–customer links.

Lists go through ``visible_to`` (a partner sees itself and the DaaS customers it sold
to; a customer itself); one record through ``get_visible_or_404`` (another tenant's is
a 404). Who may change what is in :mod:`fleetcare.organisations.permissions`.
"""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from fleetcare.api.pagination import PageNumber
from fleetcare.api.types import ApiDate
from fleetcare.core.roles import OrganisationKind, Role
from fleetcare.core.tenancy import get_visible_or_404

from . import services
from .models import Organisation, PartnerCustomer, Site, User

router = Router(tags=["directory"])
ROUTER_PREFIX = ""


# --- schemas ---------------------------------------------------------------------------


class DirectoryOrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    account_number: str | None
    country: str
    currency: str
    language: str
    csm_id: int | None = Field(None, description="The customer success manager assigned")
    created_at: datetime
    updated_at: datetime


class OrganisationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrganisationKind = Field(
        OrganisationKind.CUSTOMER, description="A partner creates customers only"
    )
    country: str = Field(..., min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    currency: str = Field(..., min_length=3, max_length=3, description="ISO 4217, e.g. CAD")
    language: str = Field("en", max_length=8, description="en or fr")
    account_number: str | None = Field(None, max_length=32)


class OrganisationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    country: str | None = Field(None, min_length=2, max_length=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    language: str | None = Field(None, max_length=8)
    account_number: str | None = Field(None, max_length=32)
    csm_id: int | None = Field(
        None,
        description="A customer account's customer success manager (a vendor CSM's user "
        "id; null to unassign). The vendor administrator only.",
    )


class OrganisationFilters(Schema):
    kind: OrganisationKind | None = None
    q: str | None = Field(None, max_length=100, description="Part of the name")
    csm_id: int | None = Field(None, description="Accounts of this customer success manager")


class SiteOut(Schema):
    id: int
    organisation_id: int
    name: str
    country: str
    subdivision: str
    city: str
    address: str
    time_zone: str


class SiteIn(Schema):
    organisation_id: int
    name: str = Field(..., min_length=1, max_length=200)
    country: str = Field(..., min_length=2, max_length=2)
    subdivision: str = Field("", max_length=10, description="ISO 3166-2, e.g. CA-ON")
    city: str = Field("", max_length=100)
    address: str = Field("", max_length=2000)
    time_zone: str = Field(..., max_length=64, description="IANA, e.g. America/Toronto")


class SitePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    country: str | None = Field(None, min_length=2, max_length=2)
    subdivision: str | None = Field(None, max_length=10)
    city: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=2000)
    time_zone: str | None = Field(None, max_length=64)


class UserOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    organisation_id: int | None
    role: str
    language: str
    time_zone: str = Field(description="Blank: the zone of the organisation's main site")
    phone: str
    is_active: bool


class UserIn(Schema):
    organisation_id: int
    username: str = Field(..., min_length=1, max_length=150)
    role: Role
    email: str = Field("", max_length=254)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    language: str = Field("en", max_length=8)
    time_zone: str = Field("", max_length=64, description="IANA zone; blank = main site's")
    phone: str = Field("", max_length=40)
    password: str | None = Field(
        None,
        max_length=128,
        description="Optional: without one the account cannot log in until a password is set",
    )


class UserPatch(Schema):
    role: Role | None = None
    email: str | None = Field(None, max_length=254)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    language: str | None = Field(None, max_length=8)
    time_zone: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=40)
    is_active: bool | None = None


class LinkOut(Schema):
    id: int
    partner_id: int
    customer_id: int
    since: ApiDate


class LinkIn(Schema):
    partner_id: int
    customer_id: int
    since: ApiDate | None = None


def _changes(payload: Schema) -> dict:
    return payload.model_dump(exclude_unset=True)


# --- organisations ---------------------------------------------------------------------


@router.get(
    "/organisations",
    response=list[DirectoryOrganisationOut],
    summary="Organisations you may see (a partner: itself and its DaaS customers)",
)
@paginate(PageNumber)
def list_organisations(request, filters: Query[OrganisationFilters]):
    qs = Organisation.objects.visible_to(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    if filters.csm_id is not None:
        qs = qs.filter(csm_id=filters.csm_id)
    return qs.order_by("name", "id")


@router.post(
    "/organisations",
    response={201: DirectoryOrganisationOut},
    summary="Create an organisation (a partner: a DaaS customer of its own)",
)
def create_organisation(request, payload: OrganisationIn):
    data = payload.model_dump()
    org = services.create_organisation(request.user, **data)
    return Status(201, org)


@router.get("/organisations/{organisation_id}", response=DirectoryOrganisationOut)
def get_organisation(request, organisation_id: int):
    return get_visible_or_404(Organisation, request.user, pk=organisation_id)


@router.patch("/organisations/{organisation_id}", response=DirectoryOrganisationOut)
def change_organisation(request, organisation_id: int, payload: OrganisationPatch):
    org = get_visible_or_404(Organisation, request.user, pk=organisation_id)
    return services.change_organisation(request.user, org, **_changes(payload))


@router.get(
    "/organisations/{organisation_id}/sites",
    response=list[SiteOut],
    summary="Sites of an organisation (delivery sites for subscriptions and replacements)",
)
@paginate(PageNumber)
def organisation_sites(request, organisation_id: int):
    org = get_visible_or_404(Organisation, request.user, pk=organisation_id)
    return Site.objects.visible_to(request.user).filter(organisation=org).order_by("name", "id")


# --- sites -----------------------------------------------------------------------------


@router.get("/sites", response=list[SiteOut], summary="Sites you may see")
@paginate(PageNumber)
def list_sites(request, organisation_id: int | None = None):
    qs = Site.objects.visible_to(request.user)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("organisation_id", "name", "id")


@router.post("/sites", response={201: SiteOut}, summary="Add a site (validated as in the admin)")
def create_site(request, payload: SiteIn):
    data = payload.model_dump()
    org = get_visible_or_404(Organisation, request.user, pk=data.pop("organisation_id"))
    return Status(201, services.create_site(request.user, org, **data))


@router.get("/sites/{site_id}", response=SiteOut)
def get_site(request, site_id: int):
    return get_visible_or_404(Site, request.user, pk=site_id)


@router.patch("/sites/{site_id}", response=SiteOut)
def change_site(request, site_id: int, payload: SitePatch):
    site = get_visible_or_404(Site.objects.select_related("organisation"), request.user, pk=site_id)
    return services.change_site(request.user, site, **_changes(payload))


# --- users -----------------------------------------------------------------------------


@router.get("/users", response=list[UserOut], summary="Users you may see")
@paginate(PageNumber)
def list_users(request, organisation_id: int | None = None):
    qs = User.objects.visible_to(request.user)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("organisation_id", "username", "id")


@router.post(
    "/users",
    response={201: UserOut},
    summary="Add a user with a role (never a role above your own)",
)
def create_user(request, payload: UserIn):
    data = payload.model_dump()
    org = get_visible_or_404(Organisation, request.user, pk=data.pop("organisation_id"))
    return Status(201, services.create_user(request.user, org, **data))


@router.get("/users/{user_id}", response=UserOut)
def get_user(request, user_id: int):
    return get_visible_or_404(User, request.user, pk=user_id)


@router.patch("/users/{user_id}", response=UserOut)
def change_user(request, user_id: int, payload: UserPatch):
    user = get_visible_or_404(User.objects.select_related("organisation"), request.user, pk=user_id)
    return services.change_user(request.user, user, **_changes(payload))


# --- partner–customer links --------------------------------------------------------------


@router.get("/partner-links", response=list[LinkOut], summary="Partner → DaaS customer links")
@paginate(PageNumber)
def list_links(request, partner_id: int | None = None, customer_id: int | None = None):
    qs = PartnerCustomer.objects.visible_to(request.user)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("partner_id", "customer_id")


@router.post("/partner-links", response={201: LinkOut}, summary="Link a partner to a customer")
def create_link(request, payload: LinkIn):
    partner = get_visible_or_404(Organisation, request.user, pk=payload.partner_id)
    customer = get_visible_or_404(Organisation, request.user, pk=payload.customer_id)
    return Status(201, services.link_partner(request.user, partner, customer, payload.since))


@router.delete("/partner-links/{link_id}", response={204: None}, summary="Remove a link")
def delete_link(request, link_id: int):
    link = get_visible_or_404(PartnerCustomer, request.user, pk=link_id)
    services.unlink_partner(request.user, link)
    return Status(204, None)
