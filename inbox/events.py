"""Domain events: every state change announces itself so the live UI can follow.

Functions in inbox/ call `emit`; the event waits in the session and is published by
`Database.session()` only after the commit, so nobody hears of a change that rolled back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def emit(session: Session, topic: str, **data: Any) -> None:
    """Queue `topic` with `data` (JSON-able) for publication after this session commits."""
    session.info.setdefault("events", []).append({"topic": topic, **data})
