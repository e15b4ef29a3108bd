"""``fleetcare serve``: the production application server (gunicorn + WhiteNoise).

Collects the static files (hashed, compressed) and then becomes gunicorn, so SIGTERM
reaches gunicorn's master directly: it stops accepting, lets in-flight requests finish
(up to FLEETCARE_GRACEFUL_TIMEOUT seconds) and exits. DEBUG is always off here.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def _sources_fingerprint() -> str:
    """Names, sizes and times of every static source file (cheap: no file is read)."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> None:
    """``collectstatic --noinput``, skipped when nothing changed since the last one."""
    stamp = Path(settings.STATIC_ROOT) / ".fleetcare-collected"
    fingerprint = _sources_fingerprint()
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


class Command(BaseCommand):
    help = "Run the production server (gunicorn): collectstatic, then serve."

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="HOST:PORT (default: $FLEETCARE_BIND or 127.0.0.1:8000)")
        parser.add_argument(
            "--workers",
            type=int,
            help="worker processes (default: $WEB_CONCURRENCY or 2 x cores + 1)",
        )
        parser.add_argument("--threads", type=int, help="threads per worker (default: 1)")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="the static files are collected already"
        )

    def handle(
        self, *args, bind=None, workers=None, threads=None, no_collectstatic=False, **options
    ):
        if settings.DEBUG:
            raise CommandError("DEBUG is on: `fleetcare serve` runs with DEBUG off only.")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        if not no_collectstatic:
            collect_static()
        env = dict(os.environ)
        # Each worker keeps its database connection (one connect per minute, not per
        # request) unless DB_CONN_MAX_AGE says otherwise.
        env.setdefault("DB_CONN_MAX_AGE", "60")
        if bind:
            env["FLEETCARE_BIND"] = bind
        if workers:
            env["WEB_CONCURRENCY"] = str(workers)
        if threads:
            env["FLEETCARE_THREADS"] = str(threads)
        bind_shown = env.get("FLEETCARE_BIND") or "127.0.0.1:8000"
        self.stdout.write(
            f"Serving fleetcare at http://{bind_shown}/ (SIGTERM stops it gracefully)"
        )
        self.stdout.flush()
        argv = [sys.executable, "-m", "gunicorn", "--config", "python:fleetcare.config.gunicorn"]
        os.execve(sys.executable, argv, env)
