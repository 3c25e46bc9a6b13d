"""The poll job: fetch what a pull channel has after our cursor, page by page.

The cursor moves in the same transaction as the messages it covers, and only if nobody moved
it meanwhile, so overlapping polls can repeat a page (deduped by constraint) but never skip one.
A connector that offers `poll_session(account)` (email) keeps one connection for the whole
run instead of one per page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from connectors import behaviour
from connectors.base import (
    AccountConfig,
    ConnectorError,
    PollingConnector,
    PollResult,
    PollSession,
    RateLimited,
    ReauthRequired,
    RetryableSendError,
)
from inbox import cursors, deliveries
from inbox.models import ChannelAccount
from inbox.replies import flag_reauth, mark_healthy
from switchboard.metrics import POLLS
from switchboard.pauses import scopes_for
from workers.context import runtime
from workers.fetcher import ahead_fetcher
from workers.ingest import record_events

if TYPE_CHECKING:
    from workers.early_poll import EarlyPoll

log = logging.getLogger(__name__)

MAX_PAGES_PER_RUN = 50
DEFAULT_INTERVAL = 60.0
MIN_FOLLOW_UP = 2.0  # seconds: a follow-up poll never comes sooner than this


def poll_account(
    account_id: int,
    *,
    on_page: Callable[[int, int | None], bool] | None = None,
    max_pages: int = MAX_PAGES_PER_RUN,
    fetch_process: bool = False,
    early: EarlyPoll | None = None,
) -> int:
    """Poll every stream of the account; return how many events were seen.

    `on_page(events, remaining)` is called after each committed page (`switchboard poll`
    draws progress with it; `remaining` is what the stream still holds, None when the
    provider cannot say); returning False stops the run there, e.g. on Ctrl+C.
    `fetch_process` fetches and parses pages in a forked child process (workers/fetcher.py):
    for `switchboard poll`, a process of its own; not for a worker's job. `early` is such a
    child forked before the process finished starting (workers/early_poll.py), used only if
    it fetches for the same connector and config as read here.
    """
    rt = runtime()
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None or not account.enabled or account.health == "reconnect_needed":
            return 0
        connector = behaviour(rt.connector(account), PollingConnector)
        if connector is None:
            return 0
        config = rt.account_config(account)
        slug = account.connector
        interval = float(account.options.get("poll_interval", DEFAULT_INTERVAL))
    seen = 0
    streams = tuple(connector.streams_for(config))  # e.g. a mailbox's extra folders
    started = early.adopt(slug, config) if early is not None else None
    with (
        _session(connector, config) as poller,
        ahead_fetcher(poller, in_child=fetch_process, started=started) as ahead,
    ):
        ahead_ok = bool(poller.read_only)  # every session says whether pages may be read ahead
        for stream in streams:
            paused = rt.pauses.remaining(scopes_for(connector, config, f"poll:{stream}"))
            if paused > 0:  # a send or another poll was told to leave this account alone
                _schedule(account_id, stream, paused)
                POLLS.labels(slug, "paused").inc()
                continue
            cursor = _read_cursor(account_id, stream)
            pending = ahead.submit(stream, cursor)
            for _ in range(max_pages):
                try:
                    result = pending.result()
                except ReauthRequired as exc:
                    with rt.db.session() as session:
                        flag_reauth(session, _account(session, account_id), exc.reason)
                    POLLS.labels(slug, "reauth").inc()
                    return seen
                except RetryableSendError as exc:
                    if isinstance(exc, RateLimited):
                        rt.pauses.pause(exc.scopes, exc.retry_after or interval)
                    _schedule(account_id, stream, exc.retry_after or interval)
                    POLLS.labels(slug, "retry").inc()
                    break
                except ConnectorError as exc:
                    log.warning("poll %s/%s failed: %s", account_id, stream, exc.reason)
                    _schedule(account_id, stream, interval)
                    POLLS.labels(slug, "error").inc()
                    break
                # Fetch and parse the next page while this one is stored: the parse runs
                # while the database works. Only for a mailbox the fetch leaves untouched
                # (no move_to): a page fetched ahead and then not stored is simply fetched
                # again by the next run.
                nxt = ahead.submit(stream, result.cursor) if ahead_ok and result.more else None
                seen += len(result.events)
                moved = _store_page(account_id, slug, stream, cursor, result, interval)
                POLLS.labels(slug, "ok" if moved else "overlap").inc()
                if on_page is not None and not on_page(len(result.events), result.remaining):
                    _discard(nxt)
                    return seen
                if not (moved and result.more):
                    _discard(nxt)
                    break
                cursor = result.cursor  # we just stored it: no need to read it back
                pending = nxt or ahead.submit(stream, cursor)
    _follow_up(account_id)
    return seen


def _follow_up(account_id: int) -> None:
    """Come back when the next stream is due, if that is sooner than the sweeper would.

    The sweeper looks for due polls every SWEEP_INTERVAL_SECONDS (30): on its own it polled
    an account configured for 5 s every 30 s. This asks for `poll_if_due` at the stored
    `next_poll_at`; that job polls only if a stream is still due, so a follow-up and a
    sweeper poll that meet collapse into one chain instead of doubling.
    """
    rt = runtime()
    with rt.db.session() as session:
        times = [t for t in cursors.next_poll_times(session, account_id) if t is not None]
    if not times:
        return
    now = datetime.now(UTC)
    at = max(min(times), now + timedelta(seconds=MIN_FOLLOW_UP))
    if at - now >= timedelta(seconds=rt.settings.int("SWEEP_INTERVAL_SECONDS")):
        return  # the sweeper finds it in time
    rt.jobs.enqueue(
        "workers.poll.poll_if_due",
        account_id,
        queue="poll",
        at=at,
        job_id=f"poll-next:{account_id}:{int(at.timestamp())}",
    )


def poll_if_due(account_id: int) -> int:
    """A follow-up poll: runs only if one of the account's streams is due by now."""
    with runtime().db.session() as session:
        times = cursors.next_poll_times(session, account_id)
    soon = datetime.now(UTC) + timedelta(seconds=0.5)
    if times and all(t is not None and t > soon for t in times):
        return 0  # another poll ran meanwhile and pushed the next one out
    return poll_account(account_id)


