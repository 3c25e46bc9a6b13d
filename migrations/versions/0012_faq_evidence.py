"""faq evidence: customers' phrasings that an article answered (agent inserts, visitor "solved it")

Revision ID: 0012_faq
Revises: 0011_team
Create Date: 2026-12-05 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inbox.models.base

revision = "0012_faq"
down_revision = "0011_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", inbox.models.base.UTCDateTime(), nullable=False),
        sa.Column("removed_at", inbox.models.base.UTCDateTime(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["faq_article.id"],
            name=op.f("fk_faq_evidence_article_id_faq_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_faq_evidence_conversation_id_conversation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_faq_evidence_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"],
            ["app_user.id"],
            name=op.f("fk_faq_evidence_removed_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_evidence")),
        sa.UniqueConstraint(
            "article_id",
            "conversation_id",
            "source",
            name=op.f("uq_faq_evidence_article_id_conversation_id_source"),
        ),
    )


def downgrade() -> None:
    op.drop_table("faq_evidence")
