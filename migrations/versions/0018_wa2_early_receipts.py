"""early receipts: delivery statuses that arrive before the send that they are about is recorded

Revision ID: 0018_wa2
Revises: 0017_moderate
Create Date: 2026-12-05 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inbox.models.base

revision = "0018_wa2"
down_revision = "0017_moderate"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "early_receipt",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel_account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("received_at", inbox.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_account_id"],
            ["channel_account.id"],
            name=op.f("fk_early_receipt_channel_account_id_channel_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_early_receipt")),
        sa.UniqueConstraint(
            "channel_account_id",
            "external_id",
            name=op.f("uq_early_receipt_channel_account_id_external_id"),
        ),
    )
    op.create_index(
        op.f("ix_early_receipt_received_at"), "early_receipt", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_early_receipt_received_at"), table_name="early_receipt")
    op.drop_table("early_receipt")
