"""Domain events: every state change announces itself so the live UI can follow.

Functions in inbox/ call `emit`; the event waits in the session and is published by
`Database.session()` only after the commit, so nobody hears of a change that rolled back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def emit(session: Session, topic: str, **data: Any) -> None:
    """Queue `topic` with `data` (JSON-able) for publication after this session commits.

    A session acting for automation sets `session.info["origin"]`; its events carry it, so
    the automation that caused them is not triggered again (see workers/reactions.py).
    """
    origin = session.info.get("origin")
    if origin and "origin" not in data:
        data["origin"] = origin
    session.info.setdefault("events", []).append({"topic": topic, **data})
