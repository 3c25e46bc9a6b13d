"""API tokens: issue, look up, list, revoke.

Only a token's SHA-256 is stored; the plain value is shown once. A token may expire; its last
use is written at most once a minute so an API busy with one token does not turn every read
into a write.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.models import ApiToken, User

LAST_USED_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session,
    user: User,
    name: str = "cli",
    *,
    expires_in: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """Create a token for `user`; the plain value is returned once and never stored."""
    now = now or datetime.now(UTC)
    token = "sb_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=hash_token(token),
        name=name,
        created_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
    )
    session.add(row)
    session.flush()
    record(session, None, "token.create", "api_token", row.id, {"user_id": user.id, "name": name})
    return token


def token_for(session: Session, token: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this plain value: not revoked, not expired, its user active."""
    now = now or datetime.now(UTC)
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or not row.user.is_active or is_expired(row, now):
        return None
    return row


def is_expired(row: ApiToken, now: datetime) -> bool:
    return row.expires_at is not None and _aware(row.expires_at) <= now


def note_use(session: Session, row: ApiToken, now: datetime | None = None) -> None:
    """Record the token's use, unless it was already recorded within the last minute."""
    now = now or datetime.now(UTC)
    if row.last_used_at is not None and now - _aware(row.last_used_at) < LAST_USED_EVERY:
        return
    # A conditional UPDATE: concurrent requests with the same token write once, not each.
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == row.id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - LAST_USED_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def list_tokens(session: Session, email: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if email is not None:
        query = query.where(User.email == email.strip().lower())
    return list(session.scalars(query))


def revoke_token(session: Session, token_id: int, actor_id: int | None = None) -> ApiToken:
    """Delete the token (its hash goes with it, so it can never authenticate again)."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise LookupError(f"no API token {token_id}")
    record(session, actor_id, "token.revoke", "api_token", row.id, {"user_id": row.user_id})
    session.delete(row)
    session.flush()
    return row


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
