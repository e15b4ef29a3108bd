"""Case page and queue additions: replacements raised from the case page (R-RMA-1),
deadlines on the clock's calendar shown in the reader's zone (R-SUP-2), the htmx queue, and translatable
e-mail templates."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from fleetcare.replacements import services as rma
from fleetcare.rules.calendars import calendar_for
from fleetcare.support import clocks, services
from fleetcare.support.models import Case
from tests.factories import at

pytestmark = pytest.mark.django_db
NOW = at("2026-03-02T08:00:00+00:00")  # a Monday, 03:00 in Toronto (EST)
TORONTO = ZoneInfo("America/Toronto")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _open(actor, model, now=NOW, **kw) -> Case:
    return services.open_case(
        actor=actor,
        data=services.OpenCaseInput(
            product_model=model,
            severity=kw.pop("severity", "S2"),
            subject=kw.pop("subject", "Audio drops"),
            description="Every call",
            **kw,
        ),
        now=now,
    )


def _page(user, case) -> str:
    return _client(user).get(reverse("support:case_detail", args=[case.pk])).content.decode()


# --- 1. raise a replacement from the case page (R-RMA-1) -------------------------------


@pytest.fixture
def pe_case(customer_user, pe_contract, model):
    return _open(customer_user, model)


def _order(agent, case, ops=None, tracking=""):
    order = rma.request_replacement(
        actor=agent,
        case=case,
        cause="hardware_fault",
        delivery_site=case.account.sites.first(),
        fault_description="No video",
    )
    if ops is not None:
        order = rma.approve(order, actor=agent, now=NOW)
        if tracking:
            order = rma.ship(order, actor=ops, carrier="DHL", tracking_number=tracking)
    return order


def test_agent_sees_raise_replacement_link_on_entitled_case(agent, pe_case):
    page = _page(agent, pe_case)
    link = reverse("replacements:create", args=[pe_case.pk])
    assert f'href="{link}"' in page and "Raise a replacement" in page
    assert _client(agent).get(link).status_code == 200


def test_not_entitled_case_has_no_link_but_a_note(agent, customer_user, model):
    case = _open(customer_user, model)  # no contract: not entitled
    assert case.entitlement == "none"
    page = _page(agent, case)
    assert reverse("replacements:create", args=[case.pk]) not in page
    assert 'id="no-replacement"' in page and "it is not entitled" in page


def test_customer_follows_orders_but_has_no_link(agent, ops, customer_user, pe_case):
    order = _order(agent, pe_case, ops, tracking="1Z999")
    page = _page(customer_user, pe_case)
    assert "Raise a replacement" not in page and 'id="no-replacement"' not in page
    assert f'href="{reverse("replacements:detail", args=[order.pk])}"' in page
    order.refresh_from_db()
    row = re.search(rf'<tr data-reference="{order.reference}">.*?</tr>', page, re.S).group(0)
    assert order.get_status_display() in row
    assert order.delivery_target.isoformat() in row
    assert "DHL 1Z999" in row


def test_other_customer_never_sees_the_case_or_its_orders(agent, pe_case, other_customer_user):
    _order(agent, pe_case)
    r = _client(other_customer_user).get(reverse("support:case_detail", args=[pe_case.pk]))
    assert r.status_code == 404
    r = _client(other_customer_user).get(f"/api/v1/cases/{pe_case.pk}/replacement-orders")
    assert r.status_code == 404


def test_daas_partner_may_raise_from_its_case(partner_user, daas_device, model):
    case = _open(partner_user, model, device=daas_device.device)
    assert case.entitlement == "per_device"
    assert reverse("replacements:create", args=[case.pk]) in _page(partner_user, case)


def test_case_page_query_count_does_not_grow_with_orders(
    agent, ops, pe_case, django_assert_max_num_queries
):
    c = _client(agent)
    url = reverse("support:case_detail", args=[pe_case.pk])
    orders = [_order(agent, pe_case, ops, tracking="T-0")]
    c.get(url)  # warm caches
    with django_assert_max_num_queries(40) as ctx:
        c.get(url)
    few = len(ctx.captured_queries)
    orders += [_order(agent, pe_case, ops, tracking=f"T-{i}") for i in range(1, 6)]
    services.add_reply(pe_case, actor=agent, body="More", now=NOW)
    with django_assert_max_num_queries(few):
        page = c.get(url).content.decode()
    assert all(f'<tr data-reference="{o.reference}">' in page for o in orders)


def test_api_case_replacement_orders(agent, ops, customer_user, model, pe_case):
    order = _order(agent, pe_case, ops, tracking="1Z1")
    body = _client(agent).get(f"/api/v1/cases/{pe_case.pk}/replacement-orders").json()
    # The case has its replacement: a second one is not offered.
    assert body["may_raise"] is False and "already has a replacement" in body["reason"]
    assert body["orders"][0]["reference"] == order.reference
    assert body["orders"][0]["tracking_number"] == "1Z1"
    assert body["orders"][0]["delivery_target"] is not None
    body = _client(customer_user).get(f"/api/v1/cases/{pe_case.pk}/replacement-orders").json()
    assert body["may_raise"] is False and "role" in body["reason"]
    assert [o["reference"] for o in body["orders"]] == [order.reference]
    none_case = _open(customer_user, model, severity="S4")
    none_case.entitlement = "none"
    none_case.save(update_fields=["entitlement"])
    body = _client(agent).get(f"/api/v1/cases/{none_case.pk}/replacement-orders").json()
    assert body["may_raise"] is False and "not entitled" in body["reason"]


# --- 3. deadlines on the clock's calendar shown in the reader's zone (R-SUP-2) ----------------------------------


def test_format_in_clock_uses_the_zone_abbreviation_across_dst():
    ontario = calendar_for("CA", "CA-ON", "America/Toronto")
    before = datetime(2026, 3, 6, 15, 0, tzinfo=ZoneInfo("UTC"))
    after = datetime(2026, 3, 9, 14, 0, tzinfo=ZoneInfo("UTC"))
    assert clocks.format_in_clock(before, ontario) == "2026-03-06 10:00 EST"
    assert clocks.format_in_clock(after, ontario) == "2026-03-09 10:00 EDT"
    assert clocks.format_in_clock(after, clocks._24X7) == "2026-03-09 14:00 UTC"
    assert clocks.format_in_clock(None, ontario) == ""


def _when(moment, zone) -> str:
    """How a page writes a moment for a reader in ``zone`` (English): "2 Mar 2026 16:00 EST"."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y %H:%M} {local.tzname()}"


