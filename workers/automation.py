"""Jobs that act on committed domain events: automation rules, SLA clocks, auto-assignment.

They run after the ingest transaction has committed (see workers/reactions.py), never inside
it, so ingest stays as fast as it was; the sweeper runs the clocks and the assignment queues
too, so a lost enqueue only delays a decision. Order matters within one job: rules first
(they may set a team or priority), then the SLA clock (priority picks the policy), then
assignment (team members only, queue by SLA due time).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from inbox.assignment import assign_waiting, enabled_inboxes
from inbox.models import Conversation
from inbox.sla import check_clocks, refresh
from workers.context import runtime


def after_commit(events: list[dict[str, Any]]) -> None:
    rt = runtime()
    conversation_ids = sorted({int(e["conversation_id"]) for e in events})
    from inbox.rules import run_for_events

    with rt.db.session() as session:
        run_for_events(session, events)
    with rt.db.session() as session:
        conversations = session.scalars(
            select(Conversation).where(Conversation.id.in_(conversation_ids))
        ).all()
        refresh(session, conversations)
        inboxes = sorted({c.channel_account_id for c in conversations})
    with rt.db.session() as session:
        enabled = set(enabled_inboxes(session))
    for account_id in inboxes:
        if account_id in enabled:
            assign_inbox(account_id)


def assign_inbox(account_id: int) -> int:
    """Assign the inbox's waiting conversations; return how many were assigned."""
    with runtime().db.session() as session:
        return len(assign_waiting(session, account_id))


def assign_everywhere() -> int:
    """Every inbox with auto-assignment on, each in its own transaction (its own lock)."""
    with runtime().db.session() as session:
        inboxes = enabled_inboxes(session)
    return sum(assign_inbox(account_id) for account_id in inboxes)


def sla_tick() -> dict[str, int]:
    """Announce due warnings and breaches (the sweeper calls this every pass)."""
    with runtime().db.session() as session:
        return check_clocks(session)
