"""The post or media a comment thread is about (caption, permalink), fetched once per post.

Comment webhooks carry only the post's id, so a new comment thread first shows that id; a
job after ingest (workers/lookups.py) asks the platform once per post and writes the answer
into the `context` of every conversation on it. A later commenter on the same post gets a
copy from a sibling conversation, not another call.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.events import emit
from inbox.models import Conversation

FETCHED = "context_fetched_at"  # set in `context` once the post was asked for (even in vain)
KINDS = ("comment", "mention")
ACTIVE_WINDOW = timedelta(days=7)
COPIED = (FETCHED, "post_text", "permalink_url", "picture_url", "context_problem")


def posts_to_fetch(session: Session, account_id: int, *, now: datetime, limit: int) -> list[str]:
    """Post ids (thread keys) still without a fetched context; copies known ones first.

    Only conversations active in the last ACTIVE_WINDOW: the account's recent conversations
    by index, never all of them.
    """
    unfetched = Conversation.context[FETCHED].as_string().is_(None)
    missing = session.scalars(
        select(Conversation)
        .where(
            Conversation.channel_account_id == account_id,
            Conversation.last_activity_at >= now - ACTIVE_WINDOW,
            Conversation.kind.in_(KINDS),
            unfetched,
        )
        .order_by(Conversation.id.desc())
        .limit(limit * 20)
    ).all()
    keys = {row.thread_key for row in missing}
    known: dict[str, dict[str, Any]] = {}
    if keys:
        for row in session.scalars(
            select(Conversation).where(
                Conversation.channel_account_id == account_id,
                Conversation.kind.in_(KINDS),
                Conversation.thread_key.in_(keys),
                ~unfetched,
            )
        ):
            known.setdefault(row.thread_key, dict(row.context))
    wanted: list[str] = []
    for row in missing:
        source = known.get(row.thread_key)
        if source is not None:
            _merge(session, row, source)
        elif row.thread_key not in wanted:
            wanted.append(row.thread_key)
    return wanted[:limit]


def apply_post_context(
    session: Session,
    account_id: int,
    post_id: str,
    found: Mapping[str, Any] | None,
    now: datetime,
    *,
    problem: str | None = None,
) -> int:
    """Write the post's caption and permalink into every conversation on it; how many."""
    extra: dict[str, Any] = {FETCHED: now.isoformat()}
    for key in ("post_text", "permalink_url", "picture_url"):
        if found and found.get(key):
            extra[key] = found[key]
    if problem:
        extra["context_problem"] = problem[:500]
    rows = session.scalars(
        select(Conversation).where(
            Conversation.channel_account_id == account_id,
            Conversation.thread_key == post_id,
            Conversation.kind.in_(KINDS),
        )
    ).all()
    for row in rows:
        _merge(session, row, extra)
    return len(rows)


def _merge(session: Session, row: Conversation, values: Mapping[str, Any]) -> None:
    keep = {k: v for k, v in values.items() if k in COPIED}
    row.context = {**(row.context or {}), **keep}  # a new dict: JSON columns track assignment
    emit(
        session,
        "conversation.updated",
        conversation_id=row.id,
        channel_account_id=row.channel_account_id,
    )
