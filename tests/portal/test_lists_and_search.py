"""Lists people can work with (issue 12 item 6, issue 10 device lists): sortable keyset
pages with a page size in the portal and the API, exports as filtered, serial search on
indexes, and the global search box, tenant-scoped (R-TEN-1)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from fleetcare.billing.models import Document
from fleetcare.fleet.models import Device
from fleetcare.support.models import Case
from tests.factories import api, make_case, voice_model

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _devices(account, model, n, prefix="SN"):
    Device.objects.bulk_create(
        Device(
            account=account,
            product_model=model,
            serial_number=f"{prefix}-{i:05d}",
            first_seen_on=date(2026, 1, 1),
            last_seen_on=date(2026, 1, 1) + timedelta(days=(i * 7) % 30),
        )
        for i in range(n)
    )


def _cases(customer, customer_user, n):
    model = voice_model()
    return [
        make_case(customer, customer_user, entitlement="none", product_model=model)
        for _ in range(n)
    ]


def _document(account, number, total, currency="EUR", status="issued"):
    return Document.objects.create(
        kind="invoice",
        purpose="options",
        status=status,
        number=number,
        account=account,
        addressed_to=account,
        currency=currency,
        title=f"Invoice {number}",
        total=Decimal(total),
    )


# --- keyset pages -----------------------------------------------------------------------


def test_r_flt_1_device_api_sorts_by_last_seen_and_walks_both_ways(
    models, customer, other_customer, admin_api
):
    _devices(customer, models["video"], 23)
    _devices(other_customer, models["video"], 5, prefix="OTHER")
    expected = list(
        Device.objects.filter(account=customer)
        .order_by("-last_seen_on", "-id")
        .values_list("id", flat=True)
    )
    seen, cursor, pages = [], None, []
    while True:
        query = {"order": "-last_seen", "page_size": 10} | ({"cursor": cursor} if cursor else {})
        body = admin_api.get("/api/v1/fleet/devices", query).json()
        assert body["order"] == "-last_seen" and body["count"] == 23
        pages.append(body)
        seen += [d["id"] for d in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and len(pages) == 3
    back = admin_api.get(
        "/api/v1/fleet/devices",
        {"order": "-last_seen", "page_size": 10, "cursor": pages[2]["prev_cursor"]},
    ).json()
    assert [d["id"] for d in back["items"]] == expected[10:20]


def test_r_flt_1_unknown_sort_page_size_or_cursor_is_a_clear_422_in_the_api(admin_api):
    for query, word in (
        ({"order": "account__name"}, "order"),
        ({"page_size": 501}, "page_size"),
        ({"cursor": "bm9wZQ"}, "cursor"),
        ({"page": 400, "page_size": 50}, "next_cursor"),
    ):
        response = admin_api.get("/api/v1/fleet/devices", query)
        assert response.status_code == 422, query
        assert word in response.json()["detail"]


def test_r_flt_1_portal_fleet_page_size_sort_and_constant_queries(
    models, customer, customer_user, django_assert_max_num_queries
):
    _devices(customer, models["video"], 30)
    _devices(customer, models["voice"], 30, prefix="V")
    c = _client(customer_user)
    first = c.get("/fleet/", {"page_size": 25, "order": "-model"})
    html = first.content.decode()
    assert html.count('<tr><td><a href="/fleet/devices/') == 25
    assert 'aria-sort="descending"' in html and "60 results" in html
    cursor = first.context["page_obj"].next_cursor
    with django_assert_max_num_queries(first_queries := len(_queries(c, "/fleet/"))):
        deep = c.get("/fleet/", {"page_size": 25, "order": "-model", "cursor": cursor})
    assert first_queries <= 14
    ids = [d.pk for d in deep.context["devices"]]
    assert ids == list(
        Device.objects.order_by("-account_id", "-product_model_id", "-id").values_list(
            "id", flat=True
        )[25:50]
    )
    # an unknown sort or size is named in a message; the page is still the list
    bad = c.get("/fleet/", {"order": "account__name", "page_size": "7"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "Unknown sort order" in text and "Page size" in text


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, data or {})
    return ctx.captured_queries


def test_r_flt_1_serial_search_exact_prefix_contains_and_sku(models, customer, admin_api):
    _devices(customer, models["video"], 12)
    video_sku = models["video"].sku

    def ids(q):
        return [
            d["serial_number"]
            for d in admin_api.get("/api/v1/fleet/devices", {"q": q}).json()["items"]
        ]

    assert ids("sn-00003") == ["SN-00003"]  # exact, any case
    assert sorted(ids("SN-0001")) == ["SN-00010", "SN-00011"]  # prefix
    assert sorted(ids("0011")) == ["SN-00011"]  # contains, from 3 characters
    assert ids("11") == []  # two characters: exact or prefix only
    assert len(ids(video_sku)) == 12  # exact SKU


def test_r_flt_1_model_and_category_filters(models, customer, admin_api):
    _devices(customer, models["video"], 4)
    _devices(customer, models["voice"], 3, prefix="V")
    by_model = admin_api.get(
        "/api/v1/fleet/devices", {"product_model_id": models["voice"].pk}
    ).json()
    by_category = admin_api.get("/api/v1/fleet/devices", {"category": "video"}).json()
    assert by_model["count"] == 3 and by_category["count"] == 4


def test_cases_list_sorted_by_reference_in_portal_and_api(customer, customer_user, agent):
    cases = _cases(customer, customer_user, 7)
    refs = sorted(c.reference for c in cases)
    body = api(agent).get("/api/v1/cases", {"order": "-reference", "page_size": 5}).json()
    assert [c["reference"] for c in body["items"]] == refs[::-1][:5]
    nxt = (
        api(agent)
        .get(
            "/api/v1/cases", {"order": "-reference", "page_size": 5, "cursor": body["next_cursor"]}
        )
        .json()
    )
    assert [c["reference"] for c in nxt["items"]] == refs[::-1][5:]
    page = _client(agent).get("/support/", {"order": "reference", "page_size": 25})
    html = page.content.decode()
    assert html.index(refs[0]) < html.index(refs[-1])
    assert 'href="/support/export/?order=reference&amp;format=csv"' in html


# --- exports -----------------------------------------------------------------------------


def test_case_export_is_the_list_as_filtered_in_the_readers_language(
    customer, customer_user, other_customer, other_customer_user
):
    mine = _cases(customer, customer_user, 3)
    _cases(other_customer, other_customer_user, 2)
    Case.objects.filter(pk=mine[0].pk).update(severity="S1")
    c = _client(customer_user)
    response = c.get("/support/export/", {"format": "csv", "severity": "S1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Case", "Subject"] and [r[0] for r in rows[1:]] == [mine[0].reference]
    c.cookies["django_language"] = "fr"
    fr = c.get("/support/export/", {"format": "csv", "order": "reference", "status": "all"})
    rows = list(csv.reader(io.StringIO(b"".join(fr.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Dossier"
    assert sorted(r[0] for r in rows[1:]) == sorted(c.reference for c in mine)
    assert c.get("/support/export/", {"format": "pdf"}).status_code == 400


def test_document_export_xlsx_has_amounts_as_numbers_and_written_in_the_currency(
    customer, customer_user, other_customer
):
    _document(customer, "INV-000001", "1234.50", "EUR")
    _document(customer, "INV-000002", "99.00", "EUR", status="draft")  # not the customer's
    _document(other_customer, "INV-000003", "10.00", "USD")
    c = _client(customer_user)
    c.cookies["django_language"] = "fr"
    response = c.get("/billing/export/", {"format": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "INV-000001"
    assert rows[1][7] == 1234.5 and rows[1][8] == "EUR"
    assert rows[1][9].replace("\u202f", " ").replace("\xa0", " ") == "1 234,50 €"


# --- global search -----------------------------------------------------------------------


def test_r_ten_1_global_search_finds_each_kind_and_never_another_tenants(
    models, customer, customer_user, other_customer, other_customer_user
):
    _devices(customer, models["video"], 3, prefix="ACME")
    _devices(other_customer, models["video"], 3, prefix="GLOBEX")
    mine = _cases(customer, customer_user, 1)[0]
    theirs = _cases(other_customer, other_customer_user, 1)[0]
    _document(customer, "INV-100001", "5.00")
    _document(other_customer, "INV-100002", "5.00", "USD")
    a = api(customer_user)

    def kinds(q):
        return {
            (h["kind"], h["label"]) for h in a.get("/api/v1/search", {"q": q}).json()["results"]
        }

    assert kinds("acme-0000") == {("device", f"ACME-0000{i}") for i in range(3)}
    assert kinds("GLOBEX") == set()  # another tenant's serials are never found
    assert ("case", mine.reference) in kinds(mine.reference)
    assert kinds(theirs.reference) == set()
    assert {k for k, _ in kinds("INV-1000")} == {"document"} and len(kinds("INV-1000")) == 1
    assert ("organisation", "Acme SA") in kinds("Acme")
    assert kinds("Globex") == set()
    body = a.get("/api/v1/search", {"q": "acme-00001"}).json()
    assert body["exact"]["kind"] == "device" and body["exact"]["label"] == "ACME-00001"


def test_global_search_opens_an_exact_reference_and_lists_otherwise(
    customer, customer_user, agent, django_assert_max_num_queries
):
    case = _cases(customer, customer_user, 2)[0]
    c = _client(agent)
    response = c.get("/search/", {"q": case.reference.lower()})
    assert response.status_code == 302 and response["Location"] == f"/support/cases/{case.pk}/"
    listed = c.get("/search/", {"q": case.reference[:4]})
    assert listed.status_code == 200 and case.reference in listed.content.decode()
    with django_assert_max_num_queries(len(_queries(c, "/search/", {"q": "C-T"}))):
        c.get("/search/", {"q": "Acme"})


def test_global_search_only_the_kinds_the_role_may_see(customer, other_customer, agent):
    from fleetcare.portal.search import search

    _document(customer, "INV-200001", "5.00")
    # support agents have no documents menu: documents are not searched for them
    assert [h.kind for h in search(actor=agent, q="INV-2000").hits] == []


def test_r_flt_1_category_of_several_models_pages_in_order_both_ways(
    customer, customer_user, admin_api
):
    from tests.factories import ProductModelFactory

    models = [ProductModelFactory(sku=f"VID-{i}", category__code="video") for i in range(3)]
    other = ProductModelFactory(sku="VOI-1", category__code="voice")
    for i, m in enumerate([*models, other]):
        _devices(customer, m, 7, prefix=f"M{i}")
    expected = list(
        Device.objects.filter(product_model__category__code="video")
        .order_by("account_id", "product_model_id", "id")
        .values_list("id", flat=True)
    )
    for order, exp in (("model", expected), ("-model", expected[::-1])):
        seen, cursor, bodies = [], None, []
        while True:
            query = {"category": "video", "order": order, "page_size": 5}
            body = admin_api.get(
                "/api/v1/fleet/devices", query | ({"cursor": cursor} if cursor else {})
            ).json()
            bodies.append(body)
            seen += [d["id"] for d in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == exp and len(bodies) == 5
        back = admin_api.get(
            "/api/v1/fleet/devices",
            {
                "category": "video",
                "order": order,
                "page_size": 5,
                "cursor": bodies[3]["prev_cursor"],
            },
        ).json()
        assert [d["id"] for d in back["items"]] == exp[10:15]


def test_replacement_orders_sorted_paged_and_exported_as_filtered(
    customer, customer_user, agent, ops
):
    from fleetcare.replacements import services as rma
    from tests.factories import pe_contract, pe_device

    model = voice_model()
    contract = pe_contract(customer)
    orders = []
    for _ in range(3):
        case = make_case(
            customer,
            customer_user,
            entitlement="account_wide",
            product_model=model,
            device=pe_device(customer, model),
            contract=contract,
        )
        orders.append(
            rma.request_replacement(
                actor=agent, case=case, cause="hardware_fault", delivery_site=customer.sites.first()
            )
        )
    refs = sorted(o.reference for o in orders)
    a = api(ops)
    first = a.get("/api/v1/replacements", {"order": "-reference", "page_size": 2}).json()
    rest = a.get(
        "/api/v1/replacements",
        {"order": "-reference", "page_size": 2, "cursor": first["next_cursor"]},
    ).json()
    got = [o["reference"] for o in first["items"] + rest["items"]]
    assert got == refs[::-1] and rest["next_cursor"] is None
    assert a.get("/api/v1/replacements", {"order": "total"}).status_code == 422
    response = _client(ops).get(
        "/replacements/export/", {"format": "csv", "order": "reference", "status": "requested"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == refs
    none = _client(ops).get("/replacements/export/", {"format": "csv", "status": "closed"})
    assert len(list(csv.reader(io.StringIO(b"".join(none.streaming_content).decode())))) == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")
def test_r_flt_1_serial_searches_have_their_indexes_on_postgresql(models, customer):
    from fleetcare.fleet.filters import DeviceFilter

    _devices(customer, models["video"], 5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE fleet_device")
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'fleet_device'")
        names = {row[0] for row in cur.fetchall()}
        cur.execute("SET LOCAL enable_seqscan = off")
        assert {"fleet_device_serial", "fleet_device_serial_trgm"} <= names
        prefix = DeviceFilter(q="SN-0001").filter(Device.objects.all())
        contains = DeviceFilter(q="4321").filter(Device.objects.all())
        assert "fleet_device_serial" in prefix.explain()
        # ILIKE on the bare column (no UPPER()), the form the trigram index answers; the
        # planner picks that index at scale (bench/fleet_lists.py: 317 buffers of 1 M rows)
        sql = str(contains.query)
        assert "ILIKE %4321%" in sql and "UPPER(" not in sql
