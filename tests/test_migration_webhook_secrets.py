"""Revision 0013_flow2 seals outgoing-webhook secrets that were stored in plain text, with the
application's SWITCHBOARD_ENCRYPTION_KEY; its downgrade opens them again. SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from inbox.crypto import Vault
from inbox.db import normalize_url
from inbox.migrate import alembic_config, upgrade
from tests.test_migrations import pg_empty_url, sqlite_url

__all__ = ["pg_empty_url", "sqlite_url"]  # fixtures shared with tests/test_migrations.py
REVISION = "0013_flow2"
BEFORE = "0012_faq"
KEY = "migration-test-key"
PLAIN = "whsec_plain-secret-from-before"


@pytest.fixture(params=["sqlite_url", "pg_empty_url"])
def url(request: pytest.FixtureRequest) -> str:
    """An empty database of each kind (the fixtures of tests/test_migrations.py)."""
    return str(request.getfixturevalue(request.param))


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
