"""Hand calls left "placing" before the sweeper had a deadline to the sweeper.

Since the click-to-call change a claimed call carries a deadline in `next_attempt_at`, and the
sweeper settles it as "not placed, call again" when the job died before the provider answered
(inbox/calls.py, settle_stale). A call claimed by an older version has no deadline, so nothing
would ever settle it: the agent sees "placing" forever. This gives each such call a deadline
that has already passed; the next sweep settles it exactly as it settles a new one (a late
status from the provider still wins, as it does for any settled call).

Calls live only in phone conversations, so the search starts from the phone accounts and uses
the message's conversation index; a database without phone accounts reads nothing.

Revision ID: 0024_lead
Revises: 0023_lead
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0024_lead"
down_revision = "0023_lead"
branch_labels = None
depends_on = None

CANDIDATES = sa.text(
    "SELECT m.id, m.meta FROM message m "
    "JOIN conversation c ON c.id = m.conversation_id "
    "JOIN channel_account a ON a.id = c.channel_account_id "
    "WHERE a.channel = 'phone' AND m.kind = 'call' "
    "AND m.status IS NULL AND m.next_attempt_at IS NULL"
)


def _stage(meta: object) -> object:
    if isinstance(meta, str | bytes):
        meta = json.loads(meta or "{}")
    return meta.get("stage") if isinstance(meta, dict) else None


def upgrade() -> None:
    bind = op.get_bind()
    stuck = [row.id for row in bind.execute(CANDIDATES) if _stage(row.meta) == "placing"]
    if stuck:
        bind.execute(
            sa.text("UPDATE message SET next_attempt_at = :now WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"now": datetime.now(UTC), "ids": stuck},
        )


def downgrade() -> None:
    """Nothing to undo: a passed deadline on a call that was stuck anyway."""
