"""`switchboard poll` of a large mailbox: IMAP's UID SEARCH says how much is left after each
page (the CLI's total and ETA), and a run stopped between pages (Ctrl+C) resumes at the
committed cursor, storing every mail once (real dovecot, SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from cli.progress import Progress
from inbox.models import ChannelAccount, Message
from tests.connectors.email.test_poll_run import deliver, email_account, mail
from tests.support.dovecot import Dovecot
from workers.poll import poll_account

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"IMAP_POLL_PAGE_SIZE": "3"}


@pytest.fixture
def inbox_only(factory: Any, dovecot: Dovecot) -> ChannelAccount:
    return email_account(factory, dovecot)


@BOTH
def test_remaining_counts_and_a_stopped_run_resumes(
    rt: Any, dovecot: Dovecot, inbox_only: ChannelAccount
) -> None:
    deliver(dovecot, *(mail(n, subject=f"백필 {n}") for n in range(10)))
    pages: list[tuple[int, int | None]] = []

    def stop_after_two_pages(events: int, remaining: int | None) -> bool:
        pages.append((events, remaining))
        return len(pages) < 2  # what the CLI's Ctrl+C handler answers after the 2nd page

    assert poll_account(inbox_only.id, on_page=stop_after_two_pages, max_pages=100) == 6
    assert pages == [(3, 7), (3, 4)]
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 6

    resumed: list[tuple[int, int | None]] = []

    def keep_going(events: int, remaining: int | None) -> bool:
        resumed.append((events, remaining))
        return True

    assert poll_account(inbox_only.id, on_page=keep_going, max_pages=100) == 4
    assert resumed == [(3, 1), (1, 0)]  # from the cursor, not from the first mail
    with rt.db.session() as s:
        ids = s.scalars(select(Message.external_id)).all()
        assert len(ids) == 10 and len(set(ids)) == 10


def test_remaining_gives_the_bar_a_total_and_an_eta() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = Progress("polling email account 1", unit="events", stream=screen)
    progress._drawn = -1e9
    progress.advance(3, remaining=7)
    assert progress.total == 10
    drawn = screen.getvalue()
    assert "3/10 events" in drawn and " ETA " in drawn
