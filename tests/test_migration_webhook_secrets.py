"""Revision 0012_flow2 seals outgoing-webhook secrets that were stored in plain text, with the
application's SWITCHBOARD_ENCRYPTION_KEY; its downgrade opens them again. SQLite and
PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import create_engine, text

from inbox.crypto import Vault
from inbox.db import normalize_url
from inbox.migrate import alembic_config, upgrade
from tests.conftest import PG_ADMIN

REVISION = "0012_flow2"
BEFORE = "0011_team"
KEY = "migration-test-key"
PLAIN = "whsec_plain-secret-from-before"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'secrets.db'}"
        return
    name = f"sb_mig_sec_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _insert_plain(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO webhook_subscription (id, name, url, secret, event_types, active,"
                " created_at) VALUES (1, 'CRM', 'https://crm.example/hook', :secret,"
                " '[\"message.created\"]', :active, '2026-12-01 00:00:00')"
            ),
            {"secret": PLAIN, "active": True},
        )
    engine.dispose()


def test_existing_secrets_are_sealed_and_opened_again_on_downgrade(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(url, BEFORE)
    _insert_plain(url)
    monkeypatch.delenv("SWITCHBOARD_ENCRYPTION_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SWITCHBOARD_ENCRYPTION_KEY"):
        upgrade(url, REVISION)  # no key: refuse rather than lose the secret
    monkeypatch.setenv("SWITCHBOARD_ENCRYPTION_KEY", KEY)
    upgrade(url, REVISION)
    engine = create_engine(normalize_url(url))
    with engine.connect() as conn:
        sealed = conn.execute(text("SELECT secret_sealed FROM webhook_subscription")).scalar_one()
        columns = conn.execute(text("SELECT * FROM webhook_subscription")).keys()
    assert "secret" not in columns
    assert PLAIN.encode() not in bytes(sealed)
    assert Vault(KEY).open(bytes(sealed)) == {"secret": PLAIN}
    command.downgrade(alembic_config(url), BEFORE)
    with engine.connect() as conn:
        plain = conn.execute(text("SELECT secret FROM webhook_subscription")).scalar_one()
    assert plain == PLAIN
    engine.dispose()