def test_r_sup_2_daas_deadlines_on_the_partner_calendar_shown_in_the_reader_zone(
    agent, partner_user, customer_user, pe_contract, daas_device, model
):
    """Deadlines are computed on their own calendar (the partner's business hours in
    Toronto) but shown in each reader's zone, zone named: an agent without a site or a
    setting reads UTC, one who chose Europe/Paris reads CET, the partner (its main
    site in Toronto) reads EST."""
    daas = _open(partner_user, model, device=daas_device.device, severity="S1")
    pe = _open(customer_user, model, severity="S1")
    assert daas.earliest_due.astimezone(TORONTO).tzname() == "EST"
    queue = _client(agent).get(reverse("support:queue")).content.decode()
    row = re.search(rf'data-reference="{daas.reference}">.*?</tr>', queue, re.S).group(0)
    assert _when(daas.earliest_due, ZoneInfo("UTC")) in row and "business hours" in row
    pe_row = re.search(rf'data-reference="{pe.reference}">.*?</tr>', queue, re.S).group(0)
    assert _when(pe.earliest_due, ZoneInfo("UTC")) in pe_row and "24×7" in pe_row

    agent.time_zone = "Europe/Paris"
    agent.save(update_fields=["time_zone"])
    page = _page(agent, daas)
    assert _when(daas.first_response_due, ZoneInfo("Europe/Paris")) in page
    assert "CET" in _when(daas.first_response_due, ZoneInfo("Europe/Paris"))
    assert "(America/Toronto)" in page  # the calendar the deadline runs on
    assert " UTC" not in page

    partner_page = _page(partner_user, daas)
    assert _when(daas.first_response_due, TORONTO) in partner_page


def test_daas_deadline_after_dst_change_reads_edt(agent, partner_user, partner, daas_device, model):
    # Opened Friday 6 March (EST); the S3 deadline (8 business hours) lands on Monday
    # 9 March, after the change to daylight saving time: a reader in Toronto reads EDT.
    case = _open(
        partner_user,
        model,
        device=daas_device.device,
        severity="S3",
        now=at("2026-03-06T20:00:00+00:00"),
    )
    local = case.earliest_due.astimezone(TORONTO)
    assert local.date().isoformat() == "2026-03-09" and local.tzname() == "EDT"
    agent.time_zone = "America/Toronto"
    agent.save(update_fields=["time_zone"])
    queue = _client(agent).get(reverse("support:queue")).content.decode()
    assert _when(case.earliest_due, TORONTO) in queue and "EDT" in queue


def test_api_queue_gives_the_clock_zone_and_local_deadline(
    agent, partner_user, customer_user, pe_contract, daas_device, model
):
    daas = _open(partner_user, model, device=daas_device.device, severity="S1")
    _open(customer_user, model, severity="S4")
    items = {i["reference"]: i for i in _client(agent).get("/api/v1/cases/queue").json()["items"]}
    item = items[daas.reference]
    assert item["clock_time_zone"] == "America/Toronto"
    local = datetime.fromisoformat(item["earliest_due_local"])
    assert local == daas.earliest_due and local.utcoffset().total_seconds() == -5 * 3600
    pe_item = next(i for i in items.values() if i["reference"] != daas.reference)
    assert pe_item["clock_time_zone"] == "UTC"
    detail = _client(agent).get(f"/api/v1/cases/{daas.pk}").json()
    assert detail["clock_time_zone"] == "America/Toronto"
    assert detail["earliest_due_local"] == item["earliest_due_local"]


