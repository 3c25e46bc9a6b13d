"""counts: per-view counts under a label filter from a delta table kept by triggers (issue 21)

With `label=` the inbox page still counted its views with COUNT over the labelled
conversations (350 ms p95 at 1M conversations): a label is not part of 0022's key.
`conversation_label_count` holds signed deltas per (label, inbox, status, team, assignee),
inserted by triggers in the transaction that changes either side:

- conversation_label INSERT / DELETE / UPDATE: ±1 for the link's label under its
  conversation's current key. The trigger first takes the conversation row's lock (FOR NO KEY
  UPDATE, what an UPDATE of the row takes): otherwise a label added while another transaction
  changes the conversation's status could be counted under the old status by one side and
  missed by the other. A link removed because its conversation is being deleted finds no
  conversation and writes nothing (the conversation's own trigger did).
- conversation UPDATE of a key column (only when one really changes): −1 under the old key,
  +1 under the new, for each of its labels.
- conversation BEFORE DELETE: −1 for each of its labels, while they are still there (the
  ON DELETE CASCADE of the links runs after the row is gone, on both backends).

The list under a label filter walked the queue checking each conversation for the label,
fine for a common label and a full walk of the queue for a rare one (70 ms for 20 of 200k
open conversations): ix_conversation_label_label lets the planner start from the label.

Deltas, as in 0022: only inserts, no counter row two agents would wait on. The initial rows
are one GROUP BY in the same transaction as the triggers (CREATE TRIGGER locks out writers
until the commit).

Revision ID: 0025_counts
Revises: 0024_lead
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_counts"
down_revision = "0024_lead"
branch_labels = None
depends_on = None

KEY = ("channel_account_id", "status", "team_id", "assignee_id")
COLS = ", ".join(KEY)
INSERT = f"INSERT INTO conversation_label_count (label_id, {COLS}, n)"
CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in KEY)  # SQLite's null-safe compare
PG_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in KEY)


def _of(row: str) -> str:
    return ", ".join(f"{row}.{c}" for c in KEY)


def _link(row: str, n: int) -> str:
    """The delta for link `row` (OLD/NEW of conversation_label) under its conversation's key."""
    return (
        f"{INSERT} SELECT {row}.label_id, {_of('c')}, {n} FROM conversation c "
        f"WHERE c.id = {row}.conversation_id"
    )


def _labels(row: str, n: int) -> str:
    """The deltas for every label of conversation `row` (OLD/NEW of conversation) under its key."""
    return (
        f"{INSERT} SELECT cl.label_id, {_of(row)}, {n} FROM conversation_label cl "
        f"WHERE cl.conversation_id = {row}.id"
    )


def upgrade() -> None:
    op.create_table(
        "conversation_label_count",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("channel_account_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_label_count")),
    )
    op.create_index(
        "ix_conversation_label_count_label", "conversation_label_count", ["label_id", "status"]
    )
    op.create_index("ix_conversation_label_label", "conversation_label", ["label_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION sb_label_count_link() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    PERFORM 1 FROM conversation WHERE id = OLD.conversation_id
                        FOR NO KEY UPDATE;
                    {_link("OLD", -1)};
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    PERFORM 1 FROM conversation WHERE id = NEW.conversation_id
                        FOR NO KEY UPDATE;
                    {_link("NEW", 1)};
                END IF;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"""
            CREATE FUNCTION sb_label_count_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_labels("OLD", -1)};
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                {_labels("NEW", 1)};
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER label_count_link AFTER INSERT OR DELETE OR UPDATE "
            "ON conversation_label FOR EACH ROW EXECUTE FUNCTION sb_label_count_link()"
        )
        op.execute(
            "CREATE TRIGGER label_count_delete BEFORE DELETE ON conversation "
            "FOR EACH ROW EXECUTE FUNCTION sb_label_count_conversation()"
        )
        op.execute(
            f"CREATE TRIGGER label_count_update AFTER UPDATE OF {COLS} ON conversation "
            f"FOR EACH ROW WHEN ({PG_CHANGED}) EXECUTE FUNCTION sb_label_count_conversation()"
        )
    else:
        for name, event, body in (
            ("link_insert", "AFTER INSERT ON conversation_label", _link("NEW", 1)),
            ("link_delete", "AFTER DELETE ON conversation_label", _link("OLD", -1)),
            (
                "link_update",
                "AFTER UPDATE ON conversation_label",
                f"{_link('OLD', -1)}; {_link('NEW', 1)}",
            ),
            ("delete", "BEFORE DELETE ON conversation", _labels("OLD", -1)),
            (
                "update",
                f"AFTER UPDATE OF {COLS} ON conversation WHEN {CHANGED}",
                f"{_labels('OLD', -1)}; {_labels('NEW', 1)}",
            ),
        ):
            op.execute(f"CREATE TRIGGER label_count_{name} {event} BEGIN {body}; END")
    op.execute(
        f"{INSERT} SELECT cl.label_id, {_of('c')}, count(*) FROM conversation_label cl "
        f"JOIN conversation c ON c.id = cl.conversation_id GROUP BY cl.label_id, {_of('c')}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS label_count_link ON conversation_label")
        op.execute("DROP TRIGGER IF EXISTS label_count_delete ON conversation")
        op.execute("DROP TRIGGER IF EXISTS label_count_update ON conversation")
        op.execute("DROP FUNCTION IF EXISTS sb_label_count_link()")
        op.execute("DROP FUNCTION IF EXISTS sb_label_count_conversation()")
    else:
        for name in ("link_insert", "link_delete", "link_update", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS label_count_{name}")
    op.drop_index("ix_conversation_label_label", table_name="conversation_label")
    op.drop_index("ix_conversation_label_count_label", table_name="conversation_label_count")
    op.drop_table("conversation_label_count")
