"""R-MON-1: gapless numbers per series, proven with two OS processes issuing at once.

Runs on PostgreSQL (row locks with SELECT … FOR UPDATE); SQLite serialises writers on
the whole database, so there is nothing to prove there and the test is skipped.
"""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.db import connection

from fleetcare.billing.models import Document
from fleetcare.billing.services import LineSpec, create_document
from tests.billing.gapless_worker import issue_worker

N = 25


def _db_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r_mon_1_gapless_numbers_under_concurrent_issue(customer):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent issue needs PostgreSQL row locks; SQLite serialises all writers.")
    docs = [
        create_document(
            kind="invoice",
            purpose="options",
            account=customer,
            currency="EUR",
            title=f"Concurrent {i}",
            lines=[LineSpec("x", 1, Decimal("1.00"))],
        )
        for i in range(2 * N)
    ]
    ids = [d.pk for d in docs]
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    results = ctx.Queue()
    url = _db_url()
    procs = [
        ctx.Process(target=issue_worker, args=(url, ids[0::2], start, results)),
        ctx.Process(target=issue_worker, args=(url, ids[1::2], start, results)),
    ]
    for p in procs:
        p.start()
    start.set()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    errors = [n for batch in got for n in batch if n.startswith("ERROR")]
    assert not errors
    numbers = sorted(int(n.split("-")[1]) for batch in got for n in batch)
    assert numbers == list(range(1, 2 * N + 1))
    assert all(len(batch) == N for batch in got)
    assert Document.objects.filter(status="issued").count() == 2 * N
