"""email ingest indexes: contact by lower(email), conversations by sender and activity (issue 12)

Both lookups ran as sequential scans, which made ingest 38 % slower at 50k conversations:
a new sender's contact is found by `lower(email)`, and subject threading looks at one sender's
conversations of the last 14 days. Expression indexes work on SQLite and PostgreSQL alike.

Revision ID: 0008_mail
Revises: 0007_rely
Create Date: 2026-12-05 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_mail"
down_revision = "0007_rely"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_email_lower", "contact", [sa.text("lower(email)")])
    op.create_index(
        "ix_conversation_participant_activity",
        "conversation",
        ["channel_account_id", "participant_key", "last_activity_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_participant_activity", table_name="conversation")
    op.drop_index("ix_contact_email_lower", table_name="contact")
