"""oauth connect flows: oauth_state (single-use state per attempt), channel token expiry

Revision ID: 0015_oauth
Revises: 0014_thru2
Create Date: 2026-12-05 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inbox.models.base

revision = "0015_oauth"
down_revision = "0014_thru2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("channel_account_id", sa.Integer(), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", inbox.models.base.UTCDateTime(), nullable=False),
        sa.Column("used_at", inbox.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_oauth_state_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_state")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_state_state_hash")),
    )
    with op.batch_alter_table("channel_account") as batch:
        batch.add_column(
            sa.Column("token_expires_at", inbox.models.base.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("channel_account") as batch:
        batch.drop_column("token_expires_at")
    op.drop_table("oauth_state")
