"""``fleetcare serve`` as a real process: pages, probes, sessions across processes, and
a graceful stop (SIGTERM lets the request in flight finish)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "DEBUG", "CELERY_BROKER_URL"}
    }
    env.update(
        {
            "FLEETCARE_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "tests.core.serve_settings",
            "PYTHONPATH": str(ROOT),
            "FLEETCARE_GRACEFUL_TIMEOUT": "20",
        }
    )
    return env


def _fleetcare(env, *args, timeout=180):
    result = subprocess.run(
        [str(BIN / "fleetcare"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _get(url, opener=None, headers=None, timeout=30):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode(errors="replace")


class Server:
    def __init__(self, env, workers=2):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(env["FLEETCARE_VAR_DIR"]) / f"serve-{self.port}.log", "w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(BIN / "fleetcare"), "serve", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                if _get(self.base + "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError("fleetcare serve did not come up:\n" + self.output())

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


@pytest.fixture
def served(tmp_path):
    env = _env(tmp_path)
    _fleetcare(env, "migrate", "--no-input", "-v", "0")
    _fleetcare(
        env,
        "shell",
        "-c",
        "from tests.factories import OrganisationFactory, UserFactory;"
        "UserFactory(organisation=OrganisationFactory(name='Acme SA'), role='customer_admin',"
        " username='acme-admin', password='a-long-test-password')",
    )
    servers = []

    def start():
        servers.append(Server(env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _login(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, _, page = _get(base + "/login/", opener)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": "acme-admin", "password": "a-long-test-password", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(base + "/login/", data=data, headers={"Referer": base})
    with opener.open(request, timeout=30) as response:
        assert response.status == 200 and not response.url.endswith("/login/"), response.url
    return opener


def test_serve_pages_probes_sessions_and_graceful_sigterm(served):
    server = served()
    # A page, with hashed, compressed static files served by WhiteNoise.
    status, _, page = _get(server.base + "/login/")
    assert status == 200 and "csrfmiddlewaretoken" in page
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    assert css, "static files are not under hashed names"
    status, headers, _ = _get(server.base + css.group(1), headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert "immutable" in headers["Cache-Control"]
    # DEBUG is off: an unknown page is the plain 404, not Django's debug page.
    status, _, body = _get(server.base + "/no-such-page/")
    assert status == 404 and "URLconf" not in body
    # The probes: JSON, no login, whatever the Host header says.
    status, _, body = _get(server.base + "/readyz", headers={"Host": "10.9.8.7"})
    assert status == 200, body
    ready = json.loads(body)
    assert ready["status"] == "ok" and ready["checks"]["database"]["ok"]
    assert ready["checks"]["storage"]["ok"]
    status, headers, body = _get(server.base + "/healthz", headers={"X-Request-ID": "probe-1"})
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert headers["X-Request-ID"] == "probe-1"

    # Sessions live in the database: a login on this server holds on a second one.
    opener = _login(server.base)
    other = served()
    status, _, page = _get(other.base + "/", opener=opener)
    assert status == 200 and "acme-admin" in page
    other.stop()

    # SIGTERM while a request is in flight: it finishes, then the server exits.
    result = {}

    def slow():
        result["answer"] = _get(server.base + "/_test/slow?seconds=3", timeout=30)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(1.0)
    server.proc.send_signal(signal.SIGTERM)
    thread.join(30)
    assert result["answer"][0] == 200 and result["answer"][2] == "finished", result
    assert server.proc.wait(30) == 0, server.output()
    assert "Handling signal: term" in server.output()
    with pytest.raises(OSError):
        _get(server.base + "/healthz", timeout=2)
