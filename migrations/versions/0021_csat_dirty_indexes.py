"""csat: indexes for the reports' refresh-on-view, and the roll-up's version


Every reports page view asks which conversations changed after the roll-up's watermark:
`conversation.updated_at` was indexed by 0019; `conversation_sla.updated_at` and
`csat_survey.answered_at` were not, so each view scanned both tables whole.
`report_state.version` changes whenever buckets change; built reports are cached under it.

Revision ID: 0021_csat
Revises: 0020_phone
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_csat"
down_revision = "0020_phone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversation_sla_updated_at", "conversation_sla", ["updated_at"])
    op.create_index("ix_csat_survey_answered_at", "csat_survey", ["answered_at"])
    op.add_column(
        "report_state",
        sa.Column("version", sa.String(length=32), server_default="", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("report_state") as batch:
        batch.drop_column("version")
    op.drop_index("ix_csat_survey_answered_at", table_name="csat_survey")
    op.drop_index("ix_conversation_sla_updated_at", table_name="conversation_sla")
