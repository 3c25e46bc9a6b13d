"""scale: per-view counts from a delta table kept by triggers (issue 21, pages at 1M)

The inbox page counted its views (all, mine, unassigned, each team) with COUNT over
`conversation` on every request: ~150 ms at a million conversations. `conversation_count`
holds signed deltas per (inbox, status, team, assignee), inserted by triggers in the same
transaction as the row change, so its sums equal COUNT(*) whatever code (or SQL) changes a
conversation. Only inserts: two transactions never wait on one counter row. The update
trigger fires only when one of the four key columns really changes (not on every message's
last_activity_at).

Opening a thread looked up merge suggestions by contact name and phone without an index (a
sequential scan of `contact` per thread view): ix_contact_name, ix_contact_phone.

The initial rows are one GROUP BY over the table, in the same transaction as the triggers:
CREATE TRIGGER locks out writers until the commit, so no change falls between the two.

Revision ID: 0022_scale
Revises: 0021_csat
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_scale"
down_revision = "0021_csat"
branch_labels = None
depends_on = None

KEY = ("channel_account_id", "status", "team_id", "assignee_id")
COLS = ", ".join(KEY)
CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in KEY)  # SQLite's null-safe compare
PG_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in KEY)


def _values(row: str, n: int) -> str:
    return ", ".join(f"{row}.{c}" for c in KEY) + f", {n}"


def upgrade() -> None:
    op.create_index("ix_contact_name", "contact", ["name"])
    op.create_index("ix_contact_phone", "contact", ["phone"])
    op.create_table(
        "conversation_count",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel_account_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_count")),
    )
    insert = f"INSERT INTO conversation_count ({COLS}, n) VALUES"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION sb_conversation_count() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    {insert} ({_values("OLD", -1)});
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    {insert} ({_values("NEW", 1)});
                END IF;
                RETURN NULL;
            END $$
            """
        )
        for event, when in (
            ("INSERT", ""),
            ("DELETE", ""),
            (f"UPDATE OF {COLS}", f"WHEN ({PG_CHANGED})"),
        ):
            name = event.split()[0].lower()
            op.execute(
                f"CREATE TRIGGER conversation_count_{name} AFTER {event} ON conversation "
                f"FOR EACH ROW {when} EXECUTE FUNCTION sb_conversation_count()"
            )
    else:
        op.execute(
            "CREATE TRIGGER conversation_count_insert AFTER INSERT ON conversation BEGIN "
            f"{insert} ({_values('NEW', 1)}); END"
        )
        op.execute(
            "CREATE TRIGGER conversation_count_delete AFTER DELETE ON conversation BEGIN "
            f"{insert} ({_values('OLD', -1)}); END"
        )
        op.execute(
            f"CREATE TRIGGER conversation_count_update AFTER UPDATE OF {COLS} ON conversation "
            f"WHEN {CHANGED} BEGIN "
            f"{insert} ({_values('OLD', -1)}); {insert} ({_values('NEW', 1)}); END"
        )
    op.execute(
        f"INSERT INTO conversation_count ({COLS}, n) "
        f"SELECT {COLS}, count(*) FROM conversation GROUP BY {COLS}"
    )


def downgrade() -> None:
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS conversation_count_{name} ON conversation"
                   if op.get_bind().dialect.name == "postgresql"
                   else f"DROP TRIGGER IF EXISTS conversation_count_{name}")  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS sb_conversation_count()")
    op.drop_table("conversation_count")
    op.drop_index("ix_contact_phone", table_name="contact")
    op.drop_index("ix_contact_name", table_name="contact")
