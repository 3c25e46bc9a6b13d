"""Jobs that act on committed domain events: auto-assignment, SLA clocks, automation rules.

They run after the ingest transaction has committed (see workers/reactions.py), never inside
it, so ingest stays as fast as it was; the sweeper runs them too, so a lost enqueue only
delays a decision.
"""

from __future__ import annotations

from inbox.assignment import assign_waiting, enabled_inboxes
from workers.context import runtime


def assign_inbox(account_id: int) -> int:
    """Assign the inbox's waiting conversations; return how many were assigned."""
    with runtime().db.session() as session:
        return len(assign_waiting(session, account_id))


def assign_everywhere() -> int:
    """Every inbox with auto-assignment on, each in its own transaction (its own lock)."""
    with runtime().db.session() as session:
        inboxes = enabled_inboxes(session)
    return sum(assign_inbox(account_id) for account_id in inboxes)
