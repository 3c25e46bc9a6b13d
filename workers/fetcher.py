"""Where a poll run fetches and parses its next page: a thread, or a forked child process.

The poll loop (workers/poll.py) stores page N while page N+1 is fetched and parsed. In a thread
that overlaps only the waits: MIME parsing is Python work and shares the interpreter lock with
the ingest of page N, so on a 2,000-mail catch-up the two took turns on one CPU while the
second one ran only PostgreSQL. `switchboard poll` is a process of its own draining a whole
mailbox: there a child forked once for the run holds the connector's poll session (still one
IMAP login per run), fetches and parses, and hands each page back pickled, so parsing and
storing run side by side. A worker's poll job keeps the thread: forking a worker that runs
other threads is not safe, and its pages are few.

The child only fetches: it never touches the database or the queue (their connections, copied
by the fork, stay unused in it). A ConnectorError raised there is rebuilt in the parent with
its class and attributes, so the poll loop's handling (re-auth, retry, pause) is the same on
either path.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol

from connectors.base import ConnectorError, PollResult


class Poller(Protocol):
    def poll(self, stream: str, cursor: str | None) -> PollResult: ...


class Fetcher(Protocol):
    def submit(self, stream: str, cursor: str | None) -> Future[PollResult]: ...


@contextmanager
def ahead_fetcher(
    poller: Poller, *, in_child: bool = False, started: ChildFetcher | None = None
) -> Iterator[Fetcher]:
    """A fetcher for `poller`'s pages: `started` if given (a child forked before this poll's
    start-up finished, workers/early_poll.py, already fetching for the same account and
    settings), else in a child process when asked, the session reads ahead (it changes
    nothing on the server) and this platform can fork; else in a thread."""
    child = in_child and can_fork(poller)
    fetcher = started or (ChildFetcher(poller) if child else _ThreadFetcher(poller))
    try:
        yield fetcher
    finally:
        fetcher.close()


def can_fork(poller: Poller) -> bool:
    """A child may fetch for `poller`: its pages may be read ahead and this platform forks."""
    return bool(getattr(poller, "read_only", False)) and (
        "fork" in multiprocessing.get_all_start_methods()
    )


class _ThreadFetcher:
    def __init__(self, poller: Poller) -> None:
        self._poller = poller
        self._pool = ThreadPoolExecutor(1)

    def submit(self, stream: str, cursor: str | None) -> Future[PollResult]:
        return self._pool.submit(self._poller.poll, stream, cursor)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class ChildFetcher:
    """Pages fetched and parsed by a child forked once for the run.

    `prefetch` (the early start) asks for a page before the poll loop does; `submit` hands it
    out when the loop asks for the same (stream, cursor), else fetches what was asked. Reading
    further ahead while the parent starts up was measured (two and three pages) and gained
    nothing: it took the CPU the parent's imports needed. `may_read_ahead` runs once in the
    child before a prefetched page (the early start's pause check, which would import
    SQLAlchemy in the parent before the fork); if it says no, that page is not fetched, and a
    poll that asks for it gets it fetched then.
    """

    def __init__(self, poller: Poller, *, may_read_ahead: Callable[[], bool] | None = None) -> None:
        # fork: the child inherits the session object and the imported modules (nothing is
        # pickled on the way in, and nothing is imported again).
        self._pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_child_start,
            initargs=(poller, may_read_ahead),
        )
        self._ahead: dict[tuple[str, str | None], Future[PollResult]] = {}
        self._lock = threading.Lock()

    def submit(self, stream: str, cursor: str | None) -> Future[PollResult]:
        with self._lock:
            ahead = self._ahead.pop((stream, cursor), None)
        if ahead is None:
            return self._send(stream, cursor, asked=True)
        page: Future[PollResult] = Future()

        def claimed(done: Future[PollResult]) -> None:
            if isinstance(done.exception(), _NotRead):  # the child declined to read ahead
                self._send(stream, cursor, asked=True).add_done_callback(
                    lambda fresh: _relay(fresh, page)
                )
            else:
                _relay(done, page)

        ahead.add_done_callback(claimed)
        return page

    def prefetch(self, stream: str, cursor: str | None) -> None:
        """Ask for a page nobody has asked for yet (the early start's first page)."""
        with self._lock:
            if (stream, cursor) not in self._ahead:
                self._ahead[(stream, cursor)] = self._send(stream, cursor, asked=False)

    def _send(self, stream: str, cursor: str | None, *, asked: bool) -> Future[PollResult]:
        page: Future[PollResult] = Future()
        sent = self._pool.submit(_child_poll, stream, cursor, asked)

        def arrived(done: Future[PollResult | _Failure | None]) -> None:
            try:
                value = done.result()
            except BaseException as exc:  # the child died or hit a bug: the caller sees it
                page.set_exception(exc)
                return
            if isinstance(value, _Failure):
                page.set_exception(value.rebuild())
                return
            if value is None:
                page.set_exception(_NotRead())
                return
            page.set_result(value)

        sent.add_done_callback(arrived)
        return page

    def close(self) -> None:
        """Drop a page fetched ahead that nobody claimed, log out in the child (its session
        ends there), then let it exit."""
        with self._lock:
            unclaimed, self._ahead = list(self._ahead.values()), {}
        for page in unclaimed:  # fetched ahead, never stored: the next run fetches them again
            with suppress(Exception):
                page.result()
        with suppress(Exception):
            self._pool.submit(_child_stop).result(timeout=30)
        self._pool.shutdown(wait=True, cancel_futures=True)


# -- in the child ------------------------------------------------------------------------------

_SESSION: Any = None
_MAY_READ_AHEAD: Callable[[], bool] | None = None
_READ_AHEAD_ALLOWED = True  # the answer `may_read_ahead` gave, once asked


def _child_start(poller: Poller, may_read_ahead: Callable[[], bool] | None) -> None:
    global _SESSION, _MAY_READ_AHEAD
    _SESSION, _MAY_READ_AHEAD = poller, may_read_ahead
    # Ctrl+C is the parent's to handle: it stops after the page it is storing, then closes us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _child_poll(stream: str, cursor: str | None, asked: bool) -> PollResult | _Failure | None:
    """One page; None for a page nobody asked for when reading ahead is not allowed."""
    if not asked and not _reading_ahead_allowed():
        return None
    try:
        return _SESSION.poll(stream, cursor)  # type: ignore[no-any-return]
    except ConnectorError as exc:
        return _Failure(type(exc), exc.reason, dict(vars(exc)))


def _reading_ahead_allowed() -> bool:
    """Ask `may_read_ahead` once (a pause check: it may import and reach Redis)."""
    global _MAY_READ_AHEAD, _READ_AHEAD_ALLOWED
    if _MAY_READ_AHEAD is not None:
        check, _MAY_READ_AHEAD = _MAY_READ_AHEAD, None
        try:
            _READ_AHEAD_ALLOWED = bool(check())
        except Exception:
            _READ_AHEAD_ALLOWED = False
    return _READ_AHEAD_ALLOWED


def _child_stop() -> None:
    exit_ = getattr(_SESSION, "__exit__", None)
    if exit_ is not None:
        exit_(None, None, None)


class _NotRead(Exception):
    """A page the child did not read ahead (not allowed): fetched when asked for."""


def _relay(source: Future[PollResult], target: Future[PollResult]) -> None:
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


@dataclass(frozen=True)
class _Failure:
    """A ConnectorError on its way back: rebuilt without calling its __init__, whose
    arguments (retry_after, scopes) differ by class and are not all in `args`."""

    kind: type[ConnectorError]
    reason: str
    state: dict[str, Any]

    def rebuild(self) -> ConnectorError:
        error = self.kind.__new__(self.kind)
        Exception.__init__(error, self.reason)
        error.__dict__.update(self.state)
        return error
