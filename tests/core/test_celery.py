"""Background work: in-process without a broker; through a real broker and worker with one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid

import pytest

from fleetcare.config.celery import app
from fleetcare.core.tasks import ping, run_job

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.django_db
def test_without_a_broker_tasks_run_in_process():
    assert app.conf.task_always_eager
    assert ping.delay(21).get() == 42
    assert run_job.delay("core.heartbeat").get()["at"]


@pytest.mark.celery_worker
def test_tasks_go_through_redis_to_a_real_worker(tmp_path):
    if not _redis_answers():
        if os.environ.get("FLEETCARE_REQUIRE_REDIS"):
            pytest.fail("FLEETCARE_REQUIRE_REDIS is set but no Redis answers on 127.0.0.1:6379")
        pytest.skip("no Redis answers on 127.0.0.1:6379 (CI runs this test with Redis)")
    broker = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_BROKER_URL": broker, "FLEETCARE_VAR_DIR": str(tmp_path)}
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    worker = subprocess.Popen(
        [
            celery,
            "-A",
            "fleetcare.config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        from celery import Celery

        client = Celery("fleetcare-test", broker=broker, backend=broker)
        deadline = time.monotonic() + 60
        result = client.send_task("fleetcare.ping", args=[21], queue=queue)
        value = result.get(timeout=max(1, deadline - time.monotonic()))
        assert value == 42
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
