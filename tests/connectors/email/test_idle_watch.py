"""IMAP IDLE in the running product: a watcher enqueues the poll when mail arrives, so a new
mail reaches the inbox without waiting for the next scheduled poll."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from inbox.models import Message
from tests.connectors.email.test_end_to_end import deliver, fixture, mailbox  # noqa: F401
from tests.support.dovecot import Dovecot
from workers.watch import Watchers


def test_new_mail_reaches_the_inbox_through_idle(rt: Any, dovecot: Dovecot, mailbox: Any) -> None:  # noqa: F811
    watchers = Watchers(rt)
    try:
        watchers.refresh()
        assert list(watchers.running) == [(mailbox.id, "INBOX")]
        # The watcher's first connect triggers a catch-up poll; wait for it to finish, so the
        # next poll can only come from IDLE (no sweeper or schedule runs in this test).
        deadline = time.time() + 60
        while not _polled(rt, mailbox.id) and time.time() < deadline:
            rt.jobs.drain(timeout=1)
            time.sleep(0.1)
        assert _polled(rt, mailbox.id)
        deliver(dovecot, fixture("15_plain_en_password_reset.eml"))
        deadline = time.time() + 60
        found = None
        while found is None and time.time() < deadline:
            rt.jobs.drain(timeout=1)
            with rt.db.session() as s:
                found = s.scalars(
                    select(Message.text).where(Message.direction == "inbound")
                ).first()
            time.sleep(0.2)
        assert found is not None and found.startswith("Hi,")
        watchers.refresh()  # a second refresh starts no second watcher
        assert len(watchers.running) == 1
    finally:
        watchers.close()


def _polled(rt: Any, account_id: int) -> bool:
    from inbox.models import SyncCursor

    with rt.db.session() as s:
        return (
            s.scalars(select(SyncCursor).where(SyncCursor.channel_account_id == account_id)).first()
            is not None
        )
