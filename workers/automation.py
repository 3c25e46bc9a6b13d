"""Jobs that act on committed domain events: automation rules, SLA clocks, auto-assignment.

They run after the ingest transaction has committed (see switchboard/reactions.py), never inside
it, so ingest stays as fast as it was; the sweeper runs the clocks and the assignment queues
too, so a lost enqueue only delays a decision. Order matters within one job: rules first
(they may set a team or priority), then the SLA clock (priority picks the policy), then
assignment (team members only, queue by SLA due time).

A part that is not configured at all is skipped: "what is configured?" is one query, cached
per process and database and asked again when the workflow generation moves (a committed
change of rules or policies anywhere, workers/reactions.py) or after MAX_AGE, so a center
without automation pays one Redis read per commit, not 4–6 ms.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from sqlalchemy import select

from inbox.assignment import assign_waiting, enabled_inboxes
from inbox.models import Conversation, utcnow
from inbox.rules import list_rules, run_for_events, run_occasions, silent_occasions
from inbox.sla import check_clocks, refresh
from inbox.workflow_config import Configured, configured
from switchboard.reactions import generation
from switchboard.runtime import Runtime
from workers.context import runtime

MAX_AGE = 60.0  # seconds; bounds staleness if a generation bump was lost (Redis flushed)
_cache: weakref.WeakKeyDictionary[Any, tuple[tuple[int, int], Configured, float]] = (
    weakref.WeakKeyDictionary()
)


def what_is_configured(rt: Runtime) -> Configured:
    """The cached answer while the generation is the one it was computed under."""
    seen = generation(rt.jobs)
    now = time.monotonic()
    cached = _cache.get(rt.db)
    if cached is not None and cached[0] == seen and now - cached[2] < MAX_AGE:
        return cached[1]
    with rt.db.session() as session:
        answer = configured(session)
    _cache[rt.db] = (seen, answer, now)
    return answer


def after_commit(events: list[dict[str, Any]]) -> None:
    rt = runtime()
    parts = what_is_configured(rt)
    if not parts.anything:
        return
    conversation_ids = sorted({int(e["conversation_id"]) for e in events})
    if parts.rules:
        with rt.db.session() as session:
            outcome = run_for_events(session, events)
        _send(outcome.replies)
    if not (parts.sla or parts.assignment):
        return
    with rt.db.session() as session:
        conversations = session.scalars(
            select(Conversation).where(Conversation.id.in_(conversation_ids))
        ).all()
        if parts.sla:
            refresh(session, conversations)
        inboxes = sorted({c.channel_account_id for c in conversations})
        enabled = set(enabled_inboxes(session)) if parts.assignment else set()
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


def _send(message_ids: list[int]) -> None:
    for message_id in message_ids:
        runtime().jobs.enqueue(
            "workers.send.send_message", message_id, queue="send", job_id=f"send:{message_id}"
        )


def silence_tick() -> int:
    """Fire customer_silent rules whose time has come (the sweeper calls this every pass)."""
    with runtime().db.session() as session:
        rules = [r for r in list_rules(session) if r.enabled and r.trigger == "customer_silent"]
        if not rules:
            return 0
        occasions = silent_occasions(session, rules, utcnow())
        outcome = run_occasions(session, rules, occasions)
    _send(outcome.replies)
    return len(outcome.fired)


def sla_tick() -> dict[str, int]:
    """Announce due warnings and breaches (the sweeper calls this every pass)."""
    with runtime().db.session() as session:
        return check_clocks(session)
