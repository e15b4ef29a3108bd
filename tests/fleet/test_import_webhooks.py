"""import.finished for an import of many accounts: one delivery per snapshot and endpoint
that wants it (the account's own, the vendor's), the endpoints looked up once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fleetcare.fleet.models import InventorySnapshot
from fleetcare.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import csv_bytes

pytestmark = pytest.mark.django_db


def test_r_flt_2_multi_account_import_announces_each_snapshot_once(
    models,
    customer,
    other_customer,
    vendor,
    vendor_user,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    vendor_user("vendor_admin")
    mine = WebhookEndpoint.objects.create(
        organisation=customer, url="https://example.com/a", events=["import.finished"]
    )
    WebhookEndpoint.objects.create(  # does not want it
        organisation=other_customer, url="https://example.com/b", events=["case.created"]
    )
    staff = WebhookEndpoint.objects.create(
        organisation=vendor, url="https://example.com/v", events=["import.finished"]
    )
    f = tmp_path / "multi.csv"
    f.write_bytes(
        csv_bytes(
            [
                {"account": customer.account_number, "sku": "CCX-500"},
                {"account": other_customer.account_number, "sku": "STUDIO-X50"},
            ],
            columns=("account", "sku"),
        )
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("import_fleet", str(f))
    assert len(callbacks) == 1  # one dispatch for every snapshot
    snaps = {s.account_id: s.pk for s in InventorySnapshot.objects.all()}
    got = sorted((d.endpoint_id, d.payload["import_id"]) for d in WebhookDelivery.objects.all())
    assert got == sorted(
        [
            (mine.pk, snaps[customer.pk]),
            (staff.pk, snaps[customer.pk]),
            (staff.pk, snaps[other_customer.pk]),
        ]
    )
