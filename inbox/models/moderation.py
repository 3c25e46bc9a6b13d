"""Comment moderation requests: hide, unhide or delete a customer's comment on the platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inbox.models.base import Base, utcnow
from inbox.models.conversations import Message
from inbox.models.people import User

MODERATION_ACTIONS = ("hide", "unhide", "delete")
MODERATION_STATUSES = ("pending", "done", "failed")


class CommentModeration(Base):
    """One request to change a comment on the platform, and how it ended.

    The rows are the history the thread shows ("hidden by 민지 at 10:02") and the job's work
    list: the job acts on `pending` rows only, so running it twice calls the platform once.
    At most one request per comment is pending (a partial unique index), so two agents
    clicking at once get one platform call, and the second click answers with the first row.
    """

    __tablename__ = "comment_moderation"
    __table_args__ = (
        Index("ix_comment_moderation_message_id", "message_id", "id"),
        Index(
            "ux_comment_moderation_pending",
            "message_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_comment_moderation_status", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("message.id", ondelete="CASCADE"),
    )
    action: Mapped[str] = mapped_column(String(16))  # hide | unhide | delete
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)

    message: Mapped[Message] = relationship()
    requested_by: Mapped[User | None] = relationship()
