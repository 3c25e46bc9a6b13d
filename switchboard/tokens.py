"""Renewing an OAuth token without a browser; the refresh job is workers/tokens.py.

Here (not in workers/) because the CLI and the API renew on demand too, and they sit beside
the runtime, below the jobs. X OAuth 2.0 access tokens live two hours: the sweeper enqueues
`workers.tokens.refresh_account` for accounts whose token ends within REFRESH_AHEAD, so the
token is replaced before anything fails with it.
`renew` is the same step on demand (`switchboard channel reconnect ID`, the API): X refreshes
with its refresh token; Facebook and Instagram fetch the page token again with the stored
long-lived user token (`/me/accounts`), which is what re-consenting would hand out. Without such
a grant the admin has to go through the browser flow again; `renew` says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

# The packages, not their login classes: those bring requests, facebook-sdk and tweepy, and
# are imported at the first renewal (connectors/lazy.py), not by every CLI command.
from connectors import _meta, x
from connectors.base import ReauthRequired
from inbox.models import ChannelAccount
from inbox.oauth import store_renewed
from inbox.replies import flag_reauth

log = logging.getLogger(__name__)

REFRESH_AHEAD = timedelta(minutes=15)
RENEWABLE_CHANNELS = ("x", "facebook", "instagram")


class CannotRenew(Exception):
    """No stored grant can make a new token: the browser flow is needed."""


@dataclass(frozen=True)
class Renewed:
    how: str
    expires_at: datetime | None


def renewable(channel: str, credentials: dict[str, str]) -> bool:
    """Whether the account renews on its own (the expiry warning is then not needed)."""
    return channel == "x" and bool(credentials.get("refresh_token"))


def renew(rt: Any, account_id: int, *, actor_id: int | None = None) -> Renewed:
    """Make a fresh token from the stored grant and store it; raises CannotRenew or
    ConnectorError (ReauthRequired also flags the account "reconnect needed")."""
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None:
            raise CannotRenew(f"no channel account {account_id}")
        channel, external_id = account.channel, account.external_id
        options = dict(account.options or {})
        credentials = rt.vault.open(account.credentials) if account.credentials else {}
    try:
        fresh, expires, how = _fresh(rt, channel, external_id, options, credentials)
    except ReauthRequired as exc:
        with rt.db.session() as session:
            account = session.get(ChannelAccount, account_id)
            if account is not None:
                flag_reauth(session, account, exc.reason)
        raise
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None:
            raise CannotRenew(f"no channel account {account_id}")
        store_renewed(
            session,
            account,
            sealed=rt.seal({**credentials, **fresh}),
            expires_at=expires,
            actor_id=actor_id,
            how=how,
        )
    return Renewed(how, expires)


def _fresh(
    rt: Any,
    channel: str,
    external_id: str,
    options: dict[str, Any],
    credentials: dict[str, str],
) -> tuple[dict[str, str], datetime | None, str]:
    if channel == "x":
        refresh = credentials.get("refresh_token")
        if not refresh:
            raise CannotRenew(
                "this X account has no refresh token (connected with OAuth 1.0a or a typed token)"
            )
        grant = x.XLogin(rt.settings.env).refresh(refresh)
        fresh = {"bearer_token": grant.access_token}
        if grant.refresh_token:
            fresh["refresh_token"] = grant.refresh_token
        return fresh, grant.expires_at, "x refresh token"
    if channel in ("facebook", "instagram"):
        user_token = credentials.get("user_token")
        if not user_token:
            raise CannotRenew("this account has no stored user token (its token was typed in)")
        page_id = external_id if channel == "facebook" else str(options.get("page_id") or "")
        for page in _meta.MetaLogin(rt.settings.env).pages(user_token):
            if page.id == page_id:
                expires = _stored_expiry(credentials)
                return {"page_token": page.token}, expires, "meta /me/accounts"
        raise CannotRenew(f"the stored user token no longer grants page {page_id}")
    raise CannotRenew(f"{channel} accounts have no renewable token")


def _stored_expiry(credentials: dict[str, str]) -> datetime | None:
    raw = credentials.get("user_token_expires_at")
    return datetime.fromisoformat(raw) if raw else None


def due_refreshes(rt: Any, now: datetime) -> list[int]:
    """X accounts whose refreshable token ends within REFRESH_AHEAD (or already ended)."""
    with rt.db.session() as session:
        rows = session.scalars(
            select(ChannelAccount).where(
                ChannelAccount.enabled.is_(True),
                ChannelAccount.channel == "x",
                ChannelAccount.token_expires_at.is_not(None),
                ChannelAccount.token_expires_at <= now + REFRESH_AHEAD,
                ChannelAccount.health != "reconnect_needed",
            )
        ).all()
        due = []
        for account in rows:
            try:
                credentials = rt.vault.open(account.credentials)
            except ValueError:
                continue
            if renewable(account.channel, credentials):
                due.append(account.id)
    return due
