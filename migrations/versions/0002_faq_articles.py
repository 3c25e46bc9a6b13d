"""faq articles: faq_article (slug, current version) and faq_article_version (history)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:50:20.687828
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

POINTER_FK = 'fk_faq_article_current_version_id_faq_article_version'


def upgrade() -> None:
    op.create_table('faq_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_article')),
    sa.UniqueConstraint('slug', name=op.f('uq_faq_article_slug'))
    )
    op.create_table('faq_article_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('title_ko', sa.Text(), nullable=False),
    sa.Column('answer_ko', sa.Text(), nullable=False),
    sa.Column('keywords_ko', sa.JSON(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=False),
    sa.Column('answer_en', sa.Text(), nullable=False),
    sa.Column('keywords_en', sa.JSON(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['faq_article.id'], name=op.f('fk_faq_article_version_article_id_faq_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['editor_id'], ['app_user.id'], name=op.f('fk_faq_article_version_editor_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_article_version')),
    sa.UniqueConstraint('article_id', 'number', name=op.f('uq_faq_article_version_article_id_number'))
    )
    # The pointer closes a cycle (article -> version -> article), so it is added once both
    # tables exist; batch mode rebuilds the (empty) table on SQLite, which cannot ALTER it.
    with op.batch_alter_table('faq_article') as batch:
        batch.create_foreign_key(
            POINTER_FK, 'faq_article_version', ['current_version_id'], ['id'], ondelete='SET NULL'
        )


def downgrade() -> None:
    with op.batch_alter_table('faq_article') as batch:
        batch.drop_constraint(POINTER_FK, type_='foreignkey')
    op.drop_table('faq_article_version')
    op.drop_table('faq_article')
