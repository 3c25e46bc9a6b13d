"""Migrations: one head; upgrade from empty on SQLite and PostgreSQL; the search revision
indexes rows that existed before it, and its downgrade works and can be re-applied."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from inbox.migrate import alembic_config, upgrade
from tests.conftest import PG_ADMIN

SEARCH_REVISION = "0005"
FTS_TABLES = ("message_fts", "conversation_fts", "contact_fts", "contact_identity_fts")
SEARCH_INDEXES = {
    f"ix_{table}_{col}_{kind}"
    for table, col in [
        ("message", "text"),
        ("conversation", "subject"),
        ("contact", "name"),
        ("contact", "email"),
        ("contact_identity", "handle"),
        ("contact_identity", "display_name"),
    ]
    for kind in ("trgm", "bigram")
}

# Minimal rows, written against the schema as it was just before the search revision (the
# history does not change, so plain SQL is safe here).
ROWS = [
    "INSERT INTO channel_account (id, channel, connector, name, external_id, options, health,"
    " enabled, created_at) VALUES (1, 'facebook', 'fake', 'fb', 'acct-1', '{}', 'ok', TRUE,"
    " '2026-11-25 00:00:00')",
    "INSERT INTO contact (id, name, created_at) VALUES (1, '김민호', '2026-11-25 00:00:00')",
    "INSERT INTO conversation (id, channel_account_id, contact_id, kind, thread_key,"
    " participant_key, context, status, priority, last_activity_at, created_at) VALUES"
    " (1, 1, 1, 'dm', 't1', 'p1', '{}', 'open', 'none', '2026-11-25 00:00:00',"
    " '2026-11-25 00:00:00')",
    "INSERT INTO message (id, uuid, conversation_id, channel_account_id, direction, kind, text,"
    " attempts, created_at, stored_at, meta) VALUES (1, 'u-1', 1, 1, 'inbound', 'message',"
    " '환불해주세요', 0, '2026-11-25 00:00:00', '2026-11-25 00:00:00', '{}')",
]


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def before_search() -> str:
    down = script().get_revision(SEARCH_REVISION).down_revision
    assert isinstance(down, str)
    return down


def test_single_head() -> None:
    assert len(script().get_heads()) == 1


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'migrations.db'}"


@pytest.fixture
def pg_empty_url() -> Iterator[str]:
    name = f"sb_mig_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def engine_for(url: str) -> Engine:
    from inbox.db import normalize_url

    return create_engine(normalize_url(url))


def sqlite_search_objects(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        query = text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        return set(conn.scalars(query))


def pg_search_indexes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT indexname FROM pg_indexes")))
    return names & SEARCH_INDEXES


def test_sqlite_upgrade_downgrade(sqlite_url: str) -> None:
    upgrade(sqlite_url, before_search())
    engine = engine_for(sqlite_url)
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement.replace("TRUE", "1")))
    upgrade(sqlite_url)
    objects = sqlite_search_objects(engine)
    assert set(FTS_TABLES) <= objects
    for table in ("message", "conversation", "contact", "contact_identity"):
        assert {f"{table}_fts_ai", f"{table}_fts_ad", f"{table}_fts_au"} <= objects
    with engine.connect() as conn:
        # Rows written before the revision were indexed by its 'rebuild'.
        hits = conn.scalars(
            text("SELECT rowid FROM message_fts WHERE message_fts MATCH '\"환불해\"'")
        )
        assert list(hits) == [1]
    command.downgrade(alembic_config(sqlite_url), before_search())
    assert not {name for name in sqlite_search_objects(engine) if "_fts" in name}
    upgrade(sqlite_url)
    assert set(FTS_TABLES) <= sqlite_search_objects(engine)
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_upgrade_downgrade(pg_empty_url: str) -> None:
    upgrade(pg_empty_url, before_search())
    engine = engine_for(pg_empty_url)
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
    upgrade(pg_empty_url)
    assert pg_search_indexes(engine) == SEARCH_INDEXES
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))
        assert conn.scalar(text("SELECT sb_bigrams('환불해') @> '{환불,불해}'::text[]"))
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            conn.scalars(text("EXPLAIN SELECT id FROM message WHERE text ILIKE '%환불해%'"))
        )
        assert "ix_message_text_trgm" in plan
    command.downgrade(alembic_config(pg_empty_url), before_search())
    assert pg_search_indexes(engine) == set()
    upgrade(pg_empty_url)
    assert pg_search_indexes(engine) == SEARCH_INDEXES
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_models_and_migrations_agree(database_url: str) -> None:
    """`alembic check` in test form: autogenerate finds nothing left to migrate."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import migrations.env_filters as filters
    from inbox.db import make_engine
    from inbox.models import Base

    engine = make_engine(database_url, pool_size=1)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": filters.include_object, "render_as_batch": True}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
