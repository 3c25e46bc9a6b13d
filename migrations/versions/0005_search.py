"""conversation search: pg_trgm GIN indexes (PostgreSQL), FTS5 trigram tables (SQLite)

See inbox/search.py for how the query uses them. PostgreSQL: the pg_trgm extension, one GIN
trigram index per searched column, and one GIN index over sb_bigrams(column) for two-character
terms. Both dialects: ix_conversation_activity for the unfiltered list order. SQLite: one external-content FTS5 table per searched
table (tokenizer `trigram`, SQLite >= 3.34), filled from the existing rows and kept in sync by
AFTER INSERT / UPDATE / DELETE triggers.

Careful in later SQLite migrations: a batch_alter_table ("move and copy") on message,
conversation, contact or contact_identity drops these triggers with the old table; recreate
them (tests/test_migrations.py checks they exist at head).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:20:00
"""

from __future__ import annotations

import sqlite3

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (table, indexed columns): the same list drives both dialects.
SEARCHED = [
    ("message", ["text"]),
    ("conversation", ["subject"]),
    ("contact", ["name", "email"]),
    ("contact_identity", ["handle", "display_name"]),
]


# Every bigram of lower(t) (pairs at even and at odd offsets, split on whitespace; a few
# single characters come along and do no harm). Two-character terms have no trigram, so
# pg_trgm cannot serve them; a GIN index over this array can ("sb_bigrams(col) @> '{환불}'").
# A plain SQL expression (no FROM) so it is inlined: ~25 us per 100-character message.
BIGRAMS_FN = r"""
CREATE OR REPLACE FUNCTION sb_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT regexp_split_to_array(
    regexp_replace(lower(t), '(..)', '\1 ', 'g') || ' ' ||
    regexp_replace(substr(lower(t), 2), '(..)', '\1 ', 'g'),
    '\s+')
$$
"""


def upgrade() -> None:
    # The inbox list (newest activity first, keyset on (last_activity_at, id)) with no status
    # or inbox filter: without this the planner sorts the whole table (26 ms at 100k rows).
    op.create_index("ix_conversation_activity", "conversation", ["last_activity_at", "id"])
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(BIGRAMS_FN)
    for table, columns in SEARCHED:
        for col in columns:
            op.execute(
                f"CREATE INDEX ix_{table}_{col}_trgm ON {table} USING gin ({col} gin_trgm_ops)"
            )
            op.execute(
                f"CREATE INDEX ix_{table}_{col}_bigram ON {table} USING gin (sb_bigrams({col}))"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, _ in SEARCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    else:
        for table, columns in SEARCHED:
            for col in columns:
                op.execute(f"DROP INDEX IF EXISTS ix_{table}_{col}_trgm")
                op.execute(f"DROP INDEX IF EXISTS ix_{table}_{col}_bigram")
        op.execute("DROP FUNCTION IF EXISTS sb_bigrams(text)")
    op.drop_index("ix_conversation_activity", table_name="conversation")
    # The pg_trgm extension stays: other objects may use it, and it costs nothing unused.


def _sqlite_upgrade() -> None:
    version = tuple(int(part) for part in sqlite3.sqlite_version.split("."))
    if version < (3, 34, 0):
        raise RuntimeError(
            f"SQLite {sqlite3.sqlite_version} lacks the FTS5 trigram tokenizer (needs 3.34+)"
        )
    for table, columns in SEARCHED:
        fts = f"{table}_fts"
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
            f"content_rowid='id', tokenize='trigram')"
        )
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        op.execute(
            f"CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_au AFTER UPDATE OF {cols} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
