"""Demo organisations, sites and people (one user per role)."""

from __future__ import annotations

from typing import Any

from fleetcare.core.demo import DEMO_PASSWORD
from fleetcare.core.roles import OrganisationKind, Role

VENDOR_USERS = [
    ("admin", "Ada", "Admin", Role.VENDOR_ADMIN),
    ("agent", "Sam", "Agent", Role.SUPPORT_AGENT),
    ("agent2", "Lou", "Agent", Role.SUPPORT_AGENT),
    ("escalation", "Eve", "Escalation", Role.ESCALATION_MANAGER),
    ("csm", "Chris", "Success", Role.CSM),
    ("ops", "Otto", "Operations", Role.SERVICE_OPERATIONS),
    ("billing", "Bill", "Ing", Role.BILLING),
]

# key, name, country, currency, language, account number, sites [(name, country, subdivision, tz, city)], admin username
CUSTOMERS = [
    (
        "acme",
        "Acme Industries SA",
        "FR",
        "EUR",
        "fr",
        "PE-100001",
        [
            ("Acme Paris HQ", "FR", "FR-IDF", "Europe/Paris", "Paris"),
            ("Acme Lyon", "FR", "FR-ARA", "Europe/Paris", "Lyon"),
        ],
        "acme",
    ),
    (
        "globex",
        "Globex Corporation",
        "US",
        "USD",
        "en",
        "PE-100002",
        [
            ("Globex New York", "US", "US-NY", "America/New_York", "New York"),
            ("Globex Austin", "US", "US-TX", "America/Chicago", "Austin"),
        ],
        "globex",
    ),
    (
        "initech",
        "Initech GmbH",
        "DE",
        "EUR",
        "en",
        "PE-100003",
        [
            ("Initech Munich", "DE", "DE-BY", "Europe/Berlin", "München"),
            ("Initech Berlin", "DE", "DE-BE", "Europe/Berlin", "Berlin"),
        ],
        "initech",
    ),
]
PARTNERS = [
    (
        "maple",
        "Maple Leaf Communications",
        "CA",
        "CAD",
        "en",
        [("Maple Toronto office", "CA", "CA-ON", "America/Toronto", "Toronto")],
        "maple",
    ),
    (
        "thames",
        "Thames Unified Ltd",
        "GB",
        "GBP",
        "en",
        [("Thames London office", "GB", "GB-ENG", "Europe/London", "London")],
        "thames",
    ),
]
DAAS_CUSTOMERS = [
    (
        "northwind",
        "Northwind Logistics",
        "CA",
        "CAD",
        "fr",
        "DS-200001",
        "maple",
        [("Northwind Montréal", "CA", "CA-QC", "America/Toronto", "Montréal")],
        ["northwind-admin", "northwind-user"],
    ),
    (
        "contoso",
        "Contoso Retail Ltd",
        "GB",
        "GBP",
        "en",
        "DS-200002",
        "thames",
        [("Contoso Manchester", "GB", "GB-ENG", "Europe/London", "Manchester")],
        ["contoso-admin"],
    ),
]


def _user(
    ctx: Any,
    username: str,
    org: Any,
    role: str,
    first: str = "",
    last: str = "",
    language: str = "en",
) -> Any:
    from fleetcare.organisations.models import User

    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "organisation": org,
            "role": role,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@{org.name.split()[0].lower()}.example",
            "language": language,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        if role == Role.VENDOR_ADMIN:
            user.is_staff = True
            user.is_superuser = True
        user.save()
    ctx.users[username] = user
    return user


def _org(
    name: str, kind: str, country: str, currency: str, language: str, account: str | None
) -> Any:
    from fleetcare.organisations.models import Organisation

    org, _ = Organisation.objects.get_or_create(
        name=name,
        defaults={
            "kind": kind,
            "country": country,
            "currency": currency,
            "language": language,
            "account_number": account,
        },
    )
    return org


def _sites(ctx: Any, org: Any, sites: list[tuple[str, str, str, str, str]]) -> None:
    from fleetcare.organisations.models import Site

    for name, country, sub, tz, city in sites:
        site, created = Site.objects.get_or_create(
            organisation=org,
            name=name,
            defaults={"country": country, "subdivision": sub, "time_zone": tz, "city": city},
        )
        if created:
            site.full_clean()
        ctx.sites[name] = site


def load(ctx: Any, out: Any = None) -> None:
    from fleetcare.organisations.models import PartnerCustomer

    ctx.vendor = _org("Poly", OrganisationKind.VENDOR, "US", "USD", "en", None)
    for username, first, last, role in VENDOR_USERS:
        _user(ctx, username, ctx.vendor, role, first, last)
    csm = ctx.users["csm"]
    for key, name, country, currency, lang, account, sites, admin in CUSTOMERS:
        org = _org(name, OrganisationKind.CUSTOMER, country, currency, lang, account)
        if org.csm_id is None:
            org.csm = csm
            org.save(update_fields=["csm"])
        ctx.customers[key] = org
        _sites(ctx, org, sites)
        _user(ctx, admin, org, Role.CUSTOMER_ADMIN, name.split()[0], "IT", lang)
    for key, name, country, currency, lang, sites, username in PARTNERS:
        org = _org(name, OrganisationKind.CERTIFIED_PARTNER, country, currency, lang, None)
        ctx.partners[key] = org
        _sites(ctx, org, sites)
        _user(ctx, username, org, Role.PARTNER, name.split()[0], "Support", lang)
    for (
        key,
        name,
        country,
        currency,
        lang,
        account,
        partner_key,
        sites,
        usernames,
    ) in DAAS_CUSTOMERS:
        org = _org(name, OrganisationKind.CUSTOMER, country, currency, lang, account)
        ctx.daas_customers[key] = org
        _sites(ctx, org, sites)
        PartnerCustomer.objects.get_or_create(partner=ctx.partners[partner_key], customer=org)
        for username in usernames:
            role = Role.END_USER if username.endswith("-user") else Role.CUSTOMER_ADMIN
            _user(
                ctx,
                username,
                org,
                role,
                name.split()[0],
                "User" if role == Role.END_USER else "IT",
                lang,
            )
    ctx.distributor = _org(
        "EuroChannel Distribution", OrganisationKind.DISTRIBUTION_PARTNER, "FR", "EUR", "fr", None
    )
    _user(ctx, "dist", ctx.distributor, Role.DISTRIBUTOR, "Dana", "Distributor", "fr")
