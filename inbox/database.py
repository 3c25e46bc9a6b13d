"""The session factory every process uses: reactions before the commit, events after it.

Apart from inbox/db.py (engine and dialect helpers) because `session()` runs the reactions
(inbox/reactions.py), which import the domain modules that themselves import inbox/db.py:
kept there, the import could only be made inside the function, to dodge the cycle.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from inbox.db import EventSink, JobSink, make_engine, normalize_url
from inbox.models import Base, Conversation
from inbox.reactions import react

log = logging.getLogger(__name__)


class Database:
    """A session factory whose committed sessions hand their domain events to a sink."""

    def __init__(
        self, url: str, *, on_events: EventSink | None = None, on_jobs: JobSink | None = None
    ) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url)
        self.factory = sessionmaker(self.engine, expire_on_commit=False)
        self.on_events = on_events
        self.on_jobs = on_jobs
        self._ack_engine: Engine | None = None
        self._ack_lock = threading.Lock()
        # rq forks a work horse per job: the child must not reuse the parent's pooled
        # connections (the parent's threads may be using them). SQLAlchemy's recipe.
        os.register_at_fork(after_in_child=self._forget_pool)

    def _forget_pool(self) -> None:
        self.engine.dispose(close=False)
        if self._ack_engine is not None:
            self._ack_engine.dispose(close=False)

    @property
    def ack_engine(self) -> Engine:
        """PostgreSQL: the engine of the webhook acknowledgement's one INSERT.

        Autocommit and no pre-ping: the acknowledgement is one round trip, not two (each is a
        moment the request waits to be scheduled again: the tail of the ack latency on a busy
        machine, issue 12 `thru`). A connection PostgreSQL dropped (a restart) fails that
        INSERT instead of the ping, and `inbox.deliveries.store_delivery` tries once more on a
        new one. A small pool of its own (4, up to 12 under a burst), apart from the main one.
        """
        with self._ack_lock:
            if self._ack_engine is None:
                self._ack_engine = create_engine(
                    self.url,
                    pool_size=4,
                    max_overflow=8,
                    pool_pre_ping=False,
                    isolation_level="AUTOCOMMIT",
                )
            return self._ack_engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Commit on success, roll back on error; publish events only after a commit.

        Before the commit, reactions (notifications, webhook deliveries) add their rows to
        the same transaction; after it, the jobs they asked for are enqueued.
        """
        session = self.factory()
        try:
            yield session
            react(session)
            name_accounts(session)
            session.commit()
            events = session.info.pop("events", [])
            jobs = session.info.pop("jobs", [])
            if events and self.on_events is not None:
                self.on_events(events)
            if jobs and self.on_jobs is not None:
                self.on_jobs(jobs)
            for action in session.info.pop("after_commit", []):
                try:
                    action()
                except Exception:  # the state is committed; a lost follow-up is swept later
                    log.exception("after-commit action %r failed", action)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def create_all(self) -> None:
        """For throwaway databases only; real ones are migrated (see inbox/migrate.py)."""
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._ack_engine is not None:
            self._ack_engine.dispose()


def name_accounts(session: Session) -> None:
    """Give each queued event that names a conversation but no channel account its account.

    The live streams filter every event by inbox (web/ui/live.py); an event that named only
    its conversation made each stream ask the database, once per stream and conversation,
    inside its streaming thread. Here it is one lookup per commit at most, and none when the
    conversations are in the session already (the usual case: the code that emitted the
    event had the conversation at hand). Runs after the reactions: a merge rewrites ids.
    """
    events = session.info.get("events") or []
    missing = {
        e["conversation_id"]
        for e in events
        if isinstance(e.get("conversation_id"), int)
        and not isinstance(e.get("channel_account_id"), int)
    }
    if not missing:
        return
    known: dict[int, int] = {}
    for row in list(session.identity_map.values()):
        if isinstance(row, Conversation) and row.id in missing:
            known[row.id] = row.channel_account_id
    rest = missing - known.keys()
    if rest:
        found = session.execute(
            select(Conversation.id, Conversation.channel_account_id).where(
                Conversation.id.in_(sorted(rest))
            )
        )
        known.update({int(i): int(a) for i, a in found})
    for event in events:
        conversation_id = event.get("conversation_id")
        if conversation_id in known and not isinstance(event.get("channel_account_id"), int):
            event["channel_account_id"] = known[conversation_id]
