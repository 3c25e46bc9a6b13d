"""Automation rules (filled in below the SLA work)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.models.rules import AutomationRule


def run_for_events(session: Session, events: list[dict[str, Any]]) -> int:
    if (
        session.scalar(select(AutomationRule.id).where(AutomationRule.enabled.is_(True)).limit(1))
        is None
    ):
        return 0
    return 0
