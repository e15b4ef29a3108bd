"""Who may act: every app's permission predicates for every role (a table), the
``{% can %}`` template tag, and the menu (each role sees exactly the entries whose
predicate it passes)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from fleetcare.billing import permissions as billing
from fleetcare.contracts import permissions as contracts
from fleetcare.core.permissions import REGISTRY, autodiscover, can, require
from fleetcare.core.roles import ROLES_BY_KIND, OrganisationKind, Role
from fleetcare.daas import permissions as daas
from fleetcare.fleet import permissions as fleet
from fleetcare.organisations import permissions as organisations
from fleetcare.portal import context as menu
from fleetcare.replacements import permissions as replacements
from fleetcare.reports import permissions as reports
from fleetcare.support import permissions as support
from fleetcare.support.models import Case
from fleetcare.webhooks import permissions as webhooks
from tests.factories import (
    DistributorFactory,
    OrganisationFactory,
    PartnerFactory,
    UserFactory,
    VendorFactory,
)

R = Role
SUPERUSER = "superuser"
VENDOR = {R.VENDOR_ADMIN, R.SUPPORT_AGENT, R.ESCALATION_MANAGER, R.CSM}
VENDOR |= {R.SERVICE_OPERATIONS, R.BILLING}
AGENTS = {R.VENDOR_ADMIN, R.SUPPORT_AGENT, R.ESCALATION_MANAGER, R.SERVICE_OPERATIONS}
EVERYONE = {*Role, SUPERUSER}

# predicate -> the roles (and the superuser) it lets through, with no object.
TABLE = {
    organisations.can_create_organisation: {R.VENDOR_ADMIN, R.PARTNER, SUPERUSER},
    organisations.can_change_organisation: {R.VENDOR_ADMIN, SUPERUSER},
    organisations.can_manage_sites: {R.VENDOR_ADMIN, R.PARTNER, R.CUSTOMER_ADMIN, SUPERUSER},
    organisations.can_manage_users: {R.VENDOR_ADMIN, R.CUSTOMER_ADMIN, SUPERUSER},
    organisations.can_link_partner: {R.VENDOR_ADMIN, SUPERUSER},
    organisations.can_assign_csm: {R.VENDOR_ADMIN, SUPERUSER},
    webhooks.can_manage_webhooks: {R.VENDOR_ADMIN, R.CUSTOMER_ADMIN, R.PARTNER, R.DISTRIBUTOR}
    | {SUPERUSER},
    fleet.can_view_fleet: {*VENDOR, R.CUSTOMER_ADMIN, R.PARTNER, SUPERUSER},
    fleet.can_browse_fleet: {*VENDOR - {R.BILLING}, R.CUSTOMER_ADMIN, R.PARTNER, SUPERUSER},
    fleet.can_manage_fleet: {R.VENDOR_ADMIN, R.CSM, R.SERVICE_OPERATIONS, R.CUSTOMER_ADMIN}
    | {SUPERUSER},
    fleet.can_manage_several_fleets: {*VENDOR, SUPERUSER},
    contracts.can_manage_contracts: {R.VENDOR_ADMIN, R.CSM, SUPERUSER},
    contracts.can_record_purchase_order: {R.VENDOR_ADMIN, R.CSM, R.BILLING, SUPERUSER},
    contracts.can_browse_contracts: {R.CUSTOMER_ADMIN, R.VENDOR_ADMIN, R.CSM, R.BILLING}
    | {R.DISTRIBUTOR, SUPERUSER},
    daas.can_create_subscription: {R.PARTNER},
    daas.can_record_delivery: {R.DISTRIBUTOR, R.PARTNER, R.SERVICE_OPERATIONS, R.VENDOR_ADMIN}
    | {SUPERUSER},
    daas.can_browse_subscriptions: {R.PARTNER, R.VENDOR_ADMIN, R.SERVICE_OPERATIONS, R.BILLING}
    | {R.SUPPORT_AGENT, R.CSM, R.DISTRIBUTOR, SUPERUSER},
    billing.can_bill: {R.BILLING, R.VENDOR_ADMIN, SUPERUSER},
    billing.can_browse_documents: {R.BILLING, R.VENDOR_ADMIN, R.PARTNER, R.CUSTOMER_ADMIN}
    | {R.DISTRIBUTOR, SUPERUSER},
    reports.can_view_monthly_report: {*VENDOR, R.CUSTOMER_ADMIN, SUPERUSER},
    reports.can_browse_monthly_report: {R.CUSTOMER_ADMIN, R.VENDOR_ADMIN, R.CSM, SUPERUSER},
    support.is_agent: {*AGENTS, SUPERUSER},
    support.can_write_internal_note: {*AGENTS, SUPERUSER},
    support.can_reply: {*AGENTS, SUPERUSER},  # without a case: agents only
    support.can_manage_escalations: {R.VENDOR_ADMIN, R.ESCALATION_MANAGER, SUPERUSER},
    support.can_open_cases: {*VENDOR, R.CUSTOMER_ADMIN, R.PARTNER, SUPERUSER},
    support.can_manage_cloud_partners: {R.SUPPORT_AGENT, R.ESCALATION_MANAGER, R.VENDOR_ADMIN}
    | {SUPERUSER},
    support.can_view_authorisations: {*VENDOR, R.CUSTOMER_ADMIN, SUPERUSER},
    support.can_record_authorisation: {*AGENTS, R.CUSTOMER_ADMIN, SUPERUSER},
    support.can_browse_cases: {*AGENTS, R.CSM, R.BILLING, R.CUSTOMER_ADMIN, R.PARTNER}
    | {R.END_USER, SUPERUSER},
    replacements.can_request_replacement: {R.SUPPORT_AGENT, R.ESCALATION_MANAGER}
    | {R.VENDOR_ADMIN, R.PARTNER, SUPERUSER},
    replacements.can_approve_replacement: {R.SUPPORT_AGENT, R.ESCALATION_MANAGER, R.VENDOR_ADMIN}
    | {SUPERUSER},
    replacements.can_operate_replacement: {R.SERVICE_OPERATIONS, R.VENDOR_ADMIN, SUPERUSER},
    replacements.can_decide_threshold: {R.BILLING, R.VENDOR_ADMIN, SUPERUSER},
    replacements.can_see_charge: EVERYONE - {R.CUSTOMER_ADMIN, R.PARTNER},
    replacements.can_browse_replacements: EVERYONE - {R.DISTRIBUTOR, R.END_USER},
}

# The menu as it was written before the predicates (url name -> roles): kept exactly.
MENU = {
    "portal:home": EVERYONE,
    "portal:catalog": EVERYONE,
    "fleet:devices": {R.CUSTOMER_ADMIN, R.VENDOR_ADMIN, R.CSM, R.SUPPORT_AGENT}
    | {R.SERVICE_OPERATIONS, R.ESCALATION_MANAGER, R.PARTNER, SUPERUSER},
    "contracts:list": {R.CUSTOMER_ADMIN, R.VENDOR_ADMIN, R.CSM, R.BILLING, R.DISTRIBUTOR}
    | {SUPERUSER},
    "daas:list": {R.PARTNER, R.VENDOR_ADMIN, R.SERVICE_OPERATIONS, R.BILLING, R.SUPPORT_AGENT}
    | {R.CSM, R.DISTRIBUTOR, SUPERUSER},
    "support:cases": {*AGENTS, R.CSM, R.BILLING, R.CUSTOMER_ADMIN, R.PARTNER, R.END_USER}
    | {SUPERUSER},
    "support:queue": {*AGENTS, SUPERUSER},
    "support:escalations": {R.VENDOR_ADMIN, R.ESCALATION_MANAGER, SUPERUSER},
    "replacements:list": EVERYONE - {R.DISTRIBUTOR, R.END_USER},
    "billing:documents": {R.BILLING, R.VENDOR_ADMIN, R.PARTNER, R.CUSTOMER_ADMIN}
    | {R.DISTRIBUTOR, SUPERUSER},
    "reports:monthly": {R.CUSTOMER_ADMIN, R.VENDOR_ADMIN, R.CSM, SUPERUSER},
    "webhooks:list": {R.VENDOR_ADMIN, R.CUSTOMER_ADMIN, R.PARTNER, R.DISTRIBUTOR, SUPERUSER},
}


@pytest.fixture
def orgs(db):
    return {
        OrganisationKind.VENDOR: VendorFactory(name="Poly"),
        OrganisationKind.CUSTOMER: OrganisationFactory(name="Acme SA"),
        OrganisationKind.CERTIFIED_PARTNER: PartnerFactory(name="Maple Partners"),
        OrganisationKind.DISTRIBUTION_PARTNER: DistributorFactory(name="Channel Dist"),
    }


@pytest.fixture
def people(orgs):
    """One user of each role in an organisation of its kind, and a superuser."""
    users = {}
    for kind, roles in ROLES_BY_KIND.items():
        for role in roles:
            users[role] = UserFactory(organisation=orgs[kind], role=role, username=str(role))
    users[SUPERUSER] = UserFactory(
        organisation=None, role="", username="root", is_superuser=True, is_staff=True
    )
    return users


def _label(who: object) -> str:
    return str(who)


@pytest.mark.parametrize("predicate", list(TABLE), ids=lambda p: p.permission_name)
def test_each_predicate_for_each_role(people, predicate):
    allowed = {who for who, user in people.items() if can(user, predicate)}
    assert allowed == TABLE[predicate], predicate.permission_name


def test_every_registered_predicate_is_in_the_table():
    autodiscover()
    assert set(REGISTRY.values()) == set(TABLE)
    for name, predicate in REGISTRY.items():
        assert predicate.permission_name == name


def test_nobody_signed_out_or_inactive_may_act(people):
    anonymous = AnonymousUser()
    inactive = people[R.VENDOR_ADMIN]
    inactive.is_active = False
    for predicate in TABLE:
        assert not can(anonymous, predicate)
        assert not can(None, predicate)
        assert not can(inactive, predicate)


def test_a_vendor_role_outside_the_vendor_counts_for_nothing(orgs):
    """A role is honoured only in an organisation of its kind (docs/programmes.md §1)."""
    customer = orgs[OrganisationKind.CUSTOMER]
    misplaced = UserFactory(organisation=customer, role=R.VENDOR_ADMIN, username="odd")
    agent = UserFactory(organisation=customer, role=R.SUPPORT_AGENT, username="odd-agent")
    for user in (misplaced, agent):
        assert not can(user, replacements.can_approve_replacement)
        assert not can(user, support.is_agent)
        assert not can(user, billing.can_bill)
        assert not can(user, contracts.can_manage_contracts)


def test_fleet_managers_act_on_their_own_account_only(people, orgs):
    own = orgs[OrganisationKind.CUSTOMER]
    other = OrganisationFactory(name="Globex")
    admin = people[R.CUSTOMER_ADMIN]
    assert fleet.can_manage_fleet(admin, own)
    assert not fleet.can_manage_fleet(admin, other)
    assert fleet.can_manage_fleet(people[R.CSM], other)
    assert not fleet.can_manage_fleet(people[R.SUPPORT_AGENT], own)


def test_authorisations_are_recorded_for_the_admins_own_account(people, orgs):
    own = orgs[OrganisationKind.CUSTOMER]
    other = OrganisationFactory(name="Globex")
    admin = people[R.CUSTOMER_ADMIN]
    assert support.can_record_authorisation(admin, own)
    assert not support.can_record_authorisation(admin, other)
    assert support.can_record_authorisation(people[R.SUPPORT_AGENT], other)


def test_the_requester_side_may_reply_on_its_case(people, orgs):
    own = orgs[OrganisationKind.CUSTOMER]
    partner = orgs[OrganisationKind.CERTIFIED_PARTNER]
    other = OrganisationFactory(name="Globex")
    own_case = Case(account=own)
    partner_case = Case(account=other, opened_by_partner=partner)
    other_case = Case(account=other)
    assert support.can_reply(people[R.CUSTOMER_ADMIN], own_case)
    assert not support.can_reply(people[R.CUSTOMER_ADMIN], other_case)
    assert not support.can_reply(people[R.END_USER], own_case)
    assert support.can_reply(people[R.PARTNER], partner_case)
    assert not support.can_reply(people[R.PARTNER], other_case)
    assert support.can_reply(people[R.SUPPORT_AGENT], other_case)
    assert not support.can_reply(people[R.DISTRIBUTOR], own_case)
    assert not support.can_write_internal_note(people[R.CUSTOMER_ADMIN], own_case)


def test_require_keeps_the_refusal_message(people):
    message = "Your role may not approve replacements."
    with pytest.raises(PermissionDenied, match=message):
        require(people[R.CSM], replacements.can_approve_replacement, None, message)
    require(people[R.SUPPORT_AGENT], "replacements.approve", None, message)


@pytest.mark.parametrize("predicate", list(TABLE), ids=lambda p: p.permission_name)
def test_the_template_tag_asks_the_same_predicate(people, predicate):
    template = Template(
        "{% load permissions %}{% can name obj as ok %}{% if ok %}yes{% else %}no{% endif %}"
    )
    request = RequestFactory().get("/")
    for who, user in people.items():
        request.user = user
        out = template.render(Context({"request": request, "name": predicate.permission_name}))
        assert out == ("yes" if who in TABLE[predicate] else "no"), (who, predicate)


def test_the_template_tag_takes_an_object(people, orgs):
    request = RequestFactory().get("/")
    request.user = people[R.CUSTOMER_ADMIN]
    template = Template('{% load permissions %}{% can "fleet.manage" account as ok %}{{ ok }}')
    own = orgs[OrganisationKind.CUSTOMER]
    other = OrganisationFactory(name="Globex")
    assert template.render(Context({"request": request, "account": own})) == "True"
    assert template.render(Context({"request": request, "account": other})) == "False"


@pytest.mark.parametrize("who", sorted(EVERYONE, key=str), ids=_label)
def test_each_role_sees_exactly_the_menu_entries_it_passes(people, who):
    user = people[who]
    request = RequestFactory().get("/")
    request.user = user
    shown = [item["url"] for item in menu.navigation(request)["nav_items"]]
    passing = [
        reverse(url_name)
        for url_name, _label, visible in menu.entries()
        if visible is None or can(user, visible)
    ]
    assert shown == passing
    assert set(shown) == {reverse(name) for name, roles in MENU.items() if who in roles}


def test_menu_entries_come_from_the_apps_predicates():
    visible = {url_name: pred for url_name, _label, pred in menu.entries()}
    assert visible["replacements:list"] is replacements.can_browse_replacements
    assert visible["support:queue"] is support.is_agent
    assert visible["billing:documents"] is billing.can_browse_documents
    assert set(visible) == set(MENU)


def test_the_old_roles_spelling_still_registers_a_menu_entry(people, monkeypatch):
    monkeypatch.setattr(menu, "_extra", list(menu._extra))
    with pytest.warns(DeprecationWarning):
        menu.register("portal:profile", "Profile", roles={R.BILLING})
    with pytest.warns(DeprecationWarning):
        menu.register("portal:set_language", "Language", {R.CSM})  # type: ignore[arg-type]
    entry = next(e for e in menu.entries() if e[0] == "portal:profile")
    assert can(people[R.BILLING], entry[2])
    assert can(people[R.VENDOR_ADMIN], entry[2])
    assert not can(people[R.CSM], entry[2])
    entry = next(e for e in menu.entries() if e[0] == "portal:set_language")
    assert can(people[R.CSM], entry[2])
    assert not can(people[R.BILLING], entry[2])


def test_the_case_page_asks_replacements_who_may_raise_an_order(people):
    """support's case page uses replacements.permissions, not a copy of its roles."""
    from fleetcare.support import services

    case = Case(entitlement="none")
    for who, user in people.items():
        ctx = services.case_replacements(case, user)
        assert ctx["may_request_replacement"] == (
            who in TABLE[replacements.can_request_replacement]
        ), who


def test_a_permission_name_belongs_to_one_predicate():
    from django.core.exceptions import ImproperlyConfigured

    from fleetcare.core.permissions import permission

    def impostor(user, obj=None):
        return True

    with pytest.raises(ImproperlyConfigured, match="replacements.approve"):
        permission("replacements.approve")(impostor)
    assert REGISTRY["replacements.approve"] is replacements.can_approve_replacement
