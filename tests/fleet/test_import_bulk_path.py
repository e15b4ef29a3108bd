"""R-FLT-2 / R-FLT-4 at scale: the set-based serial check, the bulk path's reference check
with the per-row FK triggers skipped, and the partial ``replaced_by`` index."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from fleetcare.fleet import importing
from fleetcare.fleet.importing.validation import serials_of_other_accounts
from fleetcare.fleet.models import Device

pytestmark = pytest.mark.django_db

PG = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


def _device(account, model, serial=None):
    return Device.objects.create(
        account=account,
        product_model=model,
        serial_number=serial,
        first_seen_on="2026-01-01",
        last_seen_on="2026-01-01",
    )


def test_r_flt_4_set_based_serial_check_names_the_rows_of_other_accounts_serials(
    models, customer, other_customer
):
    video, voice = models["video"], models["voice"]
    _device(other_customer, video, "TAKEN")
    _device(other_customer, voice, "SAME-ON-OTHER-MODEL")
    _device(customer, video, "MINE")
    serials = {
        (video.pk, "TAKEN"): (3, customer.pk),  # another account's device: refused
        (video.pk, "MINE"): (4, customer.pk),  # the account's own device: fine
        (video.pk, "SAME-ON-OTHER-MODEL"): (5, customer.pk),  # other model: fine
        (voice.pk, "FREE"): (6, customer.pk),
    }
    errors = serials_of_other_accounts(serials)
    assert [(e["row"], e["column"]) for e in errors] == [(3, "serial_number")]
    assert serials_of_other_accounts({}) == []


@PG
def test_r_flt_2_bulk_path_skips_fk_triggers_and_restores_them(models, customer):
    with transaction.atomic():
        assert importing.skip_fk_triggers() is True  # the test role is superuser
        with connection.cursor() as cur:
            cur.execute("SHOW session_replication_role")
            assert cur.fetchone()[0] == "replica"
        importing.restore_fk_triggers()
        with connection.cursor() as cur:
            cur.execute("SHOW session_replication_role")
            assert cur.fetchone()[0] == "origin"


@PG
def test_r_flt_2_bulk_path_without_the_privilege_falls_back_to_the_triggers(models):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE ROLE fleet_plain_importer NOLOGIN")
        cur.execute("SET LOCAL ROLE fleet_plain_importer")
        assert importing.skip_fk_triggers() is False
        cur.execute("SHOW session_replication_role")
        assert cur.fetchone()[0] == "origin"
        transaction.set_rollback(True)


@PG
def test_r_flt_2_reference_check_refuses_a_bad_reference_with_triggers_skipped(models, customer):
    """A device written under ``session_replication_role = replica`` with a product model
    that does not exist is not caught by any trigger: the set-based check refuses it."""
    analysis = importing.Analysis()
    analysis.counts[customer.pk][10**9] = 1  # a model id nobody has
    with transaction.atomic():
        assert importing.skip_fk_triggers()
        with connection.cursor() as cur:  # the trigger would refuse this; replica does not
            cur.execute(
                "INSERT INTO fleet_device (created_at, updated_at, account_id, product_model_id,"
                " firmware_version, first_seen_on, last_seen_on, status) "
                "VALUES (now(), now(), %s, %s, '', CURRENT_DATE, CURRENT_DATE, 'active')",
                [customer.pk, 10**9],
            )
        with pytest.raises(importing.ImportRejected):
            importing.lock_references(analysis)
        transaction.set_rollback(True)
    assert not Device.objects.filter(product_model_id=10**9).exists()


@PG
def test_reference_check_accepts_the_file_references(models, customer):
    analysis = importing.Analysis()
    analysis.counts[customer.pk][models["video"].pk] = 2
    with transaction.atomic():
        importing.lock_references(analysis)


def test_r_flt_2_import_on_the_bulk_path_writes_valid_devices(models, admin_api, customer):
    from tests.factories import csv_bytes, upload

    r = upload(admin_api, csv_bytes([{"sku": "STUDIO-X50", "serial_number": "B1"}]))
    assert r.status_code == 201, r.content
    d = Device.objects.get(serial_number="B1")
    assert d.account_id == customer.pk and d.product_model_id == models["video"].pk
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW session_replication_role")
            assert cur.fetchone()[0] == "origin"


@PG
def test_replaced_by_uniqueness_is_a_partial_index(models, customer):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'fleet_device' "
            "AND indexdef LIKE '%%replaced_by_id%%'"
        )
        defs = [r[0] for r in cur.fetchall()]
    assert len(defs) == 1 and "UNIQUE" in defs[0] and "IS NOT NULL" in defs[0], defs
    a, b, c = (_device(customer, models["video"]) for _ in range(3))
    a.replaced_by = c
    a.save()
    from django.db import IntegrityError

    b.replaced_by = c
    with pytest.raises(IntegrityError), transaction.atomic():
        b.save()


def test_r_flt_1_device_list_keyset_pages_cover_the_list_once_at_constant_cost(
    models, admin_api, customer, other_customer, django_assert_max_num_queries
):
    for i in range(7):
        _device(customer, models["video" if i % 3 else "voice"])
    _device(other_customer, models["video"])  # not visible to the customer admin
    expected = list(
        Device.objects.filter(account=customer)
        .order_by("account_id", "product_model_id", "id")
        .values_list("id", flat=True)
    )
    seen, cursor, pages = [], None, 0
    while True:
        query = {"page_size": 3} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(8):
            body = admin_api.get("/api/v1/fleet/devices", query).json()
        assert body["count"] == 7 and body["count_capped"] is False
        seen += [d["id"] for d in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and pages == 3
    # page numbers still work for existing clients
    page2 = admin_api.get("/api/v1/fleet/devices", {"page_size": 3, "page": 2}).json()
    assert [d["id"] for d in page2["items"]] == expected[3:6]
    assert admin_api.get("/api/v1/fleet/devices", {"cursor": "nope!"}).status_code == 422
