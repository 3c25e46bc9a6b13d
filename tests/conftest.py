"""Shared fixtures: real databases (SQLite file and PostgreSQL), the runtime, the app.

- `rt` is a Runtime on SQLite by default; parametrize `backend` (indirect) to get PostgreSQL:
  `@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)`.
- PostgreSQL: one throwaway database per test session, migrated once, truncated per test.
- SQLite: a migrated template file copied per test.
- Jobs run on a real EmbeddedRunner; `rt.jobs.drain()` waits until they are done.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from connectors.fake import FakeConnector
from inbox.migrate import upgrade
from inbox.models import Base
from switchboard.runner import EmbeddedRunner
from switchboard.runtime import Runtime, build_runtime
from switchboard.settings import Settings
from tests.support import redis_slots
from workers.context import set_runtime

# The fake connector exists only where this switch says so (issue 13): the whole suite, and
# every process it starts (gunicorn, rq workers, the CLI), runs with it on and a known secret.
FAKE_SETTINGS = {"SWITCHBOARD_FAKE_CONNECTOR": "1", "FAKE_WEBHOOK_SECRET": "fake-secret"}
os.environ.update(FAKE_SETTINGS)

PG_ADMIN = os.environ.get("SWITCHBOARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _claim_redis_db() -> str:
    """A Redis database number of our own, so test runs side by side never flush each other
    (tests/support/redis_slots.py says why and how)."""
    given = os.environ.get("SWITCHBOARD_TEST_REDIS")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if given:
        # pytest-xdist's processes gw0, gw1, ... take the given number, the next one, ...
        base, _, number = given.rpartition("/")
        offset = int(worker[2:] or 0) if worker else 0
        return f"{base}/{int(number or 0) + offset}" if number.isdigit() else given
    parent, _, url = os.environ.get(redis_slots.INHERITED, "").partition(" ")
    if url and parent == worker:
        return url  # a test's subprocess: its pytest process holds the number
    import atexit

    import redis

    try:
        client = redis.Redis(host="127.0.0.1", port=6379, db=0, socket_timeout=2)
        n = redis_slots.claim(client)
    except redis.RedisError:
        return "redis://127.0.0.1:6379/13"  # no Redis: the tests that need it fail anyway
    if n is None:
        raise SystemExit(
            "every Redis test database (1-15) is held by a running test process; "
            "set SWITCHBOARD_TEST_REDIS or wait for a run to finish"
        )
    atexit.register(redis_slots.release, client, n, redis_slots.me())
    url = f"redis://127.0.0.1:6379/{n}"
    os.environ[redis_slots.INHERITED] = f"{worker} {url}"
    return url


REDIS_TEST_URL = _claim_redis_db()
ENCRYPTION_KEY = "test-encryption-key"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    name = f"sb_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        yield url
        _truncate_all(url)
    else:
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "switchboard.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    from inbox.db import make_engine

    engine = make_engine(url, pool_size=1)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def make_settings(database_url: str, instance: Path, **extra: str) -> Settings:
    return Settings.load(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "SECRET_KEY": "test-secret-key",
            "SWITCHBOARD_ENCRYPTION_KEY": ENCRYPTION_KEY,
            "SWITCHBOARD_INSTANCE": str(instance),
            "SWEEP_STALE_SECONDS": "0",
            **FAKE_SETTINGS,
            "MAIL_ALLOW_HOSTS": "127.0.0.1,localhost",  # dovecot and aiosmtpd on loopback
            **extra,
        }
    )


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    """Override in a test module to change settings (e.g. META_GRAPH_URL)."""
    return {}


@pytest.fixture
def rt(database_url: str, tmp_path: Path, settings_overrides: dict[str, str]) -> Iterator[Runtime]:
    FakeConnector.reset()
    runner = EmbeddedRunner(threads=2)
    runtime = build_runtime(
        make_settings(database_url, tmp_path / "instance", **settings_overrides), jobs=runner
    )
    set_runtime(runtime)
    yield runtime
    runner.stop()
    runtime.db.dispose()
    set_runtime(None)


@pytest.fixture
def app(rt: Runtime) -> Any:
    from web import create_app

    flask_app = create_app(rt)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def factory(rt: Runtime) -> Any:
    from tests.support.factory import Factory

    return Factory(rt)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run; tests open their own contexts and pages."""
    from tests.support.browser import chromium

    with chromium() as instance:
        yield instance
