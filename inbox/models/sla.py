"""SLA policies, business hours, and each conversation's SLA clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow


class BusinessHours(Base):
    """Opening hours in one time zone; `channel_account_id` None is the default for all inboxes.

    `weekly` maps "0".."6" (Monday first) to a list of ["HH:MM", "HH:MM"] spans; `always_open`
    ignores it (a 24-hour center). `holidays` lists ISO dates that are closed all day.
    """

    __tablename__ = "business_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    channel_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_account.id", ondelete="CASCADE"), unique=True
    )
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    always_open: Mapped[bool] = mapped_column(default=True)
    weekly: Mapped[dict[str, Any]] = mapped_column(default=dict)
    holidays: Mapped[list[Any]] = mapped_column(JSON, default=list)


class SlaPolicy(Base):
    """Targets in minutes for one priority ("any" matches all), optionally one inbox only."""

    __tablename__ = "sla_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(16), default="any")
    channel_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_account.id", ondelete="CASCADE")
    )
    first_response_minutes: Mapped[int | None]
    next_response_minutes: Mapped[int | None]
    resolution_minutes: Mapped[int | None]
    warn_minutes: Mapped[int] = mapped_column(default=15)  # "about to breach" this long before
    enabled: Mapped[bool] = mapped_column(default=True)


class ConversationSla(Base):
    """The SLA clock of one conversation: the next due time and what has been announced.

    Paused time (pending, snoozed) is added to the targets when the clock runs again.
    """

    __tablename__ = "conversation_sla"
    __table_args__ = (Index("ix_conversation_sla_due", "due_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id", ondelete="SET NULL"))
    target: Mapped[str | None] = mapped_column(
        String(16)
    )  # first_response|next_response|resolution
    due_at: Mapped[datetime | None]  # None while paused or met
    paused_since: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(default=0)
    warned_for: Mapped[str | None] = mapped_column(String(80))  # target + due it warned about
    breached_for: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # reports' refresh
