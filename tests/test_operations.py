"""docs/operations.md, followed by a script: an empty PostgreSQL database and Redis, the
EnvironmentFile from deploy/, `db upgrade`, `check`, then the ExecStart lines of the deploy/ units
(web, worker, watch) as systemd would run them, and HTTP through them as nginx would send it.

In front of them runs deploy/nginx-switchboard.conf itself (ports, certificate paths and the
upstream address rewritten for the test) with a throwaway certificate: health, a webhook, the
API, the sign-in form and a live SSE event all go through it over HTTPS. `scripts/bootstrap
--test` unpacks Debian's nginx binary for this; without an nginx the test sends the
X-Forwarded-* headers nginx would add straight to gunicorn instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
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
UNITS = ("switchboard-web.service", "switchboard-worker@.service", "switchboard-watch.service")


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


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (str(p) for p in [ROOT / ".venv" / "nginx" / "usr" / "sbin" / "nginx"] if p.exists()),
        None,
    )


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for inbox.example.com and 127.0.0.1, like certbot's files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "inbox.example.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("inbox.example.com"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def nginx_site(directory: Path, *, web_port: int, http_port: int, https_port: int) -> Path:
    """deploy/nginx-switchboard.conf with this machine's ports, certificate and temp paths."""
    cert, key = self_signed(directory)
    site = (DEPLOY / "nginx-switchboard.conf").read_text()
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/letsencrypt/live/inbox.example.com/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/inbox.example.com/privkey.pem", str(key)),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{web_port} "),
    ):
        assert old in site, f"deploy/nginx-switchboard.conf no longer has {old!r}"
        site = site.replace(old, new)
    (directory / "switchboard.conf").write_text(site)
    temp = {n: directory / n for n in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root root;" if os.geteuid() == 0 else ""
    main_conf = directory / "nginx.conf"
    main_conf.write_text(
        f"""{user}
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {directory}/switchboard.conf;
}}
"""
    )
    return main_conf


def test_the_guide_lists_every_setting() -> None:
    from switchboard.settings import DEFAULTS

    guide = (ROOT / "docs" / "operations.md").read_text()
    missing = sorted(name for name in DEFAULTS if f"`{name}`" not in guide)
    assert missing == [], f"add to the settings tables of docs/operations.md: {missing}"


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
        # a closed live stream is noticed at its next keep-alive; the test stops sooner this way
        "SWITCHBOARD_SSE_KEEPALIVE_SECONDS": "1",
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

    password = "ops-admin-password"
    created = run("user", "create", "ops@example.com", "--role", "admin", "--password", password)
    assert created.returncode == 0, created.stderr
    token = run("token", "create", "ops@example.com", "--expires-in", "90d").stdout.strip()
    assert token.startswith("sb_")
    added = run(
        "channel", "add", "facebook", "--name", "page", "--external-id", "ops-page",
        "--connector", "fake",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    web_port = free_port()
    logs: dict[str, Path] = {}
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, argv: list[str], cwd: Path) -> None:
        logs[name] = tmp_path / f"{name}.log"
        procs.append(
            subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdout=logs[name].open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    for unit in UNITS:
        start(unit, exec_start(unit, web_port), instance)  # WorkingDirectory=/var/lib/switchboard
    nginx = nginx_binary()
    http = requests.Session()
    http.trust_env = False  # else REQUESTS_CA_BUNDLE would override http.verify below
    if nginx is not None:
        http_port, https_port = free_port(), free_port()
        conf_dir = tmp_path / "nginx"
        conf_dir.mkdir()
        conf = nginx_site(conf_dir, web_port=web_port, http_port=http_port, https_port=https_port)
        checked_conf = subprocess.run(
            [nginx, "-t", "-p", str(conf_dir), "-c", str(conf)], capture_output=True, text=True
        )
        assert checked_conf.returncode == 0, checked_conf.stderr
        start("nginx", [nginx, "-p", str(conf_dir), "-c", str(conf), "-g", "daemon off;"], conf_dir)
        base = f"https://127.0.0.1:{https_port}"
        http.verify = str(conf_dir / "fullchain.pem")
        http.headers["Host"] = "inbox.example.com"
    else:  # what nginx would add
        base = f"http://127.0.0.1:{web_port}"
        http.headers.update(
            {
                "Host": "inbox.example.com",
                "X-Forwarded-For": "203.0.113.7",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "inbox.example.com",
            }
        )
    try:
        health = _wait_for_http(http, base + "/healthz", procs)
        assert health.json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}
        if nginx is not None:
            plain = requests.get(
                f"http://127.0.0.1:{http_port}/inbox",
                headers={"Host": "inbox.example.com"},
                allow_redirects=False,
                timeout=10,
            )
            assert plain.status_code == 301
            assert plain.headers["Location"] == "https://inbox.example.com/inbox"
            assert http.get(base + "/metrics", timeout=10).status_code == 404  # not via nginx

        # An agent signs in and opens the live stream (SSE) before the message arrives.
        form = http.get(base + "/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf, form[:500]
        signed_in = http.post(
            base + "/login",
            data={"email": "ops@example.com", "password": password, "csrf_token": csrf.group(1)},
            headers={"Referer": "https://inbox.example.com/login"},  # as a browser sends it
            allow_redirects=False,
            timeout=10,
        )
        assert signed_in.status_code in (302, 303), signed_in.text[:500]
        live = http.get(base + "/live/stream", stream=True, timeout=(10, 60))
        assert live.status_code == 200
        assert live.headers["Content-Type"].startswith("text/event-stream")
        lines = live.iter_lines(decode_unicode=True)
        assert next(line for line in lines if line) == "retry: 2000"  # listening

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
        delivered = http.post(
            base + "/webhooks/fake",
            data=body,
            headers={"X-Fake-Signature": sign("fake-secret", body)},
            timeout=10,
        )
        assert delivered.status_code == 200
        # web stored it, the worker ingested it, Redis pub/sub carried the event, and it came
        # through the proxy unbuffered while the stream stayed open
        event = next(line for line in lines if line.startswith("data:"))
        assert "conversation_id" in event
        live.close()

        api = {"Authorization": f"Bearer {token}"}
        listed = http.get(base + "/api/v1/conversations", headers=api, timeout=10)
        assert listed.status_code == 200, listed.text
        assert len(listed.json()["data"]) == 1
        # Prometheus scrapes the web machine directly, with the token (not through nginx).
        scrape = {"Authorization": "Bearer ops-test-metrics-token"}
        metrics = requests.get(f"http://127.0.0.1:{web_port}/metrics", headers=scrape, timeout=10)
        assert "switchboard_webhook_deliveries_total" in metrics.text
        assert all(p.poll() is None for p in procs), "a process exited"
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
    http: requests.Session, url: str, procs: list[subprocess.Popen[bytes]]
) -> requests.Response:
    """The first answer from the app (nginx says 502 until gunicorn listens)."""
    deadline = time.time() + 60
    while True:
        try:
            response = http.get(url, timeout=5)
            if response.status_code != 502:
                return response
        except requests.RequestException:
            if time.time() > deadline or any(p.poll() is not None for p in procs):
                raise
        if time.time() > deadline:
            raise AssertionError(f"{url} kept answering 502")
        time.sleep(0.3)
