"""Automation rules and the record of each firing (which also keeps a rule from looping)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inbox.models.base import Base, utcnow

TRIGGERS = (
    "conversation_created",
    "customer_message",
    "status_changed",
    "sla_warning",
    "sla_breached",
    "customer_silent",
)


class AutomationRule(Base):
    """When `trigger` happens and every condition holds, run the actions in order."""

    __tablename__ = "automation_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    trigger: Mapped[str] = mapped_column(String(32))
    conditions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"field","op","value"}]
    actions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"type","value"}]
    stop_processing: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleFiring(Base):
    """One rule run for one occasion; the unique key makes a replayed event fire nothing."""

    __tablename__ = "rule_firing"
    __table_args__ = (UniqueConstraint("rule_id", "occasion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("automation_rule.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    occasion: Mapped[str] = mapped_column(String(120))  # e.g. "message:123", "sla_breached:…"
    at: Mapped[datetime] = mapped_column(default=utcnow)
