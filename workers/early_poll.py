"""`switchboard poll`: fork the fetching child before the rest of the process has started.

A poll process spent about 0.7 s importing SQLAlchemy, psycopg and the models, building the
runtime and configuring the mappers before it asked IMAP for its first page, then waited
another 0.2 s for that page while the second CPU sat idle (issue 12: 2,000 mails in 2.1 s,
a third of it start-up). Here the account is read with plain psycopg (inbox/peek.py), its
credentials opened, the connector and its run-long session built, and the child forked
(workers/fetcher.py) with the first page asked for at once, ready when the parent is. Only
what the ordinary path would also do runs here, and only reads: the session must be read-only
(no `move_to`), so a page fetched and never stored is fetched again by the next poll.

The parent trusts none of it. The poll job builds the account's config and reads the cursor
through the models as always and adopts the child only if the connector and the config are
the same (`adopt`); pages are claimed by (stream, cursor), so a cursor another poll moved
meanwhile simply misses and is fetched anew. Anything unusual (not PostgreSQL, no
encryption key in the settings, a disabled account or one needing reconnecting, a connector
without run-long sessions, any error) starts nothing, and the ordinary path runs and fails
exactly as before. A paused account is checked in the child before its first page (the check
needs SQLAlchemy's URL parser): paused, it fetches nothing and the poll job skips the stream
as it always did.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass

from connectors import behaviour, connector_for
from connectors.base import AccountConfig, PollingConnector, PollSession
from inbox.crypto import Vault
from inbox.peek import peek_account
from switchboard.pauses import build_pauses, scopes_for
from switchboard.settings import Settings
from workers.fetcher import ChildFetcher, can_fork

log = logging.getLogger(__name__)


@dataclass
class EarlyPoll:
    account_id: int
    slug: str
    config: AccountConfig
    fetcher: ChildFetcher
    taken: bool = False

    def adopt(self, slug: str, config: AccountConfig) -> ChildFetcher | None:
        """The running child, if it fetches for exactly this connector and config; else it
        is closed and the caller forks its own."""
        if self.taken:
            return None
        self.taken = True
        if slug == self.slug and config == self.config:
            return self.fetcher
        log.info("poll %s: account changed since the early start; fetching anew", slug)
        self.fetcher.close()
        return None

    def close(self) -> None:
        """Stop the child unless the poll adopted it (then its own close does)."""
        if not self.taken:
            self.taken = True
            self.fetcher.close()


def start(account_id: int, settings: Settings) -> EarlyPoll | None:
    """Fork the fetching child for `account_id` now, or None when anything is unusual."""
    try:
        return _start(account_id, settings)
    except Exception:  # the ordinary path meets the same problem and reports it
        log.debug("no early start for account %s", account_id, exc_info=True)
        return None


def _start(account_id: int, settings: Settings) -> EarlyPoll | None:
    key = settings.get("SWITCHBOARD_ENCRYPTION_KEY")
    if not key:
        return None  # a demo's key lives in instance/secrets.json: the runtime reads it
    peeked = peek_account(settings.database_url, account_id)
    if peeked is None or not peeked.enabled or peeked.health == "reconnect_needed":
        return None
    connector = behaviour(connector_for(peeked.connector, settings.env), PollingConnector)
    if connector is None:
        return None
    opener = behaviour(connector, PollSession)
    if opener is None:
        return None
    config = AccountConfig(
        id=peeked.id,
        external_id=peeked.external_id,
        credentials=Vault(key).open(peeked.credentials),
        options=dict(peeked.options),
    )
    stream = next(iter(connector.streams_for(config)), None)
    if stream is None:
        return None
    session = opener.poll_session(config)
    if not can_fork(session):
        return None

    def not_paused() -> bool:
        """Run in the child, before its first page: a send or another poll may have asked to
        leave this account alone (the pause's Redis prefix is derived with SQLAlchemy's URL
        parser, which the parent must not import before the fork)."""
        return not _paused(settings, connector, config, stream)

    fetcher = ChildFetcher(session, may_read_ahead=not_paused)
    try:
        fetcher.prefetch(stream, peeked.cursors.get(stream))
    except Exception:
        with suppress(Exception):
            fetcher.close()
        raise
    return EarlyPoll(account_id, peeked.connector, config, fetcher)


def _paused(settings: Settings, connector: object, config: AccountConfig, stream: str) -> bool:
    """A send or another poll asked to leave this account alone: no early fetch."""
    if settings.embedded:
        return False  # in-process pauses: a new process has none
    pauses = build_pauses(settings.redis_url, settings.redis_prefix)
    return pauses.remaining(scopes_for(connector, config, f"poll:{stream}")) > 0
