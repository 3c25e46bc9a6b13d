"""Conversations, their messages and attachments, labels, and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inbox.models.base import Base, utcnow
from inbox.models.channels import ChannelAccount
from inbox.models.people import Contact, User

STATUSES = ("open", "pending", "snoozed", "resolved")
PRIORITIES = ("none", "low", "medium", "high", "urgent")
DELIVERY_STATUSES = ("pending", "sending", "sent", "delivered", "read", "failed")

conversation_label = Table(
    "conversation_label",
    Base.metadata,
    Column("conversation_id", ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", ForeignKey("label.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_conversation_label_label", "label_id"),  # a label's conversations (0025)
)


class Label(Base):
    __tablename__ = "label"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    color: Mapped[str] = mapped_column(String(16), default="#888888")


class Conversation(Base):
    """One thread with one customer on one channel account.

    Unique on (account, kind, thread_key, participant_key): a DM thread per customer, a post's
    comments per commenter, an email thread per sender. `participant_key` is the customer's
    provider id at creation, so merging contacts never collides with this key.
    """

    __tablename__ = "conversation"
    __table_args__ = (
        UniqueConstraint("channel_account_id", "kind", "thread_key", "participant_key"),
        Index("ix_conversation_activity", "last_activity_at", "id"),  # the unfiltered list
        Index("ix_conversation_status_activity", "status", "last_activity_at", "id"),  # list order
        Index("ix_conversation_account_activity", "channel_account_id", "last_activity_at"),
        Index("ix_conversation_assignee_status", "assignee_id", "status"),
        # Email subject threading: one sender's recent conversations (inbox/threading.py).
        Index(
            "ix_conversation_participant_activity",
            "channel_account_id",
            "participant_key",
            "last_activity_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_account.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # dm | comment | mention | email | chat
    thread_key: Mapped[str] = mapped_column(String(300))
    participant_key: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(Text)
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)  # e.g. the post commented on
    status: Mapped[str] = mapped_column(String(16), default="open")
    snoozed_until: Mapped[datetime | None]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    priority: Mapped[str] = mapped_column(String(16), default="none")
    category: Mapped[str | None] = mapped_column(String(64))  # FAQ slug
    resolution_summary: Mapped[str | None] = mapped_column(Text)
    # offered | resolved | handed_off | no_match (inbox/selfservice.py)
    self_service: Mapped[str | None] = mapped_column(String(16))
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_customer_message_at: Mapped[datetime | None]
    agent_last_seen_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    waiting_since: Mapped[datetime | None]  # oldest unanswered customer message
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Reports (issue 20): reopen count, follow-up task, and every row change for the roll-up.
    reopen_count: Mapped[int] = mapped_column(default=0, server_default="0")
    follow_up_task: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    account: Mapped[ChannelAccount] = relationship()
    contact: Mapped[Contact] = relationship()
    assignee: Mapped[User | None] = relationship()
    labels: Mapped[list[Label]] = relationship(secondary=conversation_label)


class ConversationCount(Base):
    """How many conversations each (inbox, status, team, assignee) has, as signed deltas.

    Written only by database triggers on `conversation` (migration 0022), in the transaction
    that changes the row, so the sums always equal COUNT(*). Rows are only ever inserted (no
    hot row to lock, no deadlock between two agents' actions); inbox/counts.py sums them and
    now and then folds them into one row per key. No foreign keys: a delta outlives nothing.
    """

    __tablename__ = "conversation_count"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    channel_account_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None]
    assignee_id: Mapped[int | None]
    n: Mapped[int]


class ConversationLabelCount(Base):
    """ConversationCount per label: how many conversations with each label each (inbox, status,
    team, assignee) has, as signed deltas, so a label view counts without reading its rows.

    Written only by database triggers on `conversation` and `conversation_label` (migration
    0025), in the transaction that changes either, so the sums always equal COUNT(*) over the
    labelled conversations; inbox/counts.py sums and folds them like ConversationCount's.
    """

    __tablename__ = "conversation_label_count"
    __table_args__ = (Index("ix_conversation_label_count_label", "label_id", "status"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    label_id: Mapped[int]
    channel_account_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None]
    assignee_id: Mapped[int | None]
    n: Mapped[int]


class Message(Base):
    """A message, comment, private note or system event in a conversation."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("channel_account_id", "external_id"),
        Index("ix_message_conversation_id", "conversation_id", "id"),
        Index("ix_message_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"))
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_account.id"))
    external_id: Mapped[str | None] = mapped_column(String(300))
    direction: Mapped[str] = mapped_column(String(8))  # inbound | outbound
    kind: Mapped[str] = mapped_column(String(16), default="message")  # message|comment|note|event
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    author_label: Mapped[str | None] = mapped_column(String(200))  # e.g. "Page inbox (external)"
    text: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)  # sanitized with nh3 before storing
    subject: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(16))  # outbound delivery status
    failure_reason: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    sending_started_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # provider time for inbound
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    conversation: Mapped[Conversation] = relationship()
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.id"
    )


class EarlyReceipt(Base):
    """A delivery status for a provider message id we have not recorded yet.

    The provider may report `delivered`/`read`/`failed` before the send job has committed the
    id it got back (or before the echo of a send from elsewhere is stored). The status waits
    here, one row per (account, provider id), and is applied when the id is recorded
    (inbox/receipts.py); rows nobody claims are pruned after a week (inbox/retention.py).
    """

    __tablename__ = "early_receipt"
    __table_args__ = (UniqueConstraint("channel_account_id", "external_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_account.id"))
    external_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))  # delivered | read | failed
    failure_reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Attachment(Base):
    """A file on a message, stored once by content hash (see inbox/attachments.py)."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="file")
    filename: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    source_url: Mapped[str | None] = mapped_column(Text)
    problem: Mapped[str | None] = mapped_column(Text)  # why it was not stored (too big, 404...)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    message: Mapped[Message] = relationship(back_populates="attachments")


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
