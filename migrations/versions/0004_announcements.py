"""announcements: announcement, announcement_image, announcement_target (issue 9)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_announcement_author_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
        sa.UniqueConstraint("uuid", name=op.f("uq_announcement_uuid")),
    )
    op.create_index("ix_announcement_status_scheduled", "announcement", ["status", "scheduled_at"])
    op.create_table(
        "announcement_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcement_image_announcement_id_announcement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_image")),
        sa.UniqueConstraint("token", name=op.f("uq_announcement_image_token")),
    )
    op.create_index(
        op.f("ix_announcement_image_announcement_id"), "announcement_image", ["announcement_id"]
    )
    op.create_table(
        "announcement_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("channel_account_id", sa.Integer(), nullable=False),
        sa.Column("text_override", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=True),
        sa.Column("permalink", sa.Text(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcement_target_announcement_id_announcement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["channel_account_id"],
            ["channel_account.id"],
            name=op.f("fk_announcement_target_channel_account_id_channel_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_target")),
        sa.UniqueConstraint(
            "announcement_id",
            "channel_account_id",
            name=op.f("uq_announcement_target_announcement_id_channel_account_id"),
        ),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_announcement_target_idempotency_key")),
    )
    op.create_index(
        op.f("ix_announcement_target_announcement_id"), "announcement_target", ["announcement_id"]
    )
    op.create_index(
        "ix_announcement_target_status_claimed", "announcement_target", ["status", "claimed_at"]
    )
    op.create_index(
        "ix_announcement_target_account_external",
        "announcement_target",
        ["channel_account_id", "external_id"],
    )


def downgrade() -> None:
    op.drop_table("announcement_target")
    op.drop_table("announcement_image")
    op.drop_table("announcement")
