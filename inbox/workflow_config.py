"""Which parts of workflow automation are configured at all, in one query.

Most commits of a center that uses no rules, SLA policy or auto-assignment need no follow-up
work; the after-commit job (workers/automation.py) asks this (through a per-process cache) and
skips what is not configured. Every change that may switch a part on emits CHANGED, so caches
in every process are dropped when the change commits (workers/reactions.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from inbox.events import emit
from inbox.models.assignment import AssignmentPolicy
from inbox.models.rules import AutomationRule
from inbox.models.sla import SlaPolicy

CHANGED = "workflow.changed"


@dataclass(frozen=True, slots=True)
class Configured:
    rules: bool
    sla: bool
    assignment: bool

    @property
    def anything(self) -> bool:
        return self.rules or self.sla or self.assignment


def configured(session: Session) -> Configured:
    rules, sla, assignment = session.execute(
        select(
            exists().where(AutomationRule.enabled.is_(True)),
            exists().where(SlaPolicy.enabled.is_(True)),
            exists().where(AssignmentPolicy.enabled.is_(True)),
        )
    ).one()
    return Configured(bool(rules), bool(sla), bool(assignment))


def changed(session: Session) -> None:
    """Announce (after this session commits) that what `configured` says may have changed."""
    emit(session, CHANGED)
