"""core.lists: one filter definition per list, page and API; one paginator."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from fleetcare.core.lists import paginate
from fleetcare.fleet.filters import DeviceFilter
from fleetcare.fleet.models import Device
from fleetcare.support.filters import CaseFilter
from tests.factories import ProductModelFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def devices(customer):
    voice = ProductModelFactory(sku="CCX-500", category__code="voice")
    video = ProductModelFactory(sku="X50", category__code="video")
    made = []
    for i in range(3):
        for model, status in ((voice, "active"), (video, "retired")):
            made.append(
                Device.objects.create(
                    account=customer,
                    product_model=model,
                    serial_number=f"{model.sku}-{i}",
                    status=status,
                    first_seen_on="2026-01-01",
                    last_seen_on="2026-01-01",
                )
            )
    return made


def test_page_and_api_filter_the_same_way(customer_user, devices, api_client):
    query = {"category": "voice", "status": "active", "q": "ccx"}
    api = api_client.as_user(customer_user).get("/api/v1/fleet/devices", data=query).json()
    page = _client(customer_user).get("/fleet/", query)
    assert page.status_code == 200
    on_page = {d.serial_number for d in page.context["devices"]}
    assert (
        on_page
        == {d["serial_number"] for d in api["items"]}
        == {
            "CCX-500-0",
            "CCX-500-1",
            "CCX-500-2",
        }
    )


def test_a_bad_value_is_named_on_the_page_and_the_rest_applies(customer_user, devices):
    page = _client(customer_user).get(
        "/fleet/", {"category": "teleporter", "site_id": "abc", "status": "retired"}
    )
    assert page.status_code == 200
    texts = [str(m) for m in page.context["messages"]]
    assert "Category: “teleporter” is not a valid value; it was not applied." in texts
    assert "Site: “abc” is not a valid value; it was not applied." in texts
    assert {d.status for d in page.context["devices"]} == {"retired"}
    assert len(page.context["devices"]) == 3


def test_an_old_page_number_link_says_it_opened_the_first_page(customer_user, devices):
    client = _client(customer_user)
    page = client.get("/fleet/", {"page": "3", "page_size": "25", "status": "active"})
    assert page.status_code == 200
    texts = [str(m) for m in page.context["messages"]]
    assert "Pages are reached with Next and Previous: here is the first page." in texts
    assert {d.status for d in page.context["devices"]} == {"active"}  # the filter kept
    first = client.get("/fleet/", {"page": "1"})
    assert not [str(m) for m in first.context["messages"]]
    customer_user.language = "fr"
    customer_user.save(update_fields=["language"])
    french = client.get("/fleet/", {"page": "3"})
    assert "Les pages se parcourent avec Suivante et Précédente : voici la première page." in [
        str(m) for m in french.context["messages"]
    ]


def test_a_bad_value_in_the_api_is_a_422_that_names_the_field(customer_user, api_client):
    r = api_client.as_user(customer_user).get("/api/v1/fleet/devices?status=lost")
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["query.status"]
    r = api_client.as_user(customer_user).get(f"/api/v1/fleet/devices?site_id={2**70}")
    assert r.status_code == 422


def test_an_id_beyond_64_bits_on_a_page_is_a_message_not_a_500(customer_user, devices):
    page = _client(customer_user).get("/fleet/", {"account_id": str(2**70)})
    assert page.status_code == 200
    assert len(page.context["devices"]) == 6
    assert any("Account" in str(m) for m in page.context["messages"])


def test_blank_values_mean_no_filter():
    filters, errors = DeviceFilter.from_query({"category": "", "status": " ", "q": ""})
    assert errors == []
    assert filters.category is None and filters.status is None and filters.q is None


def test_a_page_default_applies_when_absent_blank_or_bad():
    assert CaseFilter.from_query({}, defaults={"status": "open"})[0].status == "open"
    assert CaseFilter.from_query({"status": ""}, defaults={"status": "open"})[0].status == "open"
    assert CaseFilter.from_query({"status": "all"}, defaults={"status": "open"})[0].status == "all"
    filters, errors = CaseFilter.from_query({"status": "lost"}, defaults={"status": "open"})
    assert filters.status == "open" and len(errors) == 1


def test_paginate_keeps_the_other_parameters_for_the_page_links():
    request = RequestFactory().get("/x", {"kind": "invoice", "status": "", "page": "2"})
    page = paginate(request, list(range(120)))
    assert page.number == 2 and list(page.object_list) == list(range(50, 100))
    assert page.query == "kind=invoice"
    for bad in ("abc", "0", "999999999999999999999999"):
        request = RequestFactory().get("/x", {"page": bad})
        assert paginate(request, list(range(120))).number in (1, 3)


def test_page_links_carry_the_filters(customer_user, customer):
    model = ProductModelFactory(sku="CCX-500", category__code="voice")
    Device.objects.bulk_create(
        Device(
            account=customer,
            product_model=model,
            serial_number=f"S{i}",
            first_seen_on="2026-01-01",
            last_seen_on="2026-01-01",
        )
        for i in range(55)
    )
    page = _client(customer_user).get("/fleet/", {"category": "voice", "status": ""})
    assert b'href="?category=voice&amp;order=model&amp;page_size=50&amp;cursor=' in page.content


def test_a_blank_choice_leaves_a_flag_at_its_default():
    from fleetcare.support.filters import QueueFilter

    filters, errors = QueueFilter.from_query({"mine": "", "severity": "", "status": ""})
    assert errors == [] and filters.mine is False and filters.severity is None
    assert QueueFilter.from_query({"mine": "1"})[0].mine is True


def test_the_page_message_is_in_the_readers_language(customer_user, devices):
    customer_user.language = "fr"
    customer_user.save(update_fields=["language"])
    page = _client(customer_user).get("/fleet/", {"status": "lost"})
    texts = [str(m) for m in page.context["messages"]]
    assert (
        "Statut : « lost » n’est pas une valeur valide ; ce filtre n’a pas été appliqué." in texts
    )


def test_counts_stop_at_the_cap_in_the_page_and_the_api(customer_user, customer, api_client):
    from fleetcare.core.keyset import COUNT_CAP

    model = ProductModelFactory(sku="CAP-1", category__code="voice")
    Device.objects.bulk_create(
        Device(
            account=customer,
            product_model=model,
            serial_number=f"CAP{i:05d}",
            first_seen_on="2026-01-01",
            last_seen_on="2026-01-01",
        )
        for i in range(COUNT_CAP + 2)
    )
    body = api_client.as_user(customer_user).get("/api/v1/fleet/devices").json()
    assert (body["count"], body["count_capped"]) == (COUNT_CAP, True)
    assert COUNT_CAP == 1_000  # the figures below are written for it
    page = _client(customer_user).get("/fleet/")
    assert "More than 1,000 results" in page.content.decode()
    customer_user.language = "fr"  # the count as a French reader writes it
    customer_user.save(update_fields=["language"])
    page = _client(customer_user).get("/fleet/")
    assert "Plus de 1\u202f000 résultats" in page.content.decode()
    # Exactly at the cap: exact, not "more than".
    Device.objects.filter(serial_number__in=["CAP00000", "CAP00001"]).delete()
    body = api_client.as_user(customer_user).get("/api/v1/fleet/devices").json()
    assert (body["count"], body["count_capped"]) == (COUNT_CAP, False)
    html = _client(customer_user).get("/fleet/").content.decode()
    assert "1\u202f000 résultats" in html and "Plus de" not in html
    customer_user.language = "en"
    customer_user.save(update_fields=["language"])
    html = _client(customer_user).get("/fleet/").content.decode()
    assert "1,000 results" in html and "More than" not in html


def test_counted_page_gives_rows_and_total_in_one_query(django_assert_num_queries):
    from fleetcare.core.lists import counted_page
    from fleetcare.organisations.models import Organisation

    Organisation.objects.bulk_create(
        Organisation(name=f"Counted {i:02d}", kind="customer", country="FR") for i in range(23)
    )
    qs = Organisation.objects.filter(name__startswith="Counted").order_by("name")
    with django_assert_num_queries(1):
        page = counted_page(qs, "2", per_page=10)
        assert [o.name for o in page] == [f"Counted {i:02d}" for i in range(10, 20)]
        assert (page.paginator.count, page.paginator.num_pages, page.number) == (23, 3, 2)
    assert [o.name for o in counted_page(qs, 3, per_page=10)] == [
        "Counted 20",
        "Counted 21",
        "Counted 22",
    ]
    beyond = counted_page(qs, 9, per_page=10)  # one past the end: the last page
    assert (beyond.number, len(beyond), beyond.paginator.count) == (3, 3, 23)
    assert counted_page(qs, "x", per_page=10).number == 1
    empty = counted_page(qs.none(), 4, per_page=10)
    assert (empty.number, len(empty), empty.paginator.count) == (1, 0, 0)
