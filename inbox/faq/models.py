"""FAQ articles in the database: a stable slug, and an append-only history of versions.

An edit never overwrites text: it adds a FaqArticleVersion and moves the article's
`current_version` pointer, so admins can see who changed an answer and restore an old one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inbox.models.base import Base, utcnow


class FaqArticle(Base):
    __tablename__ = "faq_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    # The cycle article -> version -> article is closed after both rows exist (post_update).
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("faq_article_version.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    current_version: Mapped[FaqArticleVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[FaqArticleVersion]] = relationship(
        back_populates="article",
        foreign_keys="FaqArticleVersion.article_id",
        order_by="FaqArticleVersion.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class FaqArticleVersion(Base):
    """One complete state of an article: category and both locales' title, answer, keywords."""

    __tablename__ = "faq_article_version"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("faq_article.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per article
    category: Mapped[str] = mapped_column(String(64))
    title_ko: Mapped[str] = mapped_column(Text)
    answer_ko: Mapped[str] = mapped_column(Text)
    keywords_ko: Mapped[list[str]] = mapped_column(JSON, default=list)
    title_en: Mapped[str] = mapped_column(Text)
    answer_en: Mapped[str] = mapped_column(Text)
    keywords_en: Mapped[list[str]] = mapped_column(JSON, default=list)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)  # why it changed: "seed", "import", free text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[FaqArticle] = relationship(back_populates="versions", foreign_keys=[article_id])


class FaqEvidence(Base):
    """A customer's own words that an article answered: learned phrasing for the ranking.

    Written when an agent sends a reply with an inserted FAQ answer (source "agent") or a chat
    visitor says an answer solved it (source "visitor"). One row per article, conversation and
    source (the constraint makes a double click or a retried request harmless). An admin can
    remove a row that taught the wrong thing; removed rows stay for the record.
    """

    __tablename__ = "faq_evidence"
    __table_args__ = (UniqueConstraint("article_id", "conversation_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("faq_article.id", ondelete="CASCADE"))
    phrase: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))  # "agent" | "visitor"
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )

    article: Mapped[FaqArticle] = relationship(foreign_keys=[article_id])
