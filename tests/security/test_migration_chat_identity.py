"""Revision 0006 (issue 13): old chat messages get session-scoped ids, chat-only contacts an
unverified email; the downgrade undoes both. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from inbox.migrate import alembic_config, upgrade
from tests.test_migrations import engine_for, pg_empty_url  # noqa: F401 (fixture)

ROWS = [
    "INSERT INTO channel_account (id, channel, connector, name, external_id, options, health,"
    " enabled, created_at) VALUES (1, 'webchat', 'webchat', 'chat', 'widget-main', '{}', 'ok',"
    " TRUE, '2026-11-25 00:00:00')",
    "INSERT INTO contact (id, name, email, created_at) VALUES"
    " (1, 'Visitor', 'bob@example.com', '2026-11-25 00:00:00'),"
    " (2, 'Bob', 'bob@example.com', '2026-11-25 00:00:00')",
    "INSERT INTO contact_identity (id, contact_id, channel, external_user_id, created_at) VALUES"
    " (1, 1, 'webchat', 'ws_A', '2026-11-25 00:00:00'),"
    " (2, 2, 'email', 'bob@example.com', '2026-11-25 00:00:00')",
    "INSERT INTO conversation (id, channel_account_id, contact_id, kind, thread_key,"
    " participant_key, context, status, priority, last_activity_at, created_at) VALUES"
    " (1, 1, 1, 'chat', 'ws_A', 'ws_A', '{}', 'open', 'none', '2026-11-25 00:00:00',"
    " '2026-11-25 00:00:00')",
    "INSERT INTO message (id, uuid, conversation_id, channel_account_id, direction, kind, text,"
    " external_id, attempts, created_at, stored_at, meta) VALUES"
    " (1, 'u-1', 1, 1, 'inbound', 'message', 'hi', 'xss-0', 0, '2026-11-25 00:00:00',"
    " '2026-11-25 00:00:00', '{}'),"
    " (2, 'u-2', 1, 1, 'outbound', 'message', 'hello', 'u-2', 0, '2026-11-25 00:00:00',"
    " '2026-11-25 00:00:00', '{}')",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
    else:
        yield request.getfixturevalue("pg_empty_url")


def state(url: str) -> tuple[list[tuple[int, str]], list[tuple[int, bool]]]:
    engine = engine_for(url)
    with engine.connect() as conn:
        ids = [tuple(r) for r in conn.execute(text("SELECT id, external_id FROM message"))]
        verified = [
            (r[0], bool(r[1]))
            for r in conn.execute(text("SELECT id, email_verified FROM contact ORDER BY id"))
        ]
    engine.dispose()
    return sorted(ids), verified  # type: ignore[return-value]


def test_0006_scopes_old_chat_ids_and_marks_chat_emails_unverified(empty_url: str) -> None:
    upgrade(empty_url, "0005")
    engine = engine_for(empty_url)
    sqlite = empty_url.startswith("sqlite")
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement.replace("TRUE", "1") if sqlite else statement))
    engine.dispose()
    upgrade(empty_url, "0006")
    assert state(empty_url) == ([(1, "ws_A/xss-0"), (2, "u-2")], [(1, False), (2, True)])
    command.downgrade(alembic_config(empty_url), "0005")
    engine = engine_for(empty_url)
    with engine.connect() as conn:
        rows = sorted(tuple(r) for r in conn.execute(text("SELECT id, external_id FROM message")))
    engine.dispose()
    assert rows == [(1, "xss-0"), (2, "u-2")]
    upgrade(empty_url)
