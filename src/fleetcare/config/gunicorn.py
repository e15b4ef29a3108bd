"""Gunicorn settings for ``fleetcare serve`` (every value from the environment).

FLEETCARE_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes, default
2 x cores + 1), FLEETCARE_THREADS (threads per worker, default 1: sync workers),
FLEETCARE_GRACEFUL_TIMEOUT (seconds in-flight requests get to finish after SIGTERM,
default 30), FLEETCARE_TIMEOUT (a worker silent that long is restarted, default 60),
FLEETCARE_BACKLOG (connections queued in the kernel, default 2048),
FLEETCARE_MAX_REQUESTS (recycle a worker after that many requests, default 0: never).
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = [os.environ.get("FLEETCARE_BIND") or "127.0.0.1:8000"]
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = _int("FLEETCARE_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
graceful_timeout = _int("FLEETCARE_GRACEFUL_TIMEOUT", 30)
timeout = _int("FLEETCARE_TIMEOUT", 60)
keepalive = 5
backlog = _int("FLEETCARE_BACKLOG", 2048)
max_requests = _int("FLEETCARE_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
# fleetcare writes its own access line (with the request id) under LOG_FORMAT=json.
accesslog = os.environ.get("FLEETCARE_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "fleetcare"
# Behind a proxy on another machine, FORWARDED_ALLOW_IPS names it (gunicorn's own variable).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "fleetcare.config.wsgi:application"
# gunicorn >= 25 opens a control socket in $HOME by default; several servers on one
# machine would share it. fleetcare does not use it.
control_socket_disable = True
