"""Periodic jobs on a schedule (Celery beat) that never run twice at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from fleetcare.core import jobs
from fleetcare.core.models import JobRun

ROOT = Path(__file__).resolve().parents[2]


def test_beat_schedule_runs_every_registered_job():
    schedule = jobs.beat_schedule()
    assert set(schedule) == set(jobs.REGISTRY)
    for name in [
        "support.sla_breaches",
        "replacements.overdue_returns",
        "contracts.month_end_adjustments",
        "billing.daas_monthly_invoices",
    ]:
        entry = schedule[name]
        assert entry["task"] == "fleetcare.run_job" and entry["args"] == (name,)
        assert 0 < entry["schedule"] <= 3600
    assert schedule["support.sla_breaches"]["schedule"] == 300


def test_job_interval_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLEETCARE_JOB_EVERY_SUPPORT_SLA_BREACHES", "60")
    assert jobs.every("support.sla_breaches") == 60
    assert jobs.beat_schedule()["support.sla_breaches"]["schedule"] == 60.0


def test_celery_beat_gets_the_schedule_when_it_loads_its_modules():
    from celery import signals

    from fleetcare.config.celery import app

    signals.import_modules.send(sender=app)
    assert set(jobs.REGISTRY) <= set(app.conf.beat_schedule)


class _OtherProcess:
    """Holds a job's lock the way another process would."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        if connection.vendor == "postgresql":
            import psycopg

            s = connection.settings_dict
            self.conn = psycopg.connect(
                host=s["HOST"] or "127.0.0.1",
                port=s["PORT"] or 5432,
                user=s["USER"],
                password=s["PASSWORD"] or None,
                dbname=s["NAME"],
                autocommit=True,
            )
            locked = self.conn.execute(
                "SELECT pg_try_advisory_lock(%s)", [jobs._advisory_key(self.name)]
            ).fetchone()[0]
            assert locked
        else:
            JobRun.objects.update_or_create(
                name=self.name,
                defaults={"last_started_at": timezone.now(), "last_finished_at": None},
            )
        return self

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            # Unlock before closing: a closed connection's backend may still hold the
            # lock for a moment, and the next run_job would find the job still running.
            self.conn.execute("SELECT pg_advisory_unlock(%s)", [jobs._advisory_key(self.name)])
            self.conn.close()
        else:
            JobRun.objects.filter(name=self.name).update(last_finished_at=timezone.now())


@pytest.mark.django_db
def test_a_job_running_elsewhere_is_skipped_and_reported():
    with _OtherProcess("core.heartbeat"):
        assert jobs.run_job("core.heartbeat") == jobs.SKIPPED
        out = subprocess_free_call("core.heartbeat")
        assert "core.heartbeat: already running elsewhere, skipped" in out
    result = jobs.run_job("core.heartbeat")
    assert result["at"]
    assert JobRun.objects.get(name="core.heartbeat").runs == 1


def subprocess_free_call(*names: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("jobs", "run", *names, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_failed_job_releases_its_lock(monkeypatch):
    def broken(now):
        raise RuntimeError("job body failed")

    monkeypatch.setitem(jobs.REGISTRY, "core.broken", broken)
    with pytest.raises(RuntimeError):
        jobs.run_job("core.broken")
    monkeypatch.setitem(jobs.REGISTRY, "core.broken", lambda now: {"ok": 1})
    assert jobs.run_job("core.broken") == {"ok": 1}


@pytest.mark.django_db
def test_a_stale_claim_is_taken_over_without_postgres():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL's advisory lock dies with the process that held it")
    JobRun.objects.create(
        name="core.heartbeat",
        last_started_at=timezone.now() - jobs.LOCK_STALE_AFTER - timedelta(minutes=1),
    )
    assert jobs.run_job("core.heartbeat") != jobs.SKIPPED


def _db_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_jobs_run_never_run_one_job_twice_at_once(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Two processes on one database: PostgreSQL (SQLite serialises writers).")
    call_command("demo", "--quiet")  # DaaS partners with months to invoice, cases, orders
    probe = tmp_path / "probe.log"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DATABASE_URL": _db_url(),
            "PYTHONPATH": str(ROOT),
            "FLEETCARE_PROBE_FILE": str(probe),
            "FLEETCARE_PROBE_START_AT": str(time.time() + 6),
            "FLEETCARE_VAR_DIR": str(tmp_path),
        }
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.core.job_probe"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=240)[0] for p in procs]
    for p, out in zip(procs, outputs, strict=True):
        assert p.returncode == 0, out
        assert "IntegrityError" not in out
    assert any("_test.probe: already running elsewhere, skipped" in out for out in outputs), outputs
    # The probe's runs never overlap.
    spans: dict[str, list[float]] = {}
    for line in probe.read_text().splitlines():
        what, pid, at = line.split()
        spans.setdefault(pid, []).append(float(at))
    intervals = sorted(spans.values())
    for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
        assert start >= end
    # Every job ran (or was skipped) in both, and the partners' invoices exist once each.
    from fleetcare.billing.models import Document

    keys = list(Document.objects.exclude(source_key=None).values_list("source_key", flat=True))
    assert len(keys) == len(set(keys))
    for name in jobs.REGISTRY:
        assert all(f"{name}:" in out for out in outputs), name
