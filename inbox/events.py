"""Domain events: every state change announces itself so the live UI can follow.

Functions in inbox/ call `emit`; the event waits in the session and is published by
`Database.session()` only after the commit, so nobody hears of a change that rolled back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


def emit(session: Session, topic: str, **data: Any) -> None:
    """Queue `topic` with `data` (JSON-able) for publication after this session commits.

    A session acting for automation sets `session.info["origin"]`; its events carry it, so
    the automation that caused them is not triggered again (see switchboard/reactions.py).
    """
    origin = session.info.get("origin")
    if origin and "origin" not in data:
        data["origin"] = origin
    session.info.setdefault("events", []).append({"topic": topic, **data})


def after_commit(
    session: Session,
    func: str,
    *args: Any,
    queue: str,
    job_id: str | None = None,
    at: datetime | None = None,
) -> None:
    """Ask for job `func(*args)` once this session commits (the rows it needs exist by then).

    Losing the request (a crash right after the commit) is allowed: the sweeper finds the
    stored work again, because every job asked for here is backed by a row.
    """
    session.info.setdefault("jobs", []).append(
        {"func": func, "args": args, "queue": queue, "job_id": job_id, "at": at}
    )
