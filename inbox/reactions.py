"""What follows a domain event inside the very transaction that caused it.

Notifications and outgoing-webhook deliveries are rows written next to the change they
announce, so they exist exactly when the change does: a rollback takes them along, a commit
makes them durable before anybody is told. Any module that emits events (assignment, SLA,
rules) plugs in for free; a reaction ignores topics it does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from inbox import merge, notifications, outgoing_webhooks

Reaction = Callable[[Session, list[dict[str, Any]]], None]
# merge first: it moves a message written on a merged-away thread before others look at it.
REACTIONS: tuple[Reaction, ...] = (merge.react, notifications.react, outgoing_webhooks.react)


def react(session: Session) -> None:
    """Hand each reaction the events it has not seen yet, until none emit new ones."""
    events: list[dict[str, Any]] = session.info.get("events", [])
    seen = session.info.get("reacted", 0)
    while seen < len(events):
        batch = events[seen:]
        seen = len(events)
        session.info["reacted"] = seen
        for reaction in REACTIONS:
            reaction(session, batch)
