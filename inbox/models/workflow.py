"""Saved views (named list filters) and macros (named sequences of actions plus a reply)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow


class SavedView(Base):
    """A named list filter: the owner's own, or shared with everyone when `shared`."""

    __tablename__ = "saved_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    shared: Mapped[bool] = mapped_column(default=False)
    query: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the list's query arguments
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Macro(Base):
    """Actions (status, assignee, labels, priority...) and an optional reply or note."""

    __tablename__ = "macro"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    shared: Mapped[bool] = mapped_column(default=False)
    actions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reply: Mapped[str | None] = mapped_column(Text)
    reply_private: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
