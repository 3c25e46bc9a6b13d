"""The fetching child: a ConnectorError raised there comes back to the poll loop as itself, and
a page fetched ahead (the early start) is handed out by cursor, or not read when not allowed."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from connectors.base import (
    ConnectorError,
    PollResult,
    RateLimited,
    ReauthRequired,
    RetryableSendError,
)
from workers.fetcher import ChildFetcher, _Failure


@pytest.mark.parametrize(
    "error",
    [
        ConnectorError("bad mailbox"),
        ReauthRequired("IMAP login refused"),
        RetryableSendError("server restarting", retry_after=12.0),
        RateLimited("slow down", retry_after=30.0, scopes=("imap:account:1",)),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_cross_the_process_boundary_with_their_class_and_attributes(
    error: ConnectorError,
) -> None:
    failure = _Failure(type(error), error.reason, dict(vars(error)))
    back = pickle.loads(pickle.dumps(failure)).rebuild()
    assert type(back) is type(error)
    assert back.reason == error.reason and str(back) == str(error)
    assert vars(back) == vars(error)  # retry_after, scopes


class Counting:
    """A read-only poller that appends a line to `log` per page it fetches (in the child)."""

    read_only = True

    def __init__(self, log: Path) -> None:
        self.log = log

    def poll(self, stream: str, cursor: str | None) -> PollResult:
        with self.log.open("a") as out:
            out.write(f"{cursor}\n")
        return PollResult(events=(), cursor=f"{cursor or 0}+1", more=True)


def test_a_child_told_not_to_read_ahead_fetches_only_what_is_asked(tmp_path: Path) -> None:
    """The early start's pause check says no: the page prefetched is not read; when the poll
    asks for it (it checked the pause itself), it is fetched then, once."""
    log = tmp_path / "fetched"
    fetcher = ChildFetcher(Counting(log), may_read_ahead=lambda: False)
    try:
        fetcher.prefetch("INBOX", None)
        page = fetcher.submit("INBOX", None).result(timeout=30)
    finally:
        fetcher.close()
    assert page.cursor == "0+1"
    assert log.read_text().splitlines() == ["None"]


def test_a_page_fetched_ahead_is_handed_to_the_poll_that_asks_for_it(tmp_path: Path) -> None:
    """The early start's page is claimed by (stream, cursor), never fetched twice; anything
    else is fetched when asked, and nothing beyond what was asked is fetched."""
    log = tmp_path / "fetched"
    fetcher = ChildFetcher(Counting(log), may_read_ahead=lambda: True)
    try:
        fetcher.prefetch("INBOX", None)
        first = fetcher.submit("INBOX", None).result(timeout=30)
        second = fetcher.submit("INBOX", first.cursor).result(timeout=30)
        other = fetcher.submit("Support", None).result(timeout=30)
    finally:
        fetcher.close()
    assert (first.cursor, second.cursor, other.cursor) == ("0+1", "0+1+1", "0+1")
    assert sorted(_lines(log)) == ["0+1", "None", "None"]  # INBOX twice, Support once


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []
