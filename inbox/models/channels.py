"""Channel accounts, their sync cursors and the raw deliveries they receive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow


class ChannelAccount(Base):
    """One connected page, IG account, X account, mailbox or chat widget (an "inbox")."""

    __tablename__ = "channel_account"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))  # slug: facebook, instagram, x, email, ...
    # The registered connector that translates for this account: the channel's own slug, or
    # "fake" where the demo stands in for a channel that has no configured connector.
    connector: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(200))
    credentials: Mapped[bytes | None] = mapped_column(LargeBinary)  # Fernet-encrypted JSON
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    health: Mapped[str] = mapped_column(String(32), default="ok")  # ok | reconnect_needed | error
    health_detail: Mapped[str | None] = mapped_column(Text)
    health_changed_at: Mapped[datetime | None]
    # When the stored token stops working unless renewed (OAuth grants; None: unknown/never).
    token_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncCursor(Base):
    """Where a pull stream (IMAP mailbox, X mentions, Graph catch-up) left off."""

    __tablename__ = "sync_cursor"
    __table_args__ = (UniqueConstraint("channel_account_id", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(ForeignKey("channel_account.id"))
    stream: Mapped[str] = mapped_column(String(100))
    value: Mapped[str | None] = mapped_column(Text)
    next_poll_at: Mapped[datetime | None]
    # What the last poll decided: the seconds until the next one, and why they are more than
    # the configured interval (e.g. the X rate budget), shown on the channel page.
    interval_seconds: Mapped[float | None]
    interval_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboundDelivery(Base):
    """A webhook body exactly as received, stored before we answer the provider."""

    __tablename__ = "inbound_delivery"
    __table_args__ = (
        Index("ix_inbound_delivery_status_received", "status", "received_at"),
        # Both claim lanes (oldest first, newest first) walk only the waiting rows.
        Index(
            "ix_inbound_delivery_waiting",
            "id",
            postgresql_where=text("status = 'received'"),
            sqlite_where=text("status = 'received'"),
        ),
        # The fresh lane's check "does an older waiting delivery concern the same customer?"
        Index(
            "ix_inbound_delivery_waiting_route",
            "connector",
            "route",
            "id",
            postgresql_where=text("status = 'received'"),
            sqlite_where=text("status = 'received'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(32))  # webhook endpoint name, e.g. "meta"
    connector: Mapped[str] = mapped_column(String(32))  # registry slug that parses it
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="received")
    reason: Mapped[str | None] = mapped_column(Text)  # why rejected / ignored parts
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    # Who it is about (inbox/ordering.py); NULL: unknown, so it keeps its place in line.
    route: Mapped[str | None] = mapped_column(String(255))
