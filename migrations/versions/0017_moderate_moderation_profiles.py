"""moderate: comment moderation requests, identity profile lookups, effective poll intervals

Only new columns (ALTER TABLE ... ADD COLUMN, no batch copy, so SQLite keeps the search
triggers of 0005 on contact_identity) and one new table.

Revision ID: 0017_moderate
Revises: 0016_privacy
Create Date: 2026-12-05 10:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inbox.models.base

revision = "0017_moderate"
down_revision = "0016_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_moderation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", inbox.models.base.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", inbox.models.base.UTCDateTime(), nullable=True),
        sa.Column("done_at", inbox.models.base.UTCDateTime(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
            name=op.f("fk_comment_moderation_message_id_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["app_user.id"],
            name=op.f("fk_comment_moderation_requested_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_moderation")),
    )
    op.create_index(
        "ix_comment_moderation_message_id", "comment_moderation", ["message_id", "id"]
    )
    op.create_index(
        "ix_comment_moderation_status", "comment_moderation", ["status", "requested_at"]
    )
    op.create_index(
        "ux_comment_moderation_pending",
        "comment_moderation",
        ["message_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.add_column("contact_identity", sa.Column("avatar_url", sa.Text(), nullable=True))
    op.add_column(
        "contact_identity",
        sa.Column("profile_checked_at", inbox.models.base.UTCDateTime(), nullable=True),
    )
    op.add_column("contact_identity", sa.Column("profile_problem", sa.Text(), nullable=True))
    op.add_column("sync_cursor", sa.Column("interval_seconds", sa.Float(), nullable=True))
    op.add_column("sync_cursor", sa.Column("interval_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_cursor") as batch:
        batch.drop_column("interval_reason")
        batch.drop_column("interval_seconds")
    # contact_identity carries the search triggers of 0005: drop columns in place
    # (SQLite >= 3.35) rather than by a batch copy that would lose them.
    op.drop_column("contact_identity", "profile_problem")
    op.drop_column("contact_identity", "profile_checked_at")
    op.drop_column("contact_identity", "avatar_url")
    op.drop_index("ux_comment_moderation_pending", table_name="comment_moderation")
    op.drop_index("ix_comment_moderation_status", table_name="comment_moderation")
    op.drop_index("ix_comment_moderation_message_id", table_name="comment_moderation")
    op.drop_table("comment_moderation")
