"""Liveness and readiness probes, and load shedding.

``/healthz``: the process answers (nothing else is touched). ``/readyz``: the database
answers, the broker answers when ``CELERY_BROKER_URL`` is set, the cache answers when
it is shared (Redis), and the file storage takes a write. Both answer JSON, need no
login, are exempt from the SSL redirect and answer whatever the ``Host`` header says
(a load balancer probes by IP): the middleware answers them before anything reads the
host, the session or the user.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse, JsonResponse

PROBES = {"/healthz", "/healthz/", "/readyz", "/readyz/"}


def _timed(check: Callable[[], None]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # a probe reports every failure, it never raises
        status: dict[str, object] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    else:
        status = {"ok": True}
    status["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return status


def check_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        client = getattr(conn.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):  # Redis: prove it answers
            client.ping()


def check_cache() -> None:
    from django.core.cache import cache

    key = f"fleetcare:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)


def check_storage() -> None:
    from django.core.files.storage import default_storage

    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def readiness() -> tuple[bool, dict[str, dict[str, object]]]:
    checks = {"database": _timed(check_database)}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _timed(check_broker)
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        checks["cache"] = _timed(check_cache)
    checks["storage"] = _timed(check_storage)
    return all(c["ok"] for c in checks.values()), checks


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    ok, checks = readiness()
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


class HealthCheckMiddleware:
    """Answers the probes first: no host check, no session, no login, no redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in PROBES and request.method in {"GET", "HEAD"}:
            response = healthz(request) if request.path.startswith("/healthz") else readyz(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


def _overloaded() -> HttpResponse:
    response = JsonResponse(
        {"status": 503, "title": "Service Unavailable", "detail": "Busy: retry in a second."},
        status=503,
        content_type="application/problem+json",
    )
    response["Retry-After"] = "1"
    return response


class ConcurrencyLimitMiddleware:
    """Sheds load: beyond FLEETCARE_MAX_INFLIGHT requests in this process, a quick 503.

    A threaded server process admits that many requests at once; the next ones get 503
    with ``Retry-After`` immediately rather than waiting for a slot. The probes are
    answered before this middleware, so an overloaded server still reports itself alive.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        limit = settings.FLEETCARE_MAX_INFLIGHT
        self.slots = threading.BoundedSemaphore(limit) if limit > 0 else None

    def __call__(self, request):
        if self.slots is None:
            return self.get_response(request)
        if not self.slots.acquire(blocking=False):
            return _overloaded()
        try:
            return self.get_response(request)
        finally:
            self.slots.release()
