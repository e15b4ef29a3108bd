"""The Celery task path of a webhook: a real worker on Redis sends the delivery, the real
receiver answers 500, the task retries itself after its back-off and the second attempt
is delivered. Needs PostgreSQL (shared with the worker) and Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection, transaction

from fleetcare.webhooks import events, services
from fleetcare.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.core.test_celery import REDIS_HOST, REDIS_PORT, _redis_answers
from tests.fleet.test_import_worker import _reset_connections, _stop, _wait

BROKER = f"redis://{REDIS_HOST}:{REDIS_PORT}/8"


def _worker(env: dict, queue: str) -> subprocess.Popen:
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    return subprocess.Popen(
        [celery, "-A", "fleetcare.config", "worker", "--pool=solo", "-Q", queue]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_after_a_500_and_delivers(
    customer_user, customer, other_customer, receiver, settings, tmp_path
):
    if not _redis_answers():
        if os.environ.get("FLEETCARE_REQUIRE_REDIS"):
            pytest.fail("FLEETCARE_REQUIRE_REDIS is set but no Redis answers on 127.0.0.1:6379")
        pytest.skip("no Redis answers on 127.0.0.1:6379 (CI runs this test with Redis)")
    if connection.vendor != "postgresql":
        pytest.skip("the worker must share the test database: run with a PostgreSQL DATABASE_URL")
    from fleetcare.config.celery import app

    queue = f"test-webhooks-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "",
        "WEBHOOK_BACKOFF_SECONDS": "1",
        "WEBHOOK_ALLOW_PRIVATE_HOSTS": "1",
        "FLEETCARE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
    }
    old = (
        app.conf.broker_url,
        app.conf.task_always_eager,
        app.conf.result_backend,
        app.conf.task_default_queue,
    )
    app.conf.broker_url, app.conf.task_always_eager = BROKER, False
    app.conf.result_backend, app.conf.task_default_queue = None, queue
    _reset_connections(app)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    endpoint = services.create_endpoint(
        customer_user, customer, url=receiver.url, events=["case.created"]
    )
    receiver.plan = [500]
    worker = _worker(env, queue)
    try:
        with transaction.atomic():  # sent when the transaction commits
            events.emit("case.created", [customer.pk], {"case_id": 7})
            events.emit("case.created", [other_customer.pk], {"case_id": 8})
        delivered = _wait(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).first(),
            90,
            "the retried delivery",
        )
    finally:
        _stop(worker)
        app.conf.broker_url, app.conf.task_always_eager = old[0], old[1]
        app.conf.result_backend, app.conf.task_default_queue = old[2], old[3]
        _reset_connections(app)
    assert delivered.endpoint_id == endpoint.pk
    assert (delivered.attempts, delivered.response_code) == (2, 200)
    # Two attempts of one event, each signed; the other tenant's event never came.
    assert len(receiver.requests) == 2
    assert {json.loads(r["body"])["id"] for r in receiver.requests} == {str(delivered.event_id)}
    assert all(r["headers"].get("Fleetcare-Signature") for r in receiver.requests)
    assert WebhookDelivery.objects.count() == 1
