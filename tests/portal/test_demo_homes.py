"""On the demo, for every login: every menu entry it sees and every link on its home page
open (no 403/404/500), and its home shows its work from the demo data. The test client
twin of tests/browser/test_homes_browser.py: fast, and it catches a menu entry or button
that a later change makes point at a page its readers may not open."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fleetcare.organisations.models import User
from fleetcare.portal import work
from fleetcare.portal.context import visible_entries

# Per demo login: the work lists its home must show with at least one record each.
EXPECTED_WORK = {
    "admin": {"unassigned", "escalations", "to-ship", "drafts", "threshold-decisions"},
    "agent": {"my-breaches", "unassigned"},
    "agent2": {"my-breaches", "unassigned"},
    "escalation": {"escalations", "breaches"},
    "ops": {"to-ship", "deliveries-due", "returns-overdue"},
    "csm": {"my-accounts", "adjustments-due", "renewals"},
    "billing": {"drafts", "threshold-decisions"},
    "acme": {"open-cases", "replacements"},
    "globex": {"open-cases"},
    "initech": {"open-cases", "replacements"},
    "maple": {"open-cases", "subscriptions"},
    "thames": {"subscriptions"},
    "northwind-admin": {"open-cases", "replacements", "subscriptions"},
    "contoso-admin": {"subscriptions"},
    "northwind-user": set(),
    "dist": {"quotes"},
}
# P+E customers see their fleet against the baseline; partners the threshold per customer.
BASELINE = {"acme", "globex", "initech"}
THRESHOLDS = {"maple", "thames"}
LINK = re.compile(r'href="(/[^"#]*)')
NOT_PAGES = ("/static/", "/admin/", "/api/")


@pytest.fixture
def demo(db):
    call_command("demo", "--quiet")


def _links(html: str) -> set[str]:
    main = html[html.index("<main") : html.index("</main>")]
    return {
        url.replace("&amp;", "&") for url in LINK.findall(main) if not url.startswith(NOT_PAGES)
    }


@pytest.mark.django_db
def test_r_prg_1_every_demo_login_opens_its_menu_and_home_links_and_sees_its_work(demo):
    users = {u.username: u for u in User.objects.select_related("organisation")}
    assert set(users) == set(EXPECTED_WORK)
    refused: list[tuple[str, str, int]] = []
    for username, expected in EXPECTED_WORK.items():
        user = users[username]
        client = Client()
        client.force_login(user)
        menu = [reverse(name) for name, _label in visible_entries(user)]
        home = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
        assert home.status_code == 200, username
        html = home.content.decode()
        for url in sorted(set(menu) | _links(html)):
            status = client.get(url).status_code
            if status >= 400:
                refused.append((username, url, status))

        result = work.work_for(user)
        with_rows = {wl.key for wl in result.lists if wl.rows}
        assert expected <= with_rows, (username, with_rows)
        for wl in result.lists:
            assert f'id="work-{wl.key}"' in html, (username, wl.key)
            for row in wl.rows:
                reference = getattr(row, "reference", None) or getattr(row, "number", None)
                if reference is None and hasattr(row, "case"):
                    reference = row.case.reference
                if reference:
                    assert reference in html, (username, wl.key, reference)
        assert (result.baseline is not None and bool(result.baseline.rows)) == (
            username in BASELINE
        ), username
        assert bool(result.thresholds) == (username in THRESHOLDS), username
    assert refused == []

    # R-PRG-1: DaaS customers have cases, replacements and their fleet, not P+E contracts
    # or a monthly report against a baseline; P+E customers have both.
    for username in ("northwind-admin", "contoso-admin"):
        names = {n for n, _label in visible_entries(users[username])}
        assert not names & {"contracts:list", "reports:monthly"}, username
        assert {"support:cases", "fleet:devices", "daas:list"} <= names
    acme = {n for n, _label in visible_entries(users["acme"])}
    assert {"contracts:list", "reports:monthly"} <= acme
    assert "daas:list" not in acme
