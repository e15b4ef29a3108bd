"""R-FLT-1: a list filtered to a few models (a category) is read one index range per
model on PostgreSQL (``core.keyset._split_rows``): its pages, forward and back, in every
sort the fleet list offers, are exactly the list's rows in order, once each."""

from __future__ import annotations

import pytest
from django.db import connection

from fleetcare.core import keyset
from fleetcare.fleet.filters import DEVICE_SORTS
from fleetcare.fleet.models import Device
from tests.factories import CategoryFactory, ProductModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def split_fleet(customer, other_customer):
    video = CategoryFactory(code="video")
    a, b, c, other = (
        ProductModelFactory(sku=sku, category=video) for sku in ("V-A", "V-B", "V-C", "V-D")
    )
    rows = []
    # Interleaved ids, uneven counts, a model with one device, dates that repeat.
    for i in range(23):
        model = (a, b, a, c if i == 11 else b)[i % 4]
        rows.append(
            Device(
                account=customer,
                product_model=model,
                serial_number=f"S{i:03d}",
                first_seen_on="2026-01-01",
                last_seen_on=f"2026-03-{1 + i % 5:02d}",
            )
        )
    rows.append(  # another model of the account, outside the filter
        Device(
            account=customer,
            product_model=other,
            first_seen_on="2026-01-01",
            last_seen_on="2026-01-01",
        )
    )
    rows.append(  # another account's device of a filtered model
        Device(
            account=other_customer,
            product_model=a,
            first_seen_on="2026-01-01",
            last_seen_on="2026-01-01",
        )
    )
    Device.objects.bulk_create(rows)
    return Device.objects.filter(account=customer, product_model_id__in=[a.pk, b.pk, c.pk])


@pytest.mark.parametrize("order", [s.key for s in DEVICE_SORTS.options])
def test_r_flt_1_pages_of_a_few_models_are_the_list_in_order_forward_and_back(
    split_fleet, order, django_assert_max_num_queries
):
    qs = split_fleet
    sort = DEVICE_SORTS.get(order)
    if connection.vendor == "postgresql" and "model" in order:  # the path under test
        assert keyset._split_column(qs, sort) is not None
    expected = list(qs.order_by(*sort.fields).values_list("id", flat=True))
    assert len(expected) == 23

    pages, cursor = [], None
    while True:
        with django_assert_max_num_queries(3):  # keys, rows, count: whatever the page
            page = keyset.fetch_page(qs, sort, size=4, cursor=cursor)
        pages.append([d.pk for d in page.object_list])
        assert page.count == 23 and not page.count_capped
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [pk for p in pages for pk in p] == expected
    assert [len(p) for p in pages] == [4, 4, 4, 4, 4, 3]

    # Back from the last page, by the previous-page cursors.
    back, cursor = [pages[-1]], page.prev_cursor
    while cursor is not None:
        page = keyset.fetch_page(qs, sort, size=4, cursor=cursor)
        back.append([d.pk for d in page.object_list])
        cursor = page.prev_cursor
    assert back[::-1] == pages


def test_r_flt_1_a_cursor_inside_one_model_skips_the_models_before_it(split_fleet):
    qs = split_fleet
    sort = DEVICE_SORTS.default
    expected = list(qs.order_by(*sort.fields))
    at = expected[9]  # somewhere in the second model's range
    cursor = keyset.encode_cursor(sort, tuple(getattr(at, c) for c in sort.columns))
    page = keyset.fetch_page(qs, sort, size=50, cursor=cursor)
    assert [d.pk for d in page.object_list] == [d.pk for d in expected[10:]]
    assert page.next_cursor is None and page.prev_cursor is not None
