"""Auto-assignment: one policy per inbox, and each agent's turn in its round-robin."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow

ASSIGNMENT_MODES = ("round_robin", "least_open")


class AssignmentPolicy(Base):
    """How new conversations of one inbox find an agent.

    Its row is also the lock that serialises assignment decisions for the inbox: two workers
    deciding at once would both see the same agent as least loaded.
    """

    __tablename__ = "assignment_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_account_id: Mapped[int] = mapped_column(
        ForeignKey("channel_account.id", ondelete="CASCADE"), unique=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    mode: Mapped[str] = mapped_column(String(16), default="round_robin")
    capacity: Mapped[int] = mapped_column(default=20)  # open conversations per agent
    agent_limits: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"user id": limit}
    reassign_off_shift: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AssignmentTurn(Base):
    """When an agent last got a conversation of an inbox: round-robin picks the oldest."""

    __tablename__ = "assignment_turn"

    policy_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_policy.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    last_assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
