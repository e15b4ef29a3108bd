"""/healthz and /readyz, request ids and JSON logs, the load-shedding limit."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from django.test import override_settings

from fleetcare.core import health
from fleetcare.core.logs import JsonFormatter, RequestIdFilter, request_id_var


def test_healthz_answers_without_login_database_or_allowed_host(client):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_checks_database_and_storage(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage"}
    assert all(c["ok"] and c["ms"] < 1000 for c in body["checks"].values())
    assert list((tmp_path / "media" / "readyz").iterdir()) == []  # its probe file is gone


@pytest.mark.django_db
def test_readyz_fails_when_media_storage_is_not_writable(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = blocker / "media"  # cannot be created: its parent is a file
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] and not body["checks"]["storage"]["ok"]
    assert body["checks"]["storage"]["error"]


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_broker(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    # bounded (one attempt, 2 s timeout), not a speed test: loose on a loaded machine
    assert not broker["ok"] and broker["ms"] < 15000


@pytest.mark.django_db
def test_readyz_checks_a_real_redis_broker_and_cache(client, settings, tmp_path):
    from tests.core.test_celery import _redis_answers

    if not _redis_answers():
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/13"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert set(response.json()["checks"]) == {"database", "broker", "cache", "storage"}


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_probes_are_exempt_from_the_ssl_redirect(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_request_id_is_kept_or_made_up(client):
    response = client.get("/login/", HTTP_X_REQUEST_ID="lb-1234")
    assert response["X-Request-ID"] == "lb-1234"
    made_up = client.get("/login/", HTTP_X_REQUEST_ID="bad id with spaces\n")["X-Request-ID"]
    assert made_up != "bad id with spaces\n" and len(made_up) == 32


def test_json_log_lines_carry_the_request_id():
    record = logging.makeLogRecord(
        {
            "name": "fleetcare.test",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "case %s breached",
            "args": ("C-1",),
            "status": 200,
        }
    )
    token = request_id_var.set("req-42")
    try:
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "case C-1 breached"
    assert line["request_id"] == "req-42"
    assert line["level"] == "WARNING" and line["logger"] == "fleetcare.test"
    assert line["status"] == 200 and line["time"].endswith("+00:00")


def test_access_log_line_per_request(client, caplog, db):
    with caplog.at_level(logging.INFO, logger="fleetcare.access"):
        client.get("/login/", HTTP_X_REQUEST_ID="trace-7")
    [record] = [r for r in caplog.records if r.name == "fleetcare.access"]
    assert (record.method, record.path, record.status) == ("GET", "/login/", 200)
    assert record.request_id == "trace-7" and record.duration_ms >= 0


def test_concurrency_limit_answers_503_at_once_beyond_the_limit(rf, settings):
    settings.FLEETCARE_MAX_INFLIGHT = 1
    entered, release = threading.Event(), threading.Event()

    def view(request):
        entered.set()
        release.wait(10)
        from django.http import HttpResponse

        return HttpResponse("done")

    middleware = health.ConcurrencyLimitMiddleware(view)
    answers = []
    first = threading.Thread(target=lambda: answers.append(middleware(rf.get("/"))))
    first.start()
    assert entered.wait(10)
    busy = middleware(rf.get("/"))
    assert busy.status_code == 503 and busy["Retry-After"] == "1"
    assert busy["Content-Type"] == "application/problem+json"
    release.set()
    first.join(10)
    assert answers[0].status_code == 200
    assert middleware(rf.get("/")).status_code == 200  # the slot is free again
