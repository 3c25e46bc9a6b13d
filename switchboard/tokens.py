"""Renewing an OAuth token without a browser; the refresh job is workers/tokens.py.

Here (not in workers/) because the CLI and the API renew on demand too, and they sit beside
the runtime, below the jobs. How a token is made again is the connector's (Capability.RENEW_TOKEN:
X refreshes with its refresh token, Meta fetches the page token again with the stored long-lived
user token); this module stores the result, flags a refused grant, and finds the accounts due.
X OAuth 2.0 access tokens live two hours: the sweeper enqueues `workers.tokens.refresh_account`
for accounts whose token renews itself and ends within REFRESH_AHEAD, so the token is replaced
before anything fails with it. Without a grant the admin has to go through the browser flow
again; `renew` says so (CannotRenew).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from connectors import behaviour, with_capability
from connectors.base import CannotRenew, Capability, ReauthRequired, RenewToken
from inbox.models import ChannelAccount
from inbox.oauth import store_renewed
from inbox.replies import flag_reauth

__all__ = ["REFRESH_AHEAD", "CannotRenew", "Renewed", "due_refreshes", "renew", "renewable"]

log = logging.getLogger(__name__)

REFRESH_AHEAD = timedelta(minutes=15)


@dataclass(frozen=True)
class Renewed:
    how: str
    expires_at: datetime | None


def _renewer(rt: Any, connector_slug: str) -> RenewToken | None:
    return behaviour(rt.connector_by_slug(connector_slug), RenewToken)


def renewable(rt: Any, account: ChannelAccount, credentials: Mapping[str, str]) -> bool:
    """Whether the account renews on its own (the expiry warning is then not needed)."""
    renewer = _renewer(rt, account.connector)
    return renewer is not None and renewer.renews_itself(credentials)


def renew(rt: Any, account_id: int, *, actor_id: int | None = None) -> Renewed:
    """Make a fresh token from the stored grant and store it; raises CannotRenew or
    ConnectorError (ReauthRequired also flags the account "reconnect needed")."""
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None:
            raise CannotRenew(f"no channel account {account_id}")
        renewer = _renewer(rt, account.connector)
        if renewer is None:
            raise CannotRenew(f"{account.channel} accounts have no renewable token")
        config = rt.account_config(account)
    try:
        fresh = renewer.renew_token(config)
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
            sealed=rt.seal({**config.credentials, **fresh.credentials}),
            expires_at=fresh.expires_at,
            actor_id=actor_id,
            how=fresh.how,
        )
    return Renewed(fresh.how, fresh.expires_at)


def due_refreshes(rt: Any, now: datetime) -> list[int]:
    """Accounts whose self-renewing token ends within REFRESH_AHEAD (or already ended)."""
    with rt.db.session() as session:
        rows = session.scalars(
            select(ChannelAccount).where(
                ChannelAccount.enabled.is_(True),
                ChannelAccount.connector.in_(with_capability(Capability.RENEW_TOKEN)),
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
            if renewable(rt, account, credentials):
                due.append(account.id)
    return due
