"""Sign-in throttling: at most N failed attempts per (IP, email) in a sliding window.

Failures live in the database (not process memory) so every web process enforces one limit,
and the key is a hash so the table never holds addresses in the clear.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from inbox.models import LoginFailure

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|min|m|h|hour)\s*$")
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}


def parse_rate(value: str) -> tuple[int, timedelta]:
    """ "10/5min" → (10, 5 minutes); "20/h" → (20, 1 hour)."""
    match = _RATE.match(value)
    if match is None:
        raise ValueError(f"rate {value!r}: write it like 10/5min")
    count, amount, unit = match.groups()
    return int(count), timedelta(seconds=int(amount or 1) * _UNITS[unit])


def throttle_key(ip: str, email: str) -> str:
    return hashlib.sha256(f"{ip}|{email.strip().lower()}".encode()).hexdigest()


def is_throttled(session: Session, key: str, *, now: datetime, rate: str) -> bool:
    limit, window = parse_rate(rate)
    failures = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == key, LoginFailure.at > now - window)
    )
    return (failures or 0) >= limit


def record_failure(session: Session, key: str, *, now: datetime, rate: str) -> None:
    """Remember one failure; forget every failure older than the window (the table stays as
    small as the last few minutes of failures, even under a spray of different emails)."""
    _, window = parse_rate(rate)
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
    session.add(LoginFailure(key=key, at=now))


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
