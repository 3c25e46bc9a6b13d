"""Channel accounts as the API and the CLI see them: health, check, reconnect, enable/disable.

One place for what `switchboard channel list/check/reconnect/enable/disable` and
`/api/v1/channel-accounts` do, so both say the same thing. A working check clears a stale
"reconnect needed" and its reason (inbox.replies.mark_healthy); reconnect renews the token from
the stored grant (switchboard/tokens.py) or says that the browser flow is needed and where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.base import ConnectorError, ReauthRequired
from inbox.audit import record
from inbox.channels import add_account, expiry_warning, update_credentials
from inbox.channels import set_enabled as store
from inbox.models import ChannelAccount
from inbox.replies import mark_healthy
from switchboard.check import account_state, connection_problems, test_account
from switchboard.tokens import CannotRenew, renew, renewable


@dataclass(frozen=True)
class CheckOutcome:
    ok: bool
    identity: str
    problems: list[str] = field(default_factory=list)
    cleared: bool = False  # a "reconnect needed" (or a stale reason) was cleared


def summary(rt: Any, account: ChannelAccount) -> dict[str, Any]:
    """The account as JSON: never a credential, only whether one is stored."""

    try:
        credentials = rt.vault.open(account.credentials)
    except ValueError:
        credentials = {}
    can_renew = renewable(rt, account, credentials)
    return {
        "id": account.id,
        "channel": account.channel,
        "connector": account.connector,
        "name": account.name,
        "external_id": account.external_id,
        "enabled": account.enabled,
        "state": account_state(rt, account),
        "health": account.health,
        "health_detail": account.health_detail,
        "health_changed_at": _iso(account.health_changed_at),
        "reconnect_needed": account.health == "reconnect_needed",
        "token_expires_at": _iso(account.token_expires_at),
        "token_warning": expiry_warning(account, renewable=can_renew) if account.enabled else None,
        "token_renews_itself": can_renew,
        "created_at": _iso(account.created_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def check(rt: Any, account_id: int) -> CheckOutcome:
    """Run the connector's connection check on the stored credentials; success marks the
    account healthy again (and says whether it was flagged). Raises LookupError."""

    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None:
            raise LookupError(f"no channel account {account_id}")
        if not account.enabled:
            return CheckOutcome(False, "", ["the account is disabled or disconnected"])
        session.expunge(account)
    who, problems = connection_problems(rt, account)
    if problems:
        return CheckOutcome(False, who, problems)
    with rt.db.session() as session:
        fresh = session.get(ChannelAccount, account_id)
        if fresh is None:
            raise LookupError(f"no channel account {account_id}")
        stale = fresh.health != "ok" or fresh.health_detail is not None
        mark_healthy(session, fresh)
        if stale:
            record(session, None, "channel.healthy", "channel_account", account_id)
    return CheckOutcome(True, who, [], cleared=stale)


def set_enabled(rt: Any, account_id: int, enabled: bool, actor_id: int | None) -> bool:
    """Enable or disable; False when it already was. Raises LookupError."""

    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None:
            raise LookupError(f"no channel account {account_id}")
        return store(session, account, enabled, actor_id)


def reconnect_path(account_id: int) -> str:
    """Where an admin reconnects through the platform's sign-in (the browser flow)."""
    return f"/admin/channels/{account_id}"


@dataclass(frozen=True)
class ReconnectOutcome:
    how: str  # "x refresh token", "meta /me/accounts", "new credentials"
    check: CheckOutcome


class BrowserNeeded(Exception):
    """Nothing stored can make a new token; the admin signs in again at `path`."""

    def __init__(self, reason: str, path: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path


def reconnect(
    rt: Any, account_id: int, *, credentials: dict[str, str] | None, actor_id: int | None
) -> ReconnectOutcome:
    """New credentials given: test, then store them. None: renew from the stored grant.
    Either way the connection is checked after. Raises LookupError, BrowserNeeded, or
    ConnectorError (what the platform said)."""

    if credentials:
        _replace_credentials(rt, account_id, credentials, actor_id)
        how = "new credentials"
    else:
        try:
            how = renew(rt, account_id, actor_id=actor_id).how
        except CannotRenew as exc:
            if str(exc).startswith("no channel account"):
                raise LookupError(str(exc)) from exc
            raise BrowserNeeded(str(exc), reconnect_path(account_id)) from exc
        except ReauthRequired as exc:  # the grant itself was refused
            raise BrowserNeeded(exc.reason, reconnect_path(account_id)) from exc
    return ReconnectOutcome(how, check(rt, account_id))


def _replace_credentials(
    rt: Any, account_id: int, credentials: dict[str, str], actor_id: int | None
) -> None:

    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None:
            raise LookupError(f"no channel account {account_id}")
        _who, problems = test_account(
            rt,
            account.channel,
            account.connector,
            account.external_id,
            credentials,
            dict(account.options or {}),
            account_id=account.id,
        )
        if problems:
            raise ConnectorError("; ".join(problems))
        sealed = rt.seal(credentials)
        if account.enabled:
            update_credentials(session, account, sealed, actor_id)
        else:
            add_account(
                session,
                channel=account.channel,
                connector=account.connector,
                name=account.name,
                external_id=account.external_id,
                sealed_credentials=sealed,
                options=dict(account.options or {}),
                actor_id=actor_id,
            )
        account.token_expires_at = None  # typed-in tokens: expiry unknown
