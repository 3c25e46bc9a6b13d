"""care: report roll-ups, CSAT surveys, category resolve rules, reopen count and follow-up task

Columns are added to `conversation` with plain ADD COLUMN (no SQLite batch alter, which would
drop the search triggers of 0005).

Revision ID: 0019_care
Revises: 0018_wa2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inbox.models.base

revision = "0019_care"
down_revision = "0018_wa2"
branch_labels = None
depends_on = None

UTC = inbox.models.base.UTCDateTime


def upgrade() -> None:
    op.add_column(
        "conversation", sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("conversation", sa.Column("follow_up_task", sa.Text(), nullable=True))
    op.add_column("conversation", sa.Column("updated_at", UTC(), nullable=True))
    op.create_index("ix_conversation_updated_at", "conversation", ["updated_at"])
    counts = [
        sa.Column(name, sa.Integer(), nullable=False)
        for name in ("created", "resolved", "reopened", "ever_resolved", "frt_n", "nrt_n", "res_n")
    ]
    op.create_table(
        "report_bucket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hour", UTC(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        *counts,
        sa.Column("frt_sum", sa.BigInteger(), nullable=False),
        sa.Column("frt_hist", sa.JSON(), nullable=False),
        sa.Column("nrt_sum", sa.BigInteger(), nullable=False),
        sa.Column("nrt_hist", sa.JSON(), nullable=False),
        sa.Column("res_sum", sa.BigInteger(), nullable=False),
        sa.Column("res_hist", sa.JSON(), nullable=False),
        sa.Column("sla_n", sa.Integer(), nullable=False),
        sa.Column("sla_met", sa.Integer(), nullable=False),
        sa.Column("csat_n", sa.Integer(), nullable=False),
        sa.Column("csat_sum", sa.Integer(), nullable=False),
        sa.Column("csat_dist", sa.JSON(), nullable=False),
        sa.Column("self_solved", sa.Integer(), nullable=False),
        sa.Column("self_handed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_bucket")),
        sa.UniqueConstraint(
            "dimension", "key", "hour", name=op.f("uq_report_bucket_dimension_key_hour")
        ),
    )
    op.create_index("ix_report_bucket_dimension_hour", "report_bucket", ["dimension", "hour"])
    op.create_table(
        "report_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watermark", UTC(), nullable=False),
        sa.Column("refreshed_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_state")),
    )
    op.create_table(
        "csat_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", UTC(), nullable=False),
        sa.Column("sent_at", UTC(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", UTC(), nullable=True),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_csat_survey_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csat_survey")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_csat_survey_conversation_id")),
    )
    op.create_index("ix_csat_survey_status_due", "csat_survey", ["status", "due_at"])
    op.create_table(
        "category_rule",
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("summary_required", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("category", name=op.f("pk_category_rule")),
    )


def downgrade() -> None:
    op.drop_table("category_rule")
    op.drop_index("ix_csat_survey_status_due", table_name="csat_survey")
    op.drop_table("csat_survey")
    op.drop_table("report_state")
    op.drop_index("ix_report_bucket_dimension_hour", table_name="report_bucket")
    op.drop_table("report_bucket")
    op.drop_index("ix_conversation_updated_at", table_name="conversation")
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("follow_up_task")
        batch.drop_column("reopen_count")
