"""The token refresh job: renew an OAuth token before it ends (switchboard/tokens.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from connectors.base import ConnectorError, ReauthRequired
from inbox.models import ChannelAccount
from switchboard.tokens import REFRESH_AHEAD, CannotRenew, due_refreshes, renew
from workers.context import runtime

__all__ = ["due_refreshes", "refresh_account"]

log = logging.getLogger(__name__)


def refresh_account(account_id: int) -> str:
    """The job: refresh unless another run already did (the token then ends later)."""
    rt = runtime()
    now = datetime.now(UTC)
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None or not account.enabled:
            return "gone"
        expires = account.token_expires_at
        if expires is not None and expires > now + REFRESH_AHEAD:
            return "fresh"
    try:
        renew(rt, account_id)
    except CannotRenew as exc:
        return f"cannot renew: {exc}"
    except ReauthRequired:
        return "reconnect needed"
    except ConnectorError as exc:
        log.warning("token refresh of channel account %s failed: %s", account_id, exc.reason)
        return "failed; the next sweep tries again"
    return "refreshed"
