"""OAuth connects: single-use `state` rows, and the accounts a finished grant connects.

`begin` hands out a random state and keeps only its SHA-256; `consume` takes it back exactly
once (an UPDATE that only matches an unused, fresh row of this admin, so two racing callbacks
cannot both win), which protects the callback against CSRF (a state someone else started is
refused) and replay (a used state is refused). Tokens stay sealed; nothing here logs them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.channels import account_by_external_id, add_account
from inbox.events import emit
from inbox.models import ChannelAccount, utcnow
from inbox.models.oauth import OAuthState

STATE_LIFETIME = timedelta(minutes=15)


class OAuthStateError(Exception):
    """The callback's state is unknown, used, expired, or someone else's."""


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def begin(
    session: Session,
    *,
    user_id: int,
    purpose: str,
    sealed: bytes | None = None,
    account_id: int | None = None,
    state: str | None = None,
) -> str:
    """Store a new attempt and return its state (`state` given: OAuth 1.0a's request token)."""
    raw = state or secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(OAuthState).where(OAuthState.created_at < now - timedelta(days=1)))
    session.add(
        OAuthState(
            state_hash=_hash(raw),
            user_id=user_id,
            purpose=purpose,
            channel_account_id=account_id,
            sealed=sealed,
            created_at=now,
        )
    )
    session.flush()
    return raw


def consume(session: Session, state: str, *, user_id: int, purpose: str) -> OAuthState:
    """The attempt `state` started, marked used; OAuthStateError when it cannot be."""
    now = utcnow()
    hashed = _hash(state or "")
    taken = session.execute(  # type: ignore[attr-defined]
        update(OAuthState)
        .where(
            OAuthState.state_hash == hashed,
            OAuthState.user_id == user_id,
            OAuthState.purpose == purpose,
            OAuthState.used_at.is_(None),
            OAuthState.created_at >= now - STATE_LIFETIME,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise OAuthStateError(
            "this sign-in link is unknown, expired or was already used; start again"
        )
    row = session.scalars(select(OAuthState).where(OAuthState.state_hash == hashed)).one()
    return row


def connect(
    session: Session,
    *,
    channel: str,
    external_id: str,
    name: str,
    sealed: bytes,
    options: dict[str, Any],
    expires_at: datetime | None,
    actor_id: int | None,
) -> tuple[ChannelAccount, bool]:
    """Connect the account a grant is for, or reconnect it (new token, health ok, options
    merged over the stored ones). Returns (account, is_new)."""
    existing = account_by_external_id(session, channel, external_id)
    if existing is None or not existing.enabled:
        account = add_account(
            session,
            channel=channel,
            connector=channel,
            name=existing.name if existing is not None else name,
            external_id=external_id,
            sealed_credentials=sealed,
            options={**((existing.options if existing else None) or {}), **options},
            actor_id=actor_id,
        )
        account.token_expires_at = expires_at
        return account, existing is None
    existing.connector = channel
    existing.credentials = sealed
    existing.options = {**(existing.options or {}), **options}
    existing.token_expires_at = expires_at
    _healthy(session, existing)
    record(session, actor_id, "channel.reconnect", "channel_account", existing.id, {"via": "oauth"})
    return existing, False


def store_renewed(
    session: Session,
    account: ChannelAccount,
    *,
    sealed: bytes,
    expires_at: datetime | None,
    actor_id: int | None,
    how: str,
) -> None:
    """A refreshed or re-fetched token replaces the stored one; a stale flag is cleared."""
    account.credentials = sealed
    account.token_expires_at = expires_at
    _healthy(session, account)
    record(session, actor_id, "channel.token_renewed", "channel_account", account.id, {"how": how})


def _healthy(session: Session, account: ChannelAccount) -> None:
    if account.health != "ok":
        account.health_changed_at = utcnow()
    account.health = "ok"
    account.health_detail = None
    emit(session, "channel.updated", channel_account_id=account.id, health="ok")
