"""announcement.idempotency_key: POST /api/v1/announcements honours an Idempotency-Key

A client that retries a create after a timeout gets the announcement it already made instead
of a second one (which would post twice). Nullable: the UI and old rows have none.

Revision ID: 0007_rely
Revises: 0006
Create Date: 2026-12-05 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_rely"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("announcement", sa.Column("idempotency_key", sa.String(100), nullable=True))
    op.create_index(
        "ux_announcement_idempotency_key", "announcement", ["idempotency_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_announcement_idempotency_key", table_name="announcement")
    op.drop_column("announcement", "idempotency_key")
