"""The status list index carries the list's whole sort key: (status, last_activity_at, id).

The inbox lists a status newest first with `ORDER BY last_activity_at DESC, id DESC` (id breaks
ties so keyset paging is exact). With (status, last_activity_at) alone PostgreSQL adds an
Incremental Sort over the id, which must read every row sharing the boundary timestamp before
it can stop: at 1M conversations, a search in the open queue whose rows shared one timestamp
(18,091 of them, an import) read all of them to return 26. With the id in the index the scan
stops at the 26th match. Built on 1M conversations in a few seconds.

Revision ID: 0023_lead
Revises: 0022_scale
"""

from __future__ import annotations

from alembic import op

revision = "0023_lead"
down_revision = "0022_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_conversation_status_activity", table_name="conversation")
    op.create_index(
        "ix_conversation_status_activity", "conversation", ["status", "last_activity_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_status_activity", table_name="conversation")
    op.create_index(
        "ix_conversation_status_activity", "conversation", ["status", "last_activity_at"]
    )
