"""Privacy requests: erasures asked for by an admin, the API, the CLI or Meta's callback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow

# queued → scrubbed (database done, files not yet deleted) → done; or failed with `error`.
REQUEST_STATUSES = ("queued", "scrubbed", "done", "failed")


class PrivacyRequest(Base):
    """One erasure: which contacts, who asked, where it stands.

    Holds no personal data itself: contact numbers, counts and timestamps only, so it can be
    kept (and shown on Meta's public status page by its confirmation code) after the erasure.
    """

    __tablename__ = "privacy_request"
    __table_args__ = (Index("ix_privacy_request_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="erase")
    source: Mapped[str] = mapped_column(String(16))  # admin | api | cli | meta
    confirmation_code: Mapped[str] = mapped_column(String(40), unique=True)
    contact_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default="queued")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)  # counts of what was erased
    pending_files: Mapped[list[str]] = mapped_column(JSON, default=list)  # digests to delete
    error: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
