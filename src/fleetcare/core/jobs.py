"""Periodic jobs: idempotent "catch up to now" functions.

An app declares a job in its ``jobs.py``::

    from fleetcare.core.jobs import periodic_job

    @periodic_job("support.sla_breaches")
    def mark_breaches(now):
        ...
        return {"breached": 3}

``fleetcare jobs run`` runs every registered job once (in name order); the same
function runs from cron or as the Celery task ``fleetcare.run_job``. Running a job
twice changes nothing the second time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils import timezone

JobFunc = Callable[[datetime], Any]
REGISTRY: dict[str, JobFunc] = {}


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


def run_job(name: str, now: datetime | None = None) -> Any:
    from fleetcare.core.models import JobRun

    func = REGISTRY[name]
    now = now or timezone.now()
    run, _ = JobRun.objects.get_or_create(name=name)
    run.last_started_at = timezone.now()
    result = func(now)
    run.last_finished_at = timezone.now()
    run.last_result = result
    run.runs += 1
    run.save()
    return result


def run_all(now: datetime | None = None) -> dict[str, Any]:
    return {name: run_job(name, now) for name in sorted(REGISTRY)}


@periodic_job("core.heartbeat")
def heartbeat(now: datetime) -> dict[str, str]:
    """Proves the job machinery runs; records the time it ran."""
    return {"at": now.isoformat()}
