"""issue 13: chat message identity per visitor session; unverified contact emails

1. A chat message's provider id becomes `<session_id>/<client_msg_id>` (connectors/webchat):
   the widget chooses `client_msg_id`, so it is unique only within a visitor's session, while
   messages are unique on (channel account, external id). Existing inbound chat messages are
   rewritten to the scoped form, so a retry of an old message still deduplicates.
2. `contact.email_verified`: an address typed into the chat widget is kept but never joins
   another contact by itself. Existing contacts known only through the chat are marked
   unverified; every other contact keeps its address as verified.

Plain UPDATEs and ADD COLUMN: the same on SQLite and PostgreSQL, no table rebuild (the
SQLite FTS triggers of 0005 stay in place).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CHAT_MESSAGES = """
    message.direction = 'inbound'
    AND message.external_id IS NOT NULL
    AND message.conversation_id IN (
        SELECT conversation.id FROM conversation
        JOIN channel_account ON channel_account.id = conversation.channel_account_id
        WHERE conversation.kind = 'chat' AND channel_account.connector = 'webchat'
    )
"""

THREAD_KEY = "(SELECT thread_key FROM conversation WHERE conversation.id = message.conversation_id)"


def upgrade() -> None:
    op.execute(
        f"UPDATE message SET external_id = {THREAD_KEY} || '/' || external_id "
        f"WHERE {CHAT_MESSAGES} AND message.external_id NOT LIKE '%/%'"  # noqa: S608 (constants)
    )
    op.add_column(
        "contact",
        sa.Column("email_verified", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.execute(
        "UPDATE contact SET email_verified = false WHERE email IS NOT NULL "
        "AND id IN (SELECT contact_id FROM contact_identity WHERE channel = 'webchat') "
        "AND id NOT IN (SELECT contact_id FROM contact_identity WHERE channel <> 'webchat')"
    )


def downgrade() -> None:
    # Not batch_alter_table: on SQLite that rebuilds contact and drops the 0005 FTS triggers.
    op.execute("ALTER TABLE contact DROP COLUMN email_verified")
    op.execute(
        f"UPDATE message SET external_id = substr(external_id, length({THREAD_KEY}) + 2) "
        f"WHERE {CHAT_MESSAGES} AND message.external_id LIKE {THREAD_KEY} || '/%'"  # noqa: S608
    )