# --- 4. the queue with htmx ------------------------------------------------------------


@pytest.fixture
def queue_cases(agent, customer_user, pe_contract, model):
    s1 = _open(customer_user, model, severity="S1", subject="Down")
    s3 = _open(customer_user, model, severity="S3", subject="Flaky")
    services.assign(s3, actor=agent, owner=agent)
    waiting = _open(customer_user, model, severity="S2", subject="Logs please")
    services.change_status(waiting, actor=agent, status="waiting_on_customer", note="Send logs")
    return s1, s3, waiting


def test_queue_page_refreshes_every_minute_with_htmx_and_no_inline_script(agent, queue_cases):
    page = _client(agent).get(reverse("support:queue")).content.decode()
    container = re.search(r'<div id="queue-table"[^>]*>', page).group(0)
    assert 'hx-trigger="every 60s"' in container
    assert f'hx-get="{reverse("support:queue")}"' in container
    form = re.search(r'<form[^>]*id="queue-filters"[^>]*>', page, re.S).group(0)
    assert 'hx-target="#queue-table"' in form and "hx-trigger=" in form
    assert not INLINE_SCRIPT.search(page), "inline script breaks the CSP"
    assert "hx-on" not in page and " onclick=" not in page and " onchange=" not in page


def test_queue_partial_for_htmx_and_filters(agent, queue_cases):
    s1, s3, waiting = queue_cases
    c = _client(agent)
    url = reverse("support:queue")
    r = c.get(url, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body and 'id="queue-table"' in body
    assert "HX-Request" in r["Vary"]
    assert all(case.reference in body for case in queue_cases)

    body = c.get(url, {"severity": "S1"}, HTTP_HX_REQUEST="true").content.decode()
    assert s1.reference in body and s3.reference not in body and waiting.reference not in body
    # the refreshed table keeps asking for the same filters
    assert f'hx-get="{url}?severity=S1"' in body

    body = c.get(url, {"status": "waiting_on_customer"}, HTTP_HX_REQUEST="true").content.decode()
    assert waiting.reference in body and s1.reference not in body

    body = c.get(url, {"mine": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert s3.reference in body and s1.reference not in body

    # without JavaScript the same filters reload the whole page
    page = c.get(url, {"severity": "S3"}).content.decode()
    assert "<html" in page and s3.reference in page and s1.reference not in page


def test_queue_partial_costs_constant_queries(
    agent,
    customer_user,
    partner_user,
    pe_contract,
    daas_device,
    model,
    django_assert_max_num_queries,
):
    c = _client(agent)
    url = reverse("support:queue")
    _open(customer_user, model, severity="S1")
    _open(partner_user, model, device=daas_device.device, severity="S1")
    c.get(url, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(12) as ctx:
        c.get(url, HTTP_HX_REQUEST="true")
    few = len(ctx.captured_queries)
    for _ in range(10):
        _open(customer_user, model, severity="S1")
        _open(partner_user, model, device=daas_device.device, severity="S2")
    with django_assert_max_num_queries(few):
        c.get(url, {"severity": "S1"}, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(few):
        c.get(url, HTTP_HX_REQUEST="true")


def test_api_queue_filters(agent, queue_cases):
    s1, s3, waiting = queue_cases
    c = _client(agent)
    refs = [i["reference"] for i in c.get("/api/v1/cases/queue?severity=S1").json()["items"]]
    assert refs == [s1.reference]
    refs = [
        i["reference"]
        for i in c.get("/api/v1/cases/queue?status=waiting_on_customer").json()["items"]
    ]
    assert refs == [waiting.reference]
    r = c.get("/api/v1/cases/queue?status=closed")
    assert r.status_code == 422 and "open cases only" in r.json()["detail"]
    r = c.get("/api/v1/cases/queue?severity=S9")
    assert r.status_code == 422 and "Unknown severity S9" in r.json()["detail"]


# --- 5. e-mail templates are translatable ----------------------------------------------

EMAIL_DIR = Path(clocks.__file__).parent / "templates" / "support" / "email"


@pytest.mark.parametrize("path", sorted(EMAIL_DIR.glob("*.txt")), ids=lambda p: p.name)
def test_email_template_marks_every_sentence_for_translation(path):
    text = path.read_text()
    assert text.startswith("{% load i18n %}")
    rest = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", text, flags=re.S)
    rest = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", rest, flags=re.S)
    words = set(re.findall(r"[A-Za-z]{2,}", rest)) - {"UTC"}
    assert not words, f"untranslated text in {path.name}: {sorted(words)}"
