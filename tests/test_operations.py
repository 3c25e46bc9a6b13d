"""docs/operations.md, followed by a script: an empty PostgreSQL database and Redis, the
EnvironmentFile from deploy/, `db upgrade`, `check`, then the ExecStart lines of the deploy/ units
(web, worker, watch) as systemd would run them, and HTTP through them as nginx would send it.

nginx itself is not run (it is not installed on the test machines); the requests carry the
X-Forwarded-* headers deploy/nginx-switchboard.conf adds.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
import requests

from connectors.fake.connector import sign
from tests.conftest import PG_ADMIN, REDIS_TEST_URL
from tests.support.servers import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/switchboard/.venv/bin/switchboard"  # where the units expect the command
BIN = Path(sys.executable).parent / "switchboard"


def unit_lines(unit: str) -> dict[str, str]:
    """The unit's Key=Value lines (the last one wins, as in systemd)."""
    out: dict[str, str] = {}
    for line in (DEPLOY / unit).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith(("#", ";")):
            out[key.strip()] = value.strip()
    return out


def exec_start(unit: str, port: int) -> list[str]:
    argv = shlex.split(unit_lines(unit)["ExecStart"])
    assert argv[0] == INSTALLED, f"{unit} runs {argv[0]}, docs/operations.md says {INSTALLED}"
    argv[0] = str(BIN)
    if "--port" in argv:
        argv[argv.index("--port") + 1] = str(port)
    return argv


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, comments and blanks skipped, no shell expansion: systemd's reading."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


@pytest.fixture
def empty_database() -> object:
    name = f"sb_ops_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_units_agree_with_the_guide() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text()
    for unit in (
        "switchboard-web.service",
        "switchboard-worker@.service",
        "switchboard-watch.service",
    ):
        lines = unit_lines(unit)
        assert lines["EnvironmentFile"] == "/etc/switchboard/switchboard.env"
        assert lines["ExecStart"].startswith(INSTALLED)
        assert unit in guide
    nginx = (DEPLOY / "nginx-switchboard.conf").read_text()
    for needed in (
        "proxy_buffering off",
        "X-Forwarded-For",
        "X-Forwarded-Proto",
        "location /live/",
    ):
        assert needed in nginx


def test_production_bring_up_as_documented(empty_database: str, tmp_path: Path) -> None:
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    instance = tmp_path / "var-lib-switchboard"
    instance.mkdir()
    # /etc/switchboard/switchboard.env: the example with this machine's values filled in.
    values = {
        "DATABASE_URL": empty_database,
        "REDIS_URL": REDIS_TEST_URL,
        "SECRET_KEY": "ops-test-secret-key",
        "SWITCHBOARD_ENCRYPTION_KEY": "ops-test-encryption-key",
        "SWITCHBOARD_INSTANCE": str(instance),
        "WEB_WORKERS": "1",
        "METRICS_TOKEN": "ops-test-metrics-token",
    }
    lines = []
    for line in (DEPLOY / "switchboard.env.example").read_text().splitlines():
        key = line.partition("=")[0]
        lines.append(f"{key}={values[key]}" if key in values else line)
    env_file = tmp_path / "switchboard.env"
    env_file.write_text("\n".join(lines) + "\n")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SWITCHBOARD_DOTENV": str(tmp_path / "no.env"),
        **environment_file(env_file),
        # the test stands in for a platform with the fake connector (never on in production)
        "SWITCHBOARD_FAKE_CONNECTOR": "1",
        "FAKE_WEBHOOK_SECRET": "fake-secret",
    }
    assert env["LOG_FORMAT"] == "json" and env["PUBLIC_BASE_URL"].startswith("https://")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args], env=env, cwd=instance, capture_output=True, text=True, timeout=120
        )

    before = run("check")
    assert before.returncode == 1
    assert "is empty (no schema): run `switchboard db upgrade`" in before.stdout

    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.startswith("migrated from empty to ")

    checked = run("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert all(line[:4] in ("ok  ", "warn") for line in checked.stdout.splitlines())
    assert "ok   database:" in checked.stdout and "(head)" in checked.stdout
    assert "ok   redis:" in checked.stdout

    assert run("user", "create", "ops@example.com", "--role", "admin").returncode == 0
    token = run("token", "create", "ops@example.com", "--expires-in", "90d").stdout.strip()
    assert token.startswith("sb_")
    added = run(
        "channel", "add", "facebook", "--name", "page", "--external-id", "ops-page",
        "--connector", "fake",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    port = free_port()
    logs = {}
    procs = []
    for unit in (
        "switchboard-web.service",
        "switchboard-worker@.service",
        "switchboard-watch.service",
    ):
        logs[unit] = tmp_path / f"{unit}.log"
        procs.append(
            subprocess.Popen(
                exec_start(unit, port),
                env=env,
                cwd=instance,  # WorkingDirectory=/var/lib/switchboard
                stdout=logs[unit].open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    base = f"http://127.0.0.1:{port}"
    proxied = {
        "Host": "inbox.example.com",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "inbox.example.com",
    }
    try:
        health = _wait_for_http(base + "/healthz", proxied, procs)
        assert health.json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}
        body = json.dumps(
            {
                "account": "ops-page",
                "events": [
                    {
                        "type": "message",
                        "id": "m-ops",
                        "from": {"id": "c-ops"},
                        "text": "운영 가이드대로 설치했습니다",
                        "at": "2026-12-05T05:00:00+00:00",
                    }
                ],
            }
        ).encode()
        delivered = requests.post(
            base + "/webhooks/fake",
            data=body,
            headers={**proxied, "X-Fake-Signature": sign("fake-secret", body)},
            timeout=10,
        )
        assert delivered.status_code == 200
        api = {**proxied, "Authorization": f"Bearer {token}"}
        deadline = time.time() + 60
        while True:  # the worker ingests it; the API shows it
            listed = requests.get(base + "/api/v1/conversations", headers=api, timeout=10)
            assert listed.status_code == 200, listed.text
            if listed.json()["data"] or time.time() > deadline:
                break
            time.sleep(0.2)
        assert len(listed.json()["data"]) == 1
        # Prometheus scrapes the web machine directly, with the token (not through nginx).
        scrape = {"Authorization": "Bearer ops-test-metrics-token"}
        metrics = requests.get(base + "/metrics", headers=scrape, timeout=10).text
        assert "switchboard_webhook_deliveries_total" in metrics
        assert all(p.poll() is None for p in procs), "a unit's process exited"
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    listed_tokens = run("token", "list").stdout
    assert "ops@example.com" in listed_tokens and "last used 20" in listed_tokens
    # LOG_FORMAT=json: the worker's log lines are JSON objects (rq's job lines included).
    worker_log = logs["switchboard-worker@.service"].read_text().splitlines()
    records = [json.loads(line) for line in worker_log if line.startswith("{")]
    assert records and all({"ts", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["logger"].startswith("rq") for r in records)


def _wait_for_http(
    url: str, headers: dict[str, str], procs: list[subprocess.Popen[bytes]]
) -> requests.Response:
    deadline = time.time() + 60
    while True:
        try:
            return requests.get(url, headers=headers, timeout=5)
        except requests.RequestException:
            if time.time() > deadline or any(p.poll() is not None for p in procs):
                raise
            time.sleep(0.3)
