"""Where each pull stream left off (`sync_cursor`) and when it is polled next.

A poll page's messages and the cursor move in one transaction (workers/poll.py opens it):
the cursor row is locked first, so two polls of one stream cannot both store a page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inbox.db import insert_ignore
from inbox.models import SyncCursor


def read(session: Session, account_id: int, stream: str) -> str | None:
    return session.scalar(
        select(SyncCursor.value).where(
            SyncCursor.channel_account_id == account_id, SyncCursor.stream == stream
        )
    )


def lock(session: Session, account_id: int, stream: str) -> SyncCursor:
    """The cursor row, created if missing and locked (PostgreSQL) for this transaction."""
    insert_ignore(
        session,
        SyncCursor.__table__,
        {"channel_account_id": account_id, "stream": stream},
        ["channel_account_id", "stream"],
    )
    return session.scalars(
        select(SyncCursor)
        .where(SyncCursor.channel_account_id == account_id, SyncCursor.stream == stream)
        .with_for_update()
    ).one()


def advance(
    cursor: SyncCursor,
    value: str | None,
    next_poll_at: datetime,
    *,
    interval: float | None = None,
    reason: str | None = None,
) -> None:
    """After a page is stored: where the next poll starts, and when it runs; the interval and
    why it is longer than configured are kept for the channel page."""
    cursor.value = value
    cursor.next_poll_at = next_poll_at
    cursor.interval_seconds = interval
    cursor.interval_reason = reason


def schedule(session: Session, account_id: int, stream: str, at: datetime) -> None:
    """The next poll's time, without moving the cursor (a pause, an error's back-off)."""
    lock(session, account_id, stream)
    session.execute(
        update(SyncCursor)
        .where(SyncCursor.channel_account_id == account_id, SyncCursor.stream == stream)
        .values(next_poll_at=at)
    )


def next_poll_times(session: Session, account_id: int) -> list[datetime | None]:
    """When each of the account's streams is due next (None: never polled)."""
    return list(
        session.scalars(
            select(SyncCursor.next_poll_at).where(SyncCursor.channel_account_id == account_id)
        )
    )
