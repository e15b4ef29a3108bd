"""core.numbering: references from a locked series, started from the highest in use."""

from __future__ import annotations

import importlib
import multiprocessing

import pytest
from django.apps import apps
from django.db import connection, transaction

from fleetcare.core.models import ReferenceSeries
from fleetcare.core.numbering import next_reference
from tests.core.numbering_worker import take_worker

N = 25


@pytest.mark.django_db
def test_next_reference_counts_up_per_series():
    with transaction.atomic():
        assert next_reference("replacement_order") == "RMA-000001"
        assert next_reference("replacement_order") == "RMA-000002"
        assert next_reference("daas_subscription") == "DAAS-000001"
        assert next_reference("support_case") == "CASE-000001"
        assert next_reference("other", "X/", 3) == "X/001"
    assert ReferenceSeries.objects.get(code="replacement_order").last_value == 2


@pytest.mark.django_db
def test_a_rolled_back_request_gives_its_number_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_reference("replacement_order") == "RMA-000001"
        raise RuntimeError("refused")
    with transaction.atomic():
        assert next_reference("replacement_order") == "RMA-000001"


@pytest.mark.django_db(transaction=True)
def test_next_reference_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        next_reference("replacement_order")


@pytest.mark.django_db
def test_unknown_series_needs_a_prefix():
    with pytest.raises(ValueError, match="no known prefix"), transaction.atomic():
        next_reference("nobody_knows")


@pytest.fixture
def one_of_each(customer, customer_user, partner, daas_customer, vendor_user):
    """A real case, DaaS subscription and replacement order (references set by hand)."""
    from datetime import date

    from fleetcare.daas.models import Subscription
    from fleetcare.replacements import services as rma
    from tests.factories import at, make_case, pe_contract, pe_device, voice_model

    model = voice_model()
    device = pe_device(customer, model)
    case = make_case(
        customer,
        customer_user,
        entitlement="account_wide",
        product_model=model,
        device=device,
        contract=pe_contract(customer, start=date(2026, 1, 1)),
    )
    order = rma.request_replacement(
        actor=vendor_user("support_agent"),
        case=case,
        cause="hardware_fault",
        delivery_site=customer.sites.first(),
        now=at("2026-04-27 09:00"),
    )
    sub = Subscription.objects.create(
        reference="DS-0001",
        partner=partner,
        customer=daas_customer,
        site=daas_customer.sites.first(),
        term_months=36,
        currency="CAD",
    )
    return {"support": case, "replacements": order, "daas": sub}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("app", "migration", "code"),
    [
        ("replacements", "0003_reference_series", "replacement_order"),
        ("daas", "0004_reference_series", "daas_subscription"),
        ("support", "0005_reference_series", "support_case"),
    ],
)
def test_the_data_migration_starts_each_series_after_the_highest_reference(
    app, migration, code, one_of_each
):
    module = importlib.import_module(f"fleetcare.{app}.migrations.{migration}")
    row = one_of_each[app]
    type(row).objects.filter(pk=row.pk).update(reference=f"{module.PREFIX}000041")
    ReferenceSeries.objects.filter(code=code).delete()
    module.start_series(apps, None)
    assert ReferenceSeries.objects.get(code=code).last_value == 41
    module.start_series(apps, None)  # running it again changes nothing
    assert ReferenceSeries.objects.get(code=code).last_value == 41
    with transaction.atomic():
        assert next_reference(code) == f"{module.PREFIX}000042"


@pytest.mark.django_db
def test_the_data_migration_ignores_references_of_another_shape(one_of_each):
    module = importlib.import_module("fleetcare.support.migrations.0005_reference_series")
    case = one_of_each["support"]
    type(case).objects.filter(pk=case.pk).update(reference="CASE-12a")
    ReferenceSeries.objects.filter(code="support_case").delete()
    module.start_series(apps, None)
    assert ReferenceSeries.objects.get(code="support_case").last_value == 0


def _db_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_taking_references_at_once_never_share_one():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent takes need PostgreSQL row locks; SQLite serialises all writers.")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    results = ctx.Queue()
    url = _db_url()
    procs = [
        ctx.Process(target=take_worker, args=(url, "replacement_order", N, start, results))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    start.set()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    refs = [r for batch in got for r in batch]
    assert not [r for r in refs if r.startswith("ERROR")]
    assert sorted(refs) == [f"RMA-{n:06d}" for n in range(1, 2 * N + 1)]
