"""Sign-in checks: at most N failed attempts per (IP, email) in a sliding window, and
password checks that take as long for unknown emails as for known ones.

Failures live in the database (not process memory) so every web process enforces one limit,
and the key is a hash so the table never holds addresses in the clear.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from inbox.models import LoginFailure, User

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


def claim_attempt(session: Session, key: str, *, now: datetime, rate: str) -> bool:
    """Count this attempt as a failure first, then decide: True if it may go on.

    Recording before counting is what makes the throttle hold under parallel attempts: each
    attempt's row is committed before it counts, so the k-th committed attempt sees at least k
    rows, and at most `limit` attempts in a window can see `limit` or fewer (checking first
    and recording after let every attempt in flight pass the check). A refused attempt takes
    its row back, so hammering a locked key does not stretch the lock; a success clears the
    key (`clear_failures`). Commits `session`: the row must be visible to the others.
    """
    limit, window = parse_rate(rate)
    # Forget failures older than the window: the table stays as small as the last few minutes
    # of failures, even under a spray of different emails.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
    attempt = LoginFailure(key=key, at=now)
    session.add(attempt)
    session.commit()
    attempts = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == key, LoginFailure.at > now - window)
    )
    if (attempts or 0) > limit:
        session.delete(attempt)
        session.commit()
        return False
    return True


def password_matches(user: User | None, password: str) -> bool:
    """Check the password, hashing it even when no active user has this email: the answer
    takes as long for a stranger's email as for an agent's, so timing tells no emails."""
    if user is None or not user.is_active or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


@cache
def _dummy_hash() -> str:
    # The same method and cost as real password hashes (werkzeug's default, scrypt). Made
    # when the web app starts (warm_up), so the first stranger's sign-in is not the slow one.
    return generate_password_hash(secrets.token_urlsafe(16))


def warm_up() -> None:
    _dummy_hash()


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
