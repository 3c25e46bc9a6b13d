"""Shared helpers for the benchmark scripts: fresh databases, machine facts, BENCHMARKS.md."""

from __future__ import annotations

import json
import os
import platform
import random
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
# What customers write in the ingest benchmarks (one refund question in five).
TEXTS = [
    "주문번호 2026112400317 배송 언제 되나요?",
    "환불해주세요",
    "Where is my order?",
    "비타민D 1000IU랑 2000IU 차이가 뭔가요?",
    "배송지 변경하고 싶어요. 서울 마포구로요.",
]


def fresh_pg_database(name: str) -> str:
    from inbox.migrate import upgrade

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


# What scripts/bootstrap byte-compiles for an installation (its last step).
PACKAGES = ("cli", "web", "workers", "switchboard", "inbox", "connectors", "sandbox", "migrations")


def byte_compile(code: Path) -> None:
    """Byte-compile `code`'s packages as scripts/bootstrap does for an installation, so that a
    timed process loads bytecode as a deployed one does. This machine's environment sets
    PYTHONDONTWRITEBYTECODE=1: without it, every process compiled our ~350 modules from source
    (~0.1 s of a `switchboard poll`) and the benchmark measured that instead."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *PACKAGES],
        cwd=code, check=True, capture_output=True,
    )  # fmt: skip


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.split()[
            -1
        ]
    except (OSError, IndexError):
        pg = "?"
    return (
        f"{platform.machine()}, {cpu}, {os.cpu_count()} CPUs, {mem_gib:.0f} GiB; "
        f"Python {platform.python_version()}, PostgreSQL {pg}, SQLAlchemy {sqlalchemy.__version__}"
    )


def write_section(heading: str, body: str) -> None:
    """Replace (or append) the `## heading` section of BENCHMARKS.md."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"## {heading}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text.rstrip("\n") + "\n")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def store_deliveries(
    rt: Any, *, messages: int, per: int, customers: int, texts: list[str], seed: int = 1
) -> list[int]:
    """Store `messages` fake-connector messages as signed webhook deliveries of `per` messages
    each (from `customers` customers, as Meta batches under load), not yet processed: the
    backlog the ingest drain then works through. The ids, in order."""
    from connectors.fake.connector import sign
    from inbox.models import InboundDelivery

    rng = random.Random(seed)
    start = datetime(2026, 11, 25, tzinfo=UTC)
    ids = []
    with rt.db.session() as s:
        for d in range(messages // per):
            events = [
                {
                    "type": "message",
                    "id": f"m-{d}-{i}",
                    "text": rng.choice(texts),
                    "from": {"id": f"c{rng.randrange(customers)}", "name": "고객"},
                    "at": (start + timedelta(seconds=d * per + i)).isoformat(),
                }
                for i in range(per)
            ]
            body = json.dumps({"account": "page-1", "events": events}).encode()
            row = InboundDelivery(
                endpoint="fake",
                connector="fake",
                body=body,
                headers={"X-Fake-Signature": sign("fake-secret", body)},
            )
            s.add(row)
            s.flush()
            ids.append(row.id)
    return ids


def in_process_runtime(name: str, *, redis_url: str = "", jobs: Any = None) -> Any:
    """A fresh PostgreSQL database `name` with the fake connector's page-1 account, and the
    runtime of this process on it (set as the workers' runtime): the in-process benchmarks'
    common stack. Without `redis_url` jobs run embedded in one thread."""
    from inbox.channels import add_account
    from switchboard.runner import EmbeddedRunner
    from switchboard.runtime import build_runtime
    from switchboard.settings import Settings
    from workers.context import set_runtime

    settings = Settings.load(
        {
            "DATABASE_URL": fresh_pg_database(name),
            "REDIS_URL": redis_url,
            "SECRET_KEY": "x",
            "SWITCHBOARD_ENCRYPTION_KEY": "bench",
            "SWITCHBOARD_INSTANCE": f"/tmp/{name}",
            "SWITCHBOARD_FAKE_CONNECTOR": "1",  # the test connector exists only when asked for
            "FAKE_WEBHOOK_SECRET": "fake-secret",
        }
    )
    rt = build_runtime(settings, jobs=jobs or EmbeddedRunner(threads=1))
    set_runtime(rt)
    with rt.db.session() as s:
        add_account(
            s,
            channel="facebook",
            connector="fake",
            name="bench",
            external_id="page-1",
            sealed_credentials=None,
        )
    return rt


def seeded_inbox_app(url: str) -> tuple[Any, Any]:
    """The runtime and Flask app of this process on a bench/seed_large.py database (no Redis,
    jobs embedded in one thread): what the in-process inbox benchmarks time requests against."""
    import tempfile

    from switchboard.runner import EmbeddedRunner
    from switchboard.runtime import build_runtime
    from switchboard.settings import Settings
    from web import create_app

    settings = Settings.load(
        {
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "SECRET_KEY": "bench-secret",
            "SWITCHBOARD_ENCRYPTION_KEY": "bench-key",
            "SWITCHBOARD_INSTANCE": tempfile.mkdtemp(prefix="sb-bench-"),
        }
    )
    rt = build_runtime(settings, jobs=EmbeddedRunner(threads=1))
    return rt, create_app(rt)


def signed_in_client(app: Any, user_id: int) -> Any:
    """A test client with a fresh Flask-Login session for `user_id`, as if signed in through
    /login (the seeded users have no password)."""
    from flask_login.utils import _create_identifier

    client = app.test_client()
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"User-Agent": client.environ_base["HTTP_USER_AGENT"]},
    ):
        ident = _create_identifier()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"], sess["_id"] = str(user_id), True, ident
    return client