def _discard(page: Future[PollResult] | None) -> None:
    """Wait for a page fetched ahead that will not be stored (its errors do not matter)."""
    if page is not None:
        with suppress(Exception):
            page.result()


class _Poller(Protocol):
    def poll(self, stream: str, cursor: str | None) -> PollResult: ...


def _session(connector: PollingConnector, config: AccountConfig) -> AbstractContextManager[Any]:
    """The connector's run-long session if it has one, else one `poll` call per page."""
    opener = behaviour(connector, PollSession)
    if opener is not None:
        return opener.poll_session(config)  # type: ignore[no-any-return]
    return _per_page(connector, config)


@contextmanager
def _per_page(connector: PollingConnector, config: AccountConfig) -> Iterator[_Poller]:
    class PerPage:
        read_only = False  # unknown: fetch no page ahead

        def poll(self, stream: str, cursor: str | None) -> PollResult:
            return connector.poll(config, stream, cursor)

    yield PerPage()


def _account(session: Session, account_id: int) -> ChannelAccount:
    account = session.get(ChannelAccount, account_id)
    assert account is not None
    return account


def _read_cursor(account_id: int, stream: str) -> str | None:
    with runtime().db.session() as session:
        return cursors.read(session, account_id, stream)


def _store_page(
    account_id: int, slug: str, stream: str, old: str | None, result: PollResult, interval: float
) -> bool:
    rt = runtime()
    with rt.db.session() as session:
        cursor = cursors.lock(session, account_id, stream)
        if cursor.value != old:
            return False  # another poll advanced it; its page covered ours
        record_events(session, rt.connector_by_slug(slug), slug, result.events)
        now = datetime.now(UTC)
        for reason, raw in result.rejected:
            deliveries.store_rejected(
                session,
                endpoint=f"poll:{stream}",
                connector=slug,
                headers={"channel_account_id": str(account_id)},
                body=raw,
                reason=reason,
                at=now,
            )
        delay = result.next_poll_in if result.next_poll_in is not None else interval
        cursors.advance(
            cursor,
            result.cursor,
            now + timedelta(seconds=delay),
            interval=delay,
            reason=result.next_poll_reason if delay > interval else None,
        )
        mark_healthy(session, _account(session, account_id))
    return True


def _schedule(account_id: int, stream: str, seconds: float) -> None:
    rt = runtime()
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    with rt.db.session() as session:
        cursors.schedule(session, account_id, stream, at)
    rt.jobs.enqueue(
        "workers.poll.poll_account",
        account_id,
        queue="poll",
        at=at,
        job_id=f"poll:{account_id}:{int(at.timestamp())}",
    )
