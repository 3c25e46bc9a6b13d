"""agents' phone numbers: incoming calls ring the on-shift agents' phones, click-to-call
rings the agent first (issue 18)

Revision ID: 0020_phone
Revises: 0019_care
Create Date: 2026-12-05 13:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_phone"
down_revision = "0019_care"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("phone")
