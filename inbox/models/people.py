"""Who works the inbox (users, teams, memberships, API tokens) and who writes to it (contacts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inbox.models.base import Base, utcnow

ROLES = ("admin", "agent", "marketer")

team_member = Table(
    "team_member",
    Base.metadata,
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
)

inbox_member = Table(
    "inbox_member",
    Base.metadata,
    Column(
        "channel_account_id", ForeignKey("channel_account.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    locale: Mapped[str] = mapped_column(String(8), default="ko")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    is_active: Mapped[bool] = mapped_column(default=True)
    available: Mapped[bool] = mapped_column(default=True)  # on shift; assignment skips others
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # E.164; incoming calls ring it while on shift, click-to-call rings it first (issue 18).
    phone: Mapped[str | None] = mapped_column(String(32))

    teams: Mapped[list[Team]] = relationship(secondary=team_member, back_populates="members")


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    members: Mapped[list[User]] = relationship(secondary=team_member, back_populates="teams")


class ApiToken(Base):
    """A Bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="cli")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]  # written at most once a minute (inbox.tokens)
    expires_at: Mapped[datetime | None]  # None: until revoked

    user: Mapped[User] = relationship()


class Contact(Base):
    """A customer; several channel identities may point at one contact after a merge."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    # name and phone: the thread's merge suggestions look contacts up by them (web/ui/inbox.py).
    name: Mapped[str | None] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # False for an address the customer only typed (the chat widget's form): shown to agents
    # and offered as a merge, never used to join this contact to another one by itself.
    email_verified: Mapped[bool] = mapped_column(default=True, server_default=true())
    phone: Mapped[str | None] = mapped_column(String(50), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    identities: Mapped[list[ContactIdentity]] = relationship(back_populates="contact")


# Ingest joins a new email identity to the contact with the same address, case-insensitively
# (inbox/contacts.py, inbox/ingest_email.py): without this, a sequential scan per new sender.
Index("ix_contact_email_lower", func.lower(Contact.email))


class ContactIdentity(Base):
    """How one channel knows a contact: (channel, provider user id) is unique."""

    __tablename__ = "contact_identity"
    __table_args__ = (UniqueConstraint("channel", "external_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_user_id: Mapped[str] = mapped_column(String(254))
    handle: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The platform's profile lookup (workers/lookups.py), off the ingest path: when it last
    # ran (None: never, or a refresh was asked for), the picture it found, why it failed.
    avatar_url: Mapped[str | None] = mapped_column(Text)
    profile_checked_at: Mapped[datetime | None]
    profile_problem: Mapped[str | None] = mapped_column(Text)

    contact: Mapped[Contact] = relationship(back_populates="identities")
