"""The home page shows each role its work (portal/work.py): the right records, links the
reader may open, bounded counts, a constant number of queries; CSMs' "my accounts";
menus and buttons that never lead to a refusal (DaaS customers, distributors, partners)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from fleetcare.billing.models import Document
from fleetcare.daas.models import Subscription
from fleetcare.portal import work
from fleetcare.portal.context import visible_entries
from fleetcare.replacements.models import ReplacementOrder
from fleetcare.support.models import Escalation
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    active_pe_contract,
    make_case,
    video_model,
)

pytestmark = pytest.mark.django_db

_n = count(1)


def _home(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse("portal:home") + query)
    assert response.status_code == 200
    return response.content.decode()


def _case(account, requester, *, due_in=None, owner=None, status="new"):
    case = make_case(account, requester, entitlement="account_wide", product_model=video_model())
    case.earliest_due = timezone.now() + due_in if due_in is not None else None
    case.owner = owner
    case.status = status
    case.save()
    return case


def _order(account, requester, status, **kw):
    case = _case(account, requester, status="solved")
    return ReplacementOrder.objects.create(
        reference=f"RMA-T{next(_n):05d}",
        case=case,
        account=account,
        product_model=case.product_model,
        delivery_site=account.sites.first(),
        cause="hardware_fault",
        status=status,
        requested_at=timezone.now() - timedelta(days=3),
        **kw,
    )


def _document(account, addressed_to, *, kind="quote", status="issued", number=True):
    return Document.objects.create(
        kind=kind,
        purpose="professional_services",
        status=status,
        number=f"Q-T{next(_n):05d}" if number else None,
        account=account,
        addressed_to=addressed_to,
        currency="EUR",
        title="Workshop",
        issued_on=timezone.localdate() if status != "draft" else None,
    )


def _lists(user):
    return {wl.key: wl for wl in work.work_for(user).lists}


# --- support agents and escalation managers -----------------------------------------


def test_agent_sees_own_cases_near_or_past_breach_and_unassigned_ones(
    client, agent, vendor_user, customer, customer_user
):
    other = vendor_user("support_agent", username="agent-b")
    past = _case(customer, customer_user, due_in=timedelta(minutes=-20), owner=agent)
    near = _case(customer, customer_user, due_in=timedelta(hours=1), owner=agent)
    _case(customer, customer_user, due_in=timedelta(days=2), owner=agent)  # not near
    _case(customer, customer_user, due_in=timedelta(minutes=5), owner=other)  # not mine
    loose = _case(customer, customer_user, due_in=timedelta(hours=30))
    _case(customer, customer_user, owner=None, status="solved")  # closed work

    lists = _lists(agent)
    assert [c.pk for c in lists["my-breaches"].rows] == [past.pk, near.pk]
    assert lists["my-breaches"].rows[0].past_due and not lists["my-breaches"].rows[1].past_due
    assert [c.pk for c in lists["unassigned"].rows] == [loose.pk]

    html = _home(client, agent)
    assert reverse("support:case_detail", args=[past.pk]) in html
    assert "past due" in html
    assert reverse("support:queue") + "?mine=1" in html


def test_a_deadline_within_the_minute_is_just_past_or_due_not_zero_minutes(
    client, agent, customer, customer_user
):
    _case(customer, customer_user, due_in=timedelta(seconds=-20), owner=agent)
    _case(customer, customer_user, due_in=timedelta(seconds=40), owner=agent)
    _case(customer, customer_user, due_in=timedelta(minutes=-20), owner=agent)
    html = _home(client, agent)
    assert "just past due" in html and "due within a minute" in html
    assert "20\xa0minutes past due" in html  # Django's timesince keeps the words together
    assert ">0\xa0minutes" not in html and " 0\xa0minutes" not in html
    agent.language = "fr"
    agent.save(update_fields=["language"])
    french = _home(client, agent)
    assert "échéance tout juste dépassée" in french
    assert "échéance dans moins d’une minute" in french
    assert "de 0\xa0minute" not in french and "dans 0\xa0minute" not in french


def test_escalation_manager_sees_open_escalations_own_first(
    client, escalation_manager, vendor_user, customer, customer_user
):
    colleague = vendor_user("escalation_manager", username="esc-b")
    theirs = _case(customer, customer_user)
    mine = _case(customer, customer_user)
    done = _case(customer, customer_user)
    now = timezone.now()
    Escalation.objects.create(case=theirs, level=1, reason="x", owner=colleague, escalated_at=now)
    Escalation.objects.create(
        case=mine, level=2, reason="y", owner=escalation_manager, escalated_at=now
    )
    Escalation.objects.create(
        case=done, level=1, reason="z", status="deescalated", escalated_at=now
    )
    rows = _lists(escalation_manager)["escalations"].rows
    assert [e.case_id for e in rows] == [mine.pk, theirs.pk]
    assert reverse("support:escalations") in _home(client, escalation_manager)


# --- service operations and billing ---------------------------------------------------


def test_operations_see_orders_to_ship_deliveries_due_and_overdue_returns(
    client, ops, customer, customer_user
):
    today = timezone.localdate()
    to_ship = _order(customer, customer_user, "approved", delivery_target=today)
    due = _order(customer, customer_user, "shipped", delivery_target=today - timedelta(days=1))
    _order(customer, customer_user, "shipped", delivery_target=today + timedelta(days=2))
    overdue = _order(customer, customer_user, "overdue", return_due=today - timedelta(days=4))
    _order(customer, customer_user, "closed")
    lists = _lists(ops)
    assert [o.pk for o in lists["to-ship"].rows] == [to_ship.pk]
    assert [o.pk for o in lists["deliveries-due"].rows] == [due.pk]
    assert [o.pk for o in lists["returns-overdue"].rows] == [overdue.pk]
    html = _home(client, ops)
    for order in (to_ship, due, overdue):
        assert reverse("replacements:detail", args=[order.pk]) in html
    assert "?queue=shipping" in html and "?status=overdue" in html
    # Today's delivery is still "by"; yesterday's shipped one is late, said so in words.
    assert lists["to-ship"].rows[0].delivery_late is False
    assert lists["deliveries-due"].rows[0].delivery_late is True
    assert html.count("delivery was due") == 1 and "delivery by" in html


def test_billing_sees_drafts_and_threshold_decisions_with_links_that_open(
    client, billing_user, customer, customer_user, distributor
):
    draft = _document(customer, distributor, kind="order", status="draft", number=False)
    _document(customer, distributor)  # issued: not billing's work
    flagged = _order(
        customer, customer_user, "approved", threshold_flag=True, threshold_decision="pending"
    )
    _order(customer, customer_user, "approved", threshold_flag=True, threshold_decision="waived")
    lists = _lists(billing_user)
    assert [d.pk for d in lists["drafts"].rows] == [draft.pk]
    assert [o.pk for o in lists["threshold-decisions"].rows] == [flagged.pk]
    _home(client, billing_user)
    for wl in lists.values():
        assert client.get(wl.more_url).status_code == 200, wl.more_url
        for row in wl.rows:
            url = (
                reverse("billing:document_detail", args=[row.pk])
                if isinstance(row, Document)
                else reverse("replacements:detail", args=[row.pk])
            )
            assert client.get(url).status_code == 200, url


def test_counts_are_bounded_and_queries_constant(
    client, agent, customer, customer_user, django_assert_max_num_queries
):
    client.force_login(agent)
    _case(customer, customer_user, due_in=timedelta(minutes=-5), owner=agent)
    with django_assert_max_num_queries(40) as small:
        client.get(reverse("portal:home"))
    for _ in range(work.SHOWN * 2):
        _case(customer, customer_user, due_in=timedelta(minutes=-5), owner=agent)
        _case(customer, customer_user, due_in=timedelta(hours=5))
    with django_assert_max_num_queries(len(small.captured_queries) + 2):  # + the two counts
        html = client.get(reverse("portal:home")).content.decode()
    lists = _lists(agent)
    assert len(lists["my-breaches"].rows) == work.SHOWN
    assert lists["my-breaches"].count == work.SHOWN * 2 + 1
    assert f"See all ({work.SHOWN * 2 + 1})" in html

    # Beyond the cap the count says so rather than counting on.
    capped = work.WorkList("x", "x", [], work.COUNT_CAP, True, "", "")
    assert capped.count_text == f"{work.COUNT_CAP}+"


# --- customer success managers ----------------------------------------------------------


def test_csm_sees_my_accounts_first_and_filters_lists_by_them(
    client, csm, customer, other_customer
):
    customer.csm = csm
    customer.save()
    category = video_model().category
    today = timezone.localdate()
    mine = active_pe_contract(
        customer,
        category,
        reference="PE-MINE",
        start=today - timedelta(days=300),
        end=today + timedelta(days=60),
    )
    theirs = active_pe_contract(
        other_customer,
        category,
        reference="PE-THEIRS",
        start=today - timedelta(days=320),
        end=today + timedelta(days=40),
    )
    active_pe_contract(
        other_customer,
        category,
        reference="PE-LATER",
        start=today - timedelta(days=10),
        end=today + timedelta(days=355),
    )
    lists = _lists(csm)
    assert [o.pk for o in lists["my-accounts"].rows] == [customer.pk]
    # Mine first although the other contract ends sooner; a contract ending in a year is
    # not a renewal to prepare yet.
    assert [c.pk for c in lists["renewals"].rows] == [mine.pk, theirs.pk]

    html = _home(client, csm)
    assert html.index("My accounts") < html.index("Renewals within 90 days")
    filtered = _home(client, csm, "?mine=1")
    assert reverse("portal:organisation_detail", args=[customer.pk]) in filtered
    assert reverse("portal:organisation_detail", args=[other_customer.pk]) not in filtered

    contracts = client.get(reverse("contracts:list") + "?mine=1").content.decode()
    assert "PE-MINE" in contracts and "PE-THEIRS" not in contracts
    assert "PE-THEIRS" in client.get(reverse("contracts:list")).content.decode()


# --- customers, partners, distributors ---------------------------------------------------


def test_customer_sees_fleet_against_baseline_open_cases_and_replacements(
    client, customer, customer_user, other_customer, other_customer_user
):
    category = video_model().category
    today = timezone.localdate()
    contract = active_pe_contract(
        customer,
        category,
        reference="PE-HOME",
        start=today - timedelta(days=30),
        end=today + timedelta(days=335),
        installed=20,
    )
    case = _case(customer, customer_user, due_in=timedelta(hours=2))
    order = _order(customer, customer_user, "shipped")
    _case(other_customer, other_customer_user)  # another tenant's

    result = work.work_for(customer_user)
    assert result.baseline.contract == contract
    assert [r.category for r in result.baseline.rows] == [category.code]
    lists = {wl.key: wl for wl in result.lists}
    assert [c.pk for c in lists["open-cases"].rows] == [case.pk]
    assert [o.pk for o in lists["replacements"].rows] == [order.pk]

    html = _home(client, customer_user)
    assert reverse("reports:chart", args=[contract.pk]) in html
    assert 'id="baseline-table"' in html
    assert client.get(reverse("reports:chart", args=[contract.pk])).status_code == 200


def test_partner_sees_its_customers_cases_subscriptions_and_threshold(
    client, partner, partner_user, daas_customer
):
    from tests.factories import subscribe, voice_model

    sub = subscribe(
        partner_user,
        daas_customer,
        voice_model(),
        10,
        extended_cover=True,
        delivered_on=timezone.localdate() - timedelta(days=5),
    )
    result = work.work_for(partner_user)
    lists = {wl.key: wl for wl in result.lists}
    assert [s.pk for s in lists["subscriptions"].rows] == [sub.pk]
    assert set(lists) == {"open-cases", "subscriptions"}
    [row] = result.thresholds
    assert (row.customer_id, row.devices, row.replacements) == (daas_customer.pk, 10, 0)
    assert row.next_is_chargeable  # 1 of 10 is above 2 %
    html = _home(client, partner_user)
    assert 'id="threshold-table"' in html and daas_customer.name in html
    assert reverse("daas:detail", args=[sub.pk]) in html


def test_r_ds_5_threshold_rates_are_written_in_the_readers_language(
    client, partner, partner_user, daas_customer
):
    from tests.factories import subscribe, voice_model

    subscribe(
        partner_user,
        daas_customer,
        voice_model(),
        60,  # the next replacement: 1 of 60 = 1.67 %, within the 2 % threshold
        extended_cover=True,
        delivered_on=timezone.localdate() - timedelta(days=5),
    )
    html = _home(client, partner_user)
    assert '<td class="numeric">0%</td>' in html and "Within the 2% threshold" in html
    assert " %" not in html.split('id="threshold-table"')[1].split("</table>")[0]
    partner_user.language = "fr"
    partner_user.save(update_fields=["language"])
    french = _home(client, partner_user)
    assert '<td class="numeric">0\xa0%</td>' in french
    assert "Sous le seuil de 2\xa0%" in french


def test_distributor_sees_the_quotes_addressed_to_it_only(client, distributor_user, customer):
    mine = _document(customer, distributor_user.organisation)
    other = OrganisationFactory(name="Other Dist", kind="distribution_partner")
    _document(customer, other)
    _document(customer, distributor_user.organisation, status="draft", number=False)
    html = _home(client, distributor_user)
    assert mine.number in html
    assert "will appear here" not in html
    assert [d.pk for d in _lists(distributor_user)["quotes"].rows] == [mine.pk]
    assert client.get(reverse("billing:document_detail", args=[mine.pk])).status_code == 200


# --- no dead links ----------------------------------------------------------------------


def _menu(user) -> list[str]:
    return [name for name, _label in visible_entries(user)]


def test_r_prg_1_daas_customers_menu_shows_what_they_have(
    partner, partner_user, daas_customer, customer, customer_user
):
    from tests.factories import subscribe, voice_model

    subscribe(partner_user, daas_customer, voice_model(), 2)
    daas_admin = UserFactory(organisation=daas_customer, role="customer_admin")
    assert "contracts:list" not in _menu(daas_admin)
    assert "reports:monthly" not in _menu(daas_admin)
    assert {"support:cases", "replacements:list", "fleet:devices", "daas:list"} <= set(
        _menu(daas_admin)
    )
    assert "subscriptions" in _lists(daas_admin)
    # A P+E customer keeps them, and so does one that takes both kinds.
    active_pe_contract(
        customer,
        video_model().category,
        reference="PE-MENU",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    )
    assert {"contracts:list", "reports:monthly"} <= set(_menu(customer_user))
    assert "daas:list" not in _menu(customer_user)
    active_pe_contract(
        daas_customer,
        video_model().category,
        reference="PE-BOTH",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    )
    both = type(daas_admin).objects.get(pk=daas_admin.pk)  # a fresh request's user
    assert "contracts:list" in _menu(both)


def test_buttons_lead_only_to_pages_the_reader_may_open(
    client, customer, distributor_user, partner_user, csm
):
    from fleetcare.contracts.models import EnterpriseContract

    contract = active_pe_contract(
        customer,
        video_model().category,
        reference="PE-DIST",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    )
    order = _document(customer, customer, kind="order")
    order.programme = contract.programme_code
    order.save()
    EnterpriseContract.objects.filter(pk=contract.pk).update(
        distribution_partner=distributor_user.organisation, upfront_order=order
    )
    client.force_login(distributor_user)
    html = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert reverse("reports:monthly") not in html
    assert reverse("contracts:document_pdf", args=[order.pk]) not in html
    assert order.number in html  # named, not linked
    client.force_login(csm)
    html = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert reverse("reports:monthly") in html
    assert reverse("contracts:document_pdf", args=[order.pk]) in html

    # The partner's case list offers no authorisations page it may not open.
    client.force_login(partner_user)
    html = client.get(reverse("support:cases")).content.decode()
    assert reverse("support:authorisations") not in html
    assert client.get(reverse("support:authorisations")).status_code == 403


def test_subscriptions_list_only_active_ones(partner_user, daas_customer):
    from tests.factories import subscribe, voice_model

    sub = subscribe(partner_user, daas_customer, voice_model(), 1)
    Subscription.objects.filter(pk=sub.pk).update(status="ended")
    assert _lists(partner_user)["subscriptions"].rows == []


def test_partner_home_costs_the_same_for_one_customer_or_several(
    client, partner, partner_user, daas_customer, django_assert_max_num_queries
):
    from tests.factories import SiteFactory, link_partner, subscribe, voice_model

    model = voice_model()
    subscribe(partner_user, daas_customer, model, 2, extended_cover=True)
    client.force_login(partner_user)
    with django_assert_max_num_queries(60) as one:
        client.get(reverse("portal:home"))
    for i in range(3):
        other = OrganisationFactory(name=f"Customer {i}", country="CA", currency="CAD")
        SiteFactory(
            organisation=other, country="CA", subdivision="CA-ON", time_zone="America/Toronto"
        )
        link_partner(partner, other)
        partner_user.__dict__.pop("_fleetcare_served_ids", None)
        subscribe(partner_user, other, model, 1, extended_cover=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("portal:home")).content.decode()
    assert html.count('href="/organisations/') >= 4
    assert len(work.partner_thresholds(partner_user, timezone.localdate())) == 4
