"""Canned responses (saved replies picked by shortcut) and failed-login records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow


class CannedResponse(Base):
    """A saved reply; `{{contact_name}}`-style variables are filled in when it is inserted."""

    __tablename__ = "canned_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    shortcut: Mapped[str] = mapped_column(String(64), unique=True)  # typed as /shortcut
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8), default="ko")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LoginFailure(Base):
    """One failed sign-in, kept in the database so every web process sees the same limit."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))  # sha256 of "ip|email": no raw addresses kept
    at: Mapped[datetime] = mapped_column(default=utcnow)
