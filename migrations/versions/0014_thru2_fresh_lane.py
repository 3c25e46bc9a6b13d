"""inbound_delivery.route and the waiting-row indexes for the fresh claim lane (issue 12)

Revision ID: 0014_thru2
Revises: 0013_flow2
Create Date: 2026-12-05 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_thru2"
down_revision = "0013_flow2"
branch_labels = None
depends_on = None

_WAITING = sa.text("status = 'received'")


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy): SQLite supports it and keeps the table as it is.
    op.add_column("inbound_delivery", sa.Column("route", sa.String(length=255), nullable=True))
    op.create_index(
        "ix_inbound_delivery_waiting",
        "inbound_delivery",
        ["id"],
        postgresql_where=_WAITING,
        sqlite_where=_WAITING,
    )
    op.create_index(
        "ix_inbound_delivery_waiting_route",
        "inbound_delivery",
        ["connector", "route", "id"],
        postgresql_where=_WAITING,
        sqlite_where=_WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_delivery_waiting_route", table_name="inbound_delivery")
    op.drop_index("ix_inbound_delivery_waiting", table_name="inbound_delivery")
    with op.batch_alter_table("inbound_delivery") as batch_op:
        batch_op.drop_column("route")
