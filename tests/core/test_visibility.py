"""R-TEN-1: the role × record-kind table (core/visibility.py, docs/visibility.md).

Every cell is checked against ``visible_to``: a world holds records of each kind for
several tenants (tagged with who they belong or are addressed to), and each role sees
exactly the records its cell grants. The document's table is the data's."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from fleetcare.billing.models import Document
from fleetcare.core import programmes
from fleetcare.core.changelog import log_change
from fleetcare.core.jobs import run_job
from fleetcare.core.models import ChangeLogEntry, JobRun
from fleetcare.core.roles import Role
from fleetcare.core.tenancy import TenantQuerySet
from fleetcare.core.visibility import (
    COLUMNS,
    EXEMPT,
    KIND_OF_MODEL,
    TABLE,
    Sees,
    cell,
    markdown_table,
)
from fleetcare.daas.models import SubscribedDevice, Subscription
from fleetcare.fleet.models import Device, ErrorReport, InventorySnapshot
from fleetcare.licences.models import Licence, LicenceKind
from fleetcare.organisations.models import Organisation, PartnerCustomer, Site, User
from fleetcare.replacements.models import ReplacementOrder
from fleetcare.support.models import (
    Attachment,
    Case,
    CloudPartner,
    CloudPartnerAuthorisation,
    Escalation,
    PartnerIncident,
)
from fleetcare.webhooks.models import WebhookEndpoint
from tests.factories import (
    CategoryFactory,
    DistributorFactory,
    OrganisationFactory,
    PartnerFactory,
    ProductModelFactory,
    SiteFactory,
    UserFactory,
    VendorFactory,
    active_pe_contract,
    link_partner,
    make_case,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "visibility.md"
TENANTS = ("acme", "northwind", "contoso", "maple", "thames", "dist")


@pytest.fixture
def w(db):
    """The vendor; Acme (P+E); Northwind, sold DaaS by Maple; Contoso, by Thames; a
    distributor. One user per column."""
    w: dict = {"vendor": VendorFactory(name="Poly")}
    w["acme"] = OrganisationFactory(name="Acme")
    w["northwind"] = OrganisationFactory(name="Northwind", country="CA", currency="CAD")
    w["contoso"] = OrganisationFactory(name="Contoso", country="GB", currency="GBP")
    w["maple"] = PartnerFactory(name="Maple", country="CA")
    w["thames"] = PartnerFactory(name="Thames", country="GB")
    w["dist"] = DistributorFactory(name="Dist")
    w["link_maple"] = link_partner(w["maple"], w["northwind"])
    w["link_thames"] = link_partner(w["thames"], w["contoso"])
    for key in TENANTS:
        w[f"site_{key}"] = SiteFactory(organisation=w[key], country=w[key].country, time_zone="UTC")
    w["users"] = {
        Role.CUSTOMER_ADMIN: UserFactory(organisation=w["acme"], role="customer_admin"),
        Role.PARTNER: UserFactory(organisation=w["maple"], role="partner"),
        Role.DISTRIBUTOR: UserFactory(organisation=w["dist"], role="distributor"),
        Role.END_USER: UserFactory(organisation=w["northwind"], role="end_user"),
    }
    for role in COLUMNS[:6]:
        w["users"][role] = UserFactory(organisation=w["vendor"], role=role)
    w["video"] = CategoryFactory(code="video")
    w["model"] = ProductModelFactory(name="Studio X50", category=w["video"])
    return w


# Whose records each column's user may see, per cell value.
OWN_TAG = {
    Role.CUSTOMER_ADMIN: "acme",
    Role.PARTNER: "maple",
    Role.DISTRIBUTOR: "dist",
    Role.END_USER: "northwind",
}


def granted_tags(value: Sees, role: Role, user) -> set[str] | None:
    """None: every record."""
    return {
        Sees.ALL: None,
        Sees.NONE: set(),
        Sees.OWN: {OWN_TAG.get(role, "vendor")},
        Sees.SOLD: {"northwind"},
        Sees.OWN_AND_SOLD: {"maple", "northwind"},
        Sees.ADDRESSED: {"dist"},
        Sees.SELF: {f"user:{user.pk}"},
    }[value]


# --- the records of each kind, tagged ------------------------------------------------


def _device(w, key):
    return Device.objects.create(
        account=w[key],
        site=w[f"site_{key}"],
        product_model=w["model"],
        serial_number=f"SN-{key}",
        first_seen_on=date(2026, 1, 1),
        last_seen_on=date(2026, 1, 1),
    )


def _subscription(w, key, partner, distributor=None):
    device = _device(w, key)
    sub = Subscription.objects.create(
        reference=f"DS-{key}",
        partner=w[partner],
        customer=w[key],
        site=w[f"site_{key}"],
        distributor=distributor,
        currency=w[key].currency,
    )
    sd = SubscribedDevice.objects.create(
        subscription=sub,
        device=device,
        product_model=w["model"],
        monthly_price=Decimal("25"),
        enrolled_on=date(2025, 1, 1),
        delivered_on=date(2025, 1, 2),
        term_start=date(2025, 1, 2),
        term_end=date(2030, 1, 1),
    )
    return sub, sd


def _cases(w):
    if "cases" not in w:
        contract = active_pe_contract(
            w["acme"], w["video"], reference="PE-A", start=date(2025, 1, 1), end=date(2030, 1, 1)
        )
        out = {
            "acme": make_case(
                w["acme"],
                w["users"][Role.CUSTOMER_ADMIN],
                entitlement="account_wide",
                product_model=w["model"],
                contract=contract,
            )
        }
        for key, partner in (("northwind", "maple"), ("contoso", "thames")):
            _sub, sd = _subscription(w, key, partner)
            out[key] = make_case(
                w[key],
                w["users"][Role.PARTNER],
                entitlement="per_device",
                product_model=w["model"],
                device=sd.device,
                daas_device=sd,
                partner=w[partner],
            )
        w["cases"] = out
    return w["cases"]


def _authorisation(w, key, partner):
    return CloudPartnerAuthorisation.objects.create(
        account=w[key], cloud_partner=partner, document="x.pdf", valid_from=date(2026, 1, 1)
    )


def make_organisation(w):
    return [(w["vendor"], {"vendor"}), *((w[k], {k}) for k in TENANTS)]


def make_site(w):
    return [(w[f"site_{k}"], {k}) for k in TENANTS]


def make_person(w):
    extra = [
        UserFactory(organisation=w["northwind"], role="customer_admin"),
        UserFactory(organisation=w["contoso"], role="customer_admin"),
    ]
    rows = []
    for user in [*w["users"].values(), *extra]:
        tag = next((k for k in TENANTS if w[k].pk == user.organisation_id), "vendor")
        rows.append((user, {tag, f"user:{user.pk}"}))
    return rows


def make_partner_link(w):
    acme = link_partner(w["thames"], w["acme"])
    return [(w["link_maple"], {"northwind"}), (w["link_thames"], {"contoso"}), (acme, {"acme"})]


def make_catalogue(w):
    return [(w["model"], {"vendor"})]


def make_device(w):
    return [
        (_device(w, "acme"), {"acme"}),
        (_subscription(w, "northwind", "maple")[1].device, {"northwind"}),
        (_subscription(w, "contoso", "thames")[1].device, {"contoso"}),
    ]


def make_fleet_count(w):
    return [
        (InventorySnapshot.objects.create(account=w[k], as_of=date(2026, 1, 1), source="api"), {k})
        for k in ("acme", "northwind")
    ]


def make_import_error_report(w):
    return [
        (ErrorReport.objects.create(account=w[k], total=1, storage_name=f"r-{k}.jsonl"), {k})
        for k in ("acme", "northwind")
    ]


def make_licence(w):
    _subscription(w, "northwind", "maple")  # maple sells to northwind
    return [
        (
            Licence.objects.create(
                account=w[k],
                reference=f"LIC-{k}",
                kind=LicenceKind.PREMIUM_TIER,
                product_name="Device management premium",
                quantity=10,
                valid_from=date(2026, 1, 1),
            ),
            {k},
        )
        for k in ("acme", "northwind", "contoso")
    ]


def make_contract(w):
    acme = active_pe_contract(
        w["acme"], w["video"], reference="PE-A", start=date(2025, 1, 1), end=date(2030, 1, 1)
    )
    nw = active_pe_contract(
        w["northwind"], w["video"], reference="PE-N", start=date(2025, 1, 1), end=date(2030, 1, 1)
    )
    nw.distribution_partner = w["dist"]
    nw.save()
    return [(acme, {"acme"}), (nw, {"northwind", "dist"})]


def make_subscription(w):
    return [
        (_subscription(w, "northwind", "maple", distributor=w["dist"])[0], {"northwind", "dist"}),
        (_subscription(w, "contoso", "thames")[0], {"contoso"}),
        (_subscription(w, "acme", "thames")[0], {"acme"}),
    ]


def make_case_(w):
    return [(case, {key}) for key, case in _cases(w).items()]


def make_case_attachment(w):
    return [
        (
            Attachment.objects.create(
                case=case,
                file=f"support/attachments/{key}.txt",
                original_name="log.txt",
                content_type="text/plain",
                size=3,
            ),
            {key},
        )
        for key, case in _cases(w).items()
    ]


def make_escalation(w):
    now = timezone.now()
    return [
        (Escalation.objects.create(case=case, level=1, reason="VIP", escalated_at=now), {key})
        for key, case in _cases(w).items()
    ]


def make_cloud_partner(w):
    return [(CloudPartner.objects.create(code="teams", name="Teams"), {"vendor"})]


def make_authorisation(w):
    teams = CloudPartner.objects.create(code="teams", name="Teams")
    return [(_authorisation(w, k, teams), {k}) for k in ("acme", "northwind", "contoso")]


def make_partner_incident(w):
    teams = CloudPartner.objects.create(code="teams", name="Teams")
    return [
        (
            PartnerIncident.objects.create(
                case=case, cloud_partner=teams, authorisation=_authorisation(w, key, teams)
            ),
            {key},
        )
        for key, case in _cases(w).items()
    ]


def make_replacement_order(w):
    partners = {"northwind": w["maple"], "contoso": w["thames"]}
    return [
        (
            ReplacementOrder.objects.create(
                reference=f"RMA-{key}",
                case=case,
                account=case.account,
                partner=partners.get(key),
                product_model=w["model"],
                cause="hardware_fault",
                delivery_site=w[f"site_{key}"],
                service_centre="emea",
                requested_at=timezone.now(),
            ),
            {key},
        )
        for key, case in _cases(w).items()
    ]


def make_money_document(w):
    partner_code = programmes.codes(sold_by="partner")[0]

    def doc(n, account, to, programme=""):
        return Document.objects.create(
            kind="invoice",
            purpose="options",
            status="issued",
            number=f"INV-{n}",
            account=w[account],
            addressed_to=w[to],
            currency="EUR",
            title="Invoice",
            programme=programme,
        )

    return [
        (doc(1, "acme", "acme"), {"acme"}),
        (doc(2, "northwind", "maple", partner_code), {"northwind", "maple"}),
        (doc(3, "acme", "dist"), {"acme", "dist"}),
        (doc(4, "contoso", "thames", partner_code), {"contoso", "thames"}),
    ]


def make_webhook(w):
    return [
        (WebhookEndpoint.objects.create(organisation=w[k], url=f"https://{k}.test/hook"), {k})
        for k in ("acme", "northwind", "maple", "dist")
    ]


def make_change_log(w):
    log_change(w["acme"], "test", actor=w["users"][Role.CUSTOMER_ADMIN])
    return [(e, {"vendor"}) for e in ChangeLogEntry.objects.all()]


def make_job_run(w):
    run_job("core.heartbeat")
    return [(r, {"vendor"}) for r in JobRun.objects.all()]


MAKERS = {
    "organisation": make_organisation,
    "site": make_site,
    "person": make_person,
    "partner_link": make_partner_link,
    "catalogue": make_catalogue,
    "device": make_device,
    "fleet_count": make_fleet_count,
    "import_error_report": make_import_error_report,
    "licence": make_licence,
    "contract": make_contract,
    "subscription": make_subscription,
    "case": make_case_,
    "case_attachment": make_case_attachment,
    "escalation": make_escalation,
    "cloud_partner": make_cloud_partner,
    "authorisation": make_authorisation,
    "partner_incident": make_partner_incident,
    "replacement_order": make_replacement_order,
    "money_document": make_money_document,
    "webhook": make_webhook,
    "change_log": make_change_log,
    "job_run": make_job_run,
}

CELLS = [(kind, role) for kind in TABLE for role in COLUMNS]


@pytest.mark.parametrize(("kind", "role"), CELLS, ids=[f"{k}-{r.value}" for k, r in CELLS])
def test_r_ten_1_every_cell_of_the_table_is_what_visible_to_returns(w, kind, role):
    rows = MAKERS[kind](w)
    model = type(rows[0][0])
    assert KIND_OF_MODEL[model._meta.label] == kind
    user = User.objects.get(pk=w["users"][role].pk)
    value = cell(kind, role)
    tags = granted_tags(value, role, user)
    expected = {r.pk for r, t in rows if tags is None or t & tags}
    ours = [r.pk for r, _t in rows]
    seen = set(model.objects.visible_to(user).filter(pk__in=ours).values_list("pk", flat=True))
    assert seen == expected, f"{kind} × {role.value} = {value.value}"
    if value == Sees.NONE:
        assert not model.objects.visible_to(user).exists()
    if value != Sees.NONE and value != Sees.ALL and role in OWN_TAG:
        assert expected, f"the world shows nothing for {kind} × {role.value}"


def test_every_tenant_model_is_in_the_table_or_exempt():
    labels = {
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("fleetcare")
        and isinstance(m._default_manager.get_queryset(), TenantQuerySet)
    }
    assert labels == set(KIND_OF_MODEL) | set(EXEMPT)


def test_the_document_holds_the_table_of_the_data():
    text = DOC.read_text()
    found = re.search(r"<!-- table:start -->\n(.*?)\n<!-- table:end -->", text, re.S)
    assert found, "docs/visibility.md lacks the table markers"
    assert found.group(1).strip() == markdown_table()
    arch = (DOC.parent / "architecture.md").read_text()
    assert "(visibility.md)" in arch


def test_the_table_says_what_the_issue_asks():
    assert cell("case_attachment", Role.BILLING) == Sees.NONE
    assert cell("authorisation", Role.BILLING) == Sees.NONE
    assert cell("case", Role.BILLING) == Sees.NONE
    assert cell("money_document", Role.BILLING) == Sees.ALL
    assert cell("money_document", Role.SUPPORT_AGENT) == Sees.NONE
    assert cell("case", Role.SUPPORT_AGENT) == Sees.ALL
    assert all(
        cell(kind, Role.END_USER) in (Sees.NONE, Sees.SELF, Sees.OWN, Sees.ALL) for kind in TABLE
    )
    assert cell("organisation", Role.END_USER) == Sees.NONE


# --- the pages and API follow the table ----------------------------------------------


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_r_ten_1_billing_reads_no_case_and_agents_no_invoice(w):
    case = _cases(w)["acme"]
    (doc, _tags), *_ = make_money_document(w)
    billing = _client(w["users"][Role.BILLING])
    assert billing.get(f"/support/cases/{case.pk}/").status_code == 404
    assert billing.get(f"/api/v1/cases/{case.pk}").status_code == 404
    agent = _client(w["users"][Role.SUPPORT_AGENT])
    assert agent.get(f"/support/cases/{case.pk}/").status_code == 200
    assert agent.get(f"/billing/{doc.pk}/").status_code == 404
    assert billing.get(f"/billing/{doc.pk}/").status_code == 200


def test_r_ten_1_end_user_sees_no_organisation_nor_threshold(w):
    end_user = _client(w["users"][Role.END_USER])
    northwind = w["northwind"]
    assert end_user.get(f"/organisations/{northwind.pk}/").status_code == 404
    assert end_user.get(f"/api/v1/daas/customers/{northwind.pk}/threshold").status_code == 404
    assert end_user.get(f"/api/v1/organisations/{northwind.pk}").status_code in (403, 404)
    home = end_user.get("/").content.decode()
    assert "Maple" in home  # the page that sends them to their partner


def test_vendor_roles_not_in_the_table_see_nothing(w):
    odd = UserFactory(organisation=w["vendor"], role="customer_admin")
    assert not Organisation.objects.visible_to(odd).exists()
    assert not Site.objects.visible_to(odd).exists()
    assert PartnerCustomer.objects.visible_to(odd).count() == 0


def test_partner_incident_updates_follow_their_incident(w):
    rows = make_partner_incident(w)
    agent = w["users"][Role.SUPPORT_AGENT]
    assert PartnerIncident.objects.visible_to(agent).count() == len(rows)
    assert not PartnerIncident.objects.visible_to(w["users"][Role.CUSTOMER_ADMIN]).exists()
    assert Case.objects.visible_to(w["users"][Role.CUSTOMER_ADMIN]).exists()
