"""Announcements: one marketing post, its images, and one publishing target per channel account.

An announcement is what the marketer writes; each target is one post on one account, with its
own status, so one platform failing never blocks the others. `version` on both tables lets a
job scheduled for an old time recognise that it is stale (see inbox/announcements.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inbox.models.base import Base, utcnow
from inbox.models.channels import ChannelAccount
from inbox.models.people import User

ANNOUNCEMENT_STATUSES = ("draft", "scheduled", "publishing", "done", "cancelled")
TARGET_STATUSES = ("draft", "scheduled", "publishing", "published", "failed", "cancelled")


class Announcement(Base):
    __tablename__ = "announcement"
    __table_args__ = (
        Index("ix_announcement_status_scheduled", "status", "scheduled_at"),
        Index("ux_announcement_idempotency_key", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    # POST /api/v1/announcements `Idempotency-Key`: a retried create returns this row.
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    title: Mapped[str | None] = mapped_column(String(200))  # internal label for the list
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(Text)
    # None: publish as soon as it is scheduled ("publish now").
    scheduled_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")  # as entered
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(default=1)  # bumped on every re-time or edit
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None]  # first target claimed
    finished_at: Mapped[datetime | None]  # every target published, failed or cancelled

    author: Mapped[User | None] = relationship()
    images: Mapped[list[AnnouncementImage]] = relationship(
        back_populates="announcement",
        order_by="AnnouncementImage.position",
        cascade="all, delete-orphan",
    )
    targets: Mapped[list[AnnouncementTarget]] = relationship(
        back_populates="announcement",
        order_by="AnnouncementTarget.id",
        cascade="all, delete-orphan",
    )


class AnnouncementImage(Base):
    """An uploaded image; bytes live in the attachment store, served publicly by `token`.

    The platforms fetch images by URL (Meta requires a public URL), so the route is
    unauthenticated; the random token is what keeps unpublished images from being guessed.
    """

    __tablename__ = "announcement_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    filename: Mapped[str | None] = mapped_column(String(300))

    announcement: Mapped[Announcement] = relationship(back_populates="images")


class AnnouncementTarget(Base):
    """One post on one channel account; `idempotency_key` names it on every attempt."""

    __tablename__ = "announcement_target"
    __table_args__ = (
        UniqueConstraint("announcement_id", "channel_account_id"),
        Index("ix_announcement_target_status_claimed", "status", "claimed_at"),
        Index("ix_announcement_target_account_external", "channel_account_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), index=True
    )
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_account.id"))
    text_override: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(default=1)  # the announcement version it belongs to
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(300))
    permalink: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    first_claimed_at: Mapped[datetime | None]  # lower bound when looking for an earlier post
    claimed_at: Mapped[datetime | None]  # lease start of the current attempt
    next_attempt_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    announcement: Mapped[Announcement] = relationship(back_populates="targets")
    account: Mapped[ChannelAccount] = relationship()
