"""Periodic jobs: idempotent "catch up to now" functions.

An app declares a job in its ``jobs.py``::

    from fleetcare.core.jobs import periodic_job

    @periodic_job("support.sla_breaches")
    def mark_breaches(now):
        ...
        return {"breached": 3}

``fleetcare jobs run`` runs every registered job once (in name order); the same
function runs from cron or as the Celery task ``fleetcare.run_job``, which Celery beat
sends on the schedule in ``SCHEDULE`` (``celery -A fleetcare.config beat``). Running a
job twice changes nothing the second time.

A job never runs twice at once, whoever starts it (two beats, two crons, a beat and a
cron): on PostgreSQL ``run_job`` holds ``pg_try_advisory_lock`` on the job's name for
the run (released by the database if the process dies); elsewhere it claims the job's
``JobRun`` row with one conditional UPDATE (a claim older than ``LOCK_STALE_AFTER`` is
taken over). A job already running elsewhere is skipped and reported as
``{"skipped": "already running"}``.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.utils import timezone

JobFunc = Callable[[datetime], Any]
REGISTRY: dict[str, JobFunc] = {}
SKIPPED = {"skipped": "already running"}

# Seconds between two runs under Celery beat. A job not named here runs every
# DEFAULT_EVERY seconds; FLEETCARE_JOB_EVERY_<NAME> (dots as underscores, upper case,
# e.g. FLEETCARE_JOB_EVERY_SUPPORT_SLA_BREACHES=60) overrides one job.
DEFAULT_EVERY = 15 * 60
SCHEDULE: dict[str, int] = {
    "core.heartbeat": 5 * 60,
    "support.sla_breaches": 5 * 60,  # breach warnings must go out promptly
    "replacements.overdue_returns": 60 * 60,
    "contracts.month_end_adjustments": 60 * 60,  # catch-up: month end is picked up within the hour
    "billing.daas_monthly_invoices": 60 * 60,
    "fleet.stale_imports": 15 * 60,
}
# A claim (non-PostgreSQL lock) older than this is taken to be from a dead process.
LOCK_STALE_AFTER = timedelta(seconds=int(os.environ.get("FLEETCARE_JOB_LOCK_STALE", "3600")))


def periodic_job(name: str) -> Callable[[JobFunc], JobFunc]:
    def decorator(func: JobFunc) -> JobFunc:
        REGISTRY[name] = func
        return func

    return decorator


def autodiscover() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("fleetcare."):
            try:
                importlib.import_module(f"{config.name}.jobs")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.jobs":
                    raise


def every(name: str) -> int:
    """Seconds between two runs of the job under Celery beat."""
    override = os.environ.get("FLEETCARE_JOB_EVERY_" + name.replace(".", "_").upper())
    return int(override) if override else SCHEDULE.get(name, DEFAULT_EVERY)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Celery beat's schedule: one ``fleetcare.run_job`` entry per registered job."""
    return {
        name: {
            "task": "fleetcare.run_job",
            "schedule": float(every(name)),
            "args": (name,),
            # A run queued longer than its interval is dropped: the next one catches up.
            "options": {"expires": float(every(name))},
        }
        for name in sorted(REGISTRY)
    }


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key per job name (PostgreSQL advisory locks take bigint)."""
    digest = hashlib.sha256(f"fleetcare.job:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _postgres_lock(name: str) -> Iterator[bool]:
    key = _advisory_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:
                # The connection is broken or its transaction failed: a closed session
                # drops its locks; never mask the job's own error.
                pass


@contextmanager
def _row_lock(name: str) -> Iterator[bool]:
    """Claim the JobRun row: one UPDATE that succeeds only when no live run holds it."""
    from fleetcare.core.models import JobRun

    JobRun.objects.get_or_create(name=name)
    started = timezone.now()
    free = (
        Q(last_started_at__isnull=True)
        | Q(last_finished_at__gte=F("last_started_at"))
        | Q(last_started_at__lt=started - LOCK_STALE_AFTER)
    )
    acquired = bool(JobRun.objects.filter(free, name=name).update(last_started_at=started))
    try:
        yield acquired
    finally:
        if acquired:
            # Released even when the job failed (the next run retries it).
            JobRun.objects.filter(name=name, last_started_at=started).update(
                last_finished_at=max(timezone.now(), started)
            )


def job_lock(name: str) -> Any:
    """Held for one run of the job; yields False when another run holds it."""
    return _postgres_lock(name) if connection.vendor == "postgresql" else _row_lock(name)


def run_job(name: str, now: datetime | None = None) -> Any:
    """Run one job now, unless it is already running elsewhere (then ``SKIPPED``)."""
    from fleetcare.core.models import JobRun

    func = REGISTRY[name]
    now = now or timezone.now()
    with job_lock(name) as acquired:
        if not acquired:
            return dict(SKIPPED)
        run, _ = JobRun.objects.get_or_create(name=name)
        started = run.last_started_at if connection.vendor != "postgresql" else timezone.now()
        result = func(now)
        JobRun.objects.filter(pk=run.pk).update(
            last_started_at=started,
            last_finished_at=max(timezone.now(), started),
            last_result=result,
            runs=F("runs") + 1,
        )
    return result


def run_all(now: datetime | None = None) -> dict[str, Any]:
    return {name: run_job(name, now) for name in sorted(REGISTRY)}


@periodic_job("core.heartbeat")
def heartbeat(now: datetime) -> dict[str, str]:
    """Proves the job machinery runs; records the time it ran."""
    return {"at": now.isoformat()}
