"""privacy requests: the erasure queue and its public status (issue 16)

Only a new table: contact and message are left alone (a SQLite batch alter would drop the
search triggers of 0005).

Revision ID: 0016_privacy
Revises: 0015_oauth
Create Date: 2026-12-05 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inbox.models.base

revision = "0016_privacy"
down_revision = "0015_oauth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("confirmation_code", sa.String(length=40), nullable=False),
        sa.Column("contact_ids", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("pending_files", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_at", inbox.models.base.UTCDateTime(), nullable=False),
        sa.Column("completed_at", inbox.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["app_user.id"],
            name=op.f("fk_privacy_request_requested_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_request")),
        sa.UniqueConstraint("confirmation_code", name=op.f("uq_privacy_request_confirmation_code")),
    )
    op.create_index("ix_privacy_request_status", "privacy_request", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_privacy_request_status", table_name="privacy_request")
    op.drop_table("privacy_request")
