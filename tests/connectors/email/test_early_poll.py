"""`switchboard poll`'s early start (workers/early_poll.py, cli/early.py) against a real dovecot.

The child forked before the models are imported is only a head start: the poll job adopts it
for the same connector and config, claims its pages by cursor, and otherwise behaves exactly as
without it (same refusals, same reauth flag, exactly-once storage, Ctrl+C after a committed
page). PostgreSQL only: inbox/peek.py reads the account with plain psycopg.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cli.early import POLL_GC_THRESHOLD
from inbox.models import ChannelAccount, Message, SyncCursor
from inbox.peek import peek_account
from tests.connectors.email.test_poll_run import ADDRESS, deliver, email_account, mail
from tests.support.dovecot import Dovecot
from workers.early_poll import EarlyPoll, start
from workers.poll import poll_account

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"IMAP_POLL_PAGE_SIZE": "3"}


@pytest.fixture
def mailbox(factory: Any, dovecot: Dovecot) -> ChannelAccount:
    return email_account(factory, dovecot)


def early(rt: Any, account_id: int) -> EarlyPoll:
    started = start(account_id, rt.settings)
    assert started is not None
    return started


def stored(rt: Any) -> list[str]:
    with rt.db.session() as s:
        return sorted(s.scalars(select(Message.external_id)))


def test_peek_reads_what_the_models_hold(rt: Any, mailbox: ChannelAccount) -> None:
    with rt.db.session() as s:
        s.add(SyncCursor(channel_account_id=mailbox.id, stream="INBOX", value="v1:7:42"))
    peeked = peek_account(rt.settings.database_url, mailbox.id)
    assert peeked is not None
    with rt.db.session() as s:
        account = s.get(ChannelAccount, mailbox.id)
        assert account is not None
        assert rt.vault.open(peeked.credentials) == rt.account_config(account).credentials
        assert (peeked.connector, peeked.external_id, peeked.options) == (
            account.connector,
            account.external_id,
            account.options,
        )
        assert (peeked.enabled, peeked.health) == (account.enabled, account.health)
    assert peeked.cursors == {"INBOX": "v1:7:42"}
    assert peek_account(rt.settings.database_url, 424242) is None
    assert peek_account("sqlite:///x.db", mailbox.id) is None  # SQLite: the ordinary path


def test_the_early_child_is_adopted_one_login_every_mail_once(
    rt: Any, dovecot: Dovecot, mailbox: ChannelAccount
) -> None:
    deliver(dovecot, *(mail(n, subject=f"문의 {n}") for n in range(10)))  # 4 pages of 3
    before = dovecot.settled_logins()
    started = early(rt, mailbox.id)
    assert poll_account(mailbox.id, fetch_process=True, early=started) == 10
    assert dovecot.settled_logins() - before == 1  # a second child would log in again
    assert stored(rt) == sorted(f"<m{n}@example.com>" for n in range(10))
    assert poll_account(mailbox.id, fetch_process=True) == 0


def test_a_cursor_moved_after_the_early_start_is_fetched_anew(
    rt: Any, dovecot: Dovecot, mailbox: ChannelAccount
) -> None:
    """The early child fetched from the old cursor; another poll stored those mails meanwhile:
    its page is not claimed (it would count 3 again), the new cursor's page is fetched."""
    deliver(dovecot, *(mail(n, subject=f"문의 {n}") for n in range(3)))
    started = early(rt, mailbox.id)
    assert poll_account(mailbox.id) == 3  # a worker's scheduled poll got there first
    deliver(dovecot, *(mail(n, subject=f"문의 {n}") for n in range(3, 5)))
    assert poll_account(mailbox.id, fetch_process=True, early=started) == 2
    assert len(stored(rt)) == 5


def test_an_account_changed_after_the_early_start_gets_a_child_of_its_own(
    rt: Any, dovecot: Dovecot, mailbox: ChannelAccount
) -> None:
    deliver(dovecot, *(mail(n, subject=f"문의 {n}") for n in range(4)))
    before = dovecot.settled_logins()
    started = early(rt, mailbox.id)
    with rt.db.session() as s:
        account = s.get(ChannelAccount, mailbox.id)
        assert account is not None
        account.options = {**account.options, "poll_interval": 30}
    assert poll_account(mailbox.id, fetch_process=True, early=started) == 4
    assert dovecot.settled_logins() - before == 2  # the early child's, then the poll's own
    assert len(stored(rt)) == 4


def test_a_refused_login_in_the_early_child_flags_the_account(
    rt: Any, factory: Any, dovecot: Dovecot
) -> None:
    deliver(dovecot, mail(1))
    account = email_account(factory, dovecot, password="wrong")
    started = early(rt, account.id)
    assert poll_account(account.id, fetch_process=True, early=started) == 0
    with rt.db.session() as s:
        flagged = s.get(ChannelAccount, account.id)
        assert flagged is not None and flagged.health == "reconnect_needed"
        assert "IMAP login refused" in (flagged.health_detail or "")
        assert s.scalar(select(func.count()).select_from(Message)) == 0


def test_stopping_after_a_page_keeps_exactly_that_page(
    rt: Any, dovecot: Dovecot, mailbox: ChannelAccount
) -> None:
    """Ctrl+C (on_page says stop): the first page is committed with its cursor, the pages read
    ahead are dropped, and the next poll stores the rest, each mail once."""
    deliver(dovecot, *(mail(n, subject=f"문의 {n}") for n in range(8)))
    started = early(rt, mailbox.id)
    stop = lambda *_: False  # noqa: E731
    assert poll_account(mailbox.id, fetch_process=True, early=started, on_page=stop) == 3
    assert len(stored(rt)) == 3
    assert poll_account(mailbox.id, fetch_process=True) == 5
    assert len(stored(rt)) == 8


@pytest.mark.parametrize("change", ["disabled", "reconnect_needed", "move_to"])
def test_no_early_start_for_an_account_the_poll_would_refuse_or_must_not_read_ahead(
    rt: Any, mailbox: ChannelAccount, change: str
) -> None:
    with rt.db.session() as s:
        account = s.get(ChannelAccount, mailbox.id)
        assert account is not None
        if change == "disabled":
            account.enabled = False
        elif change == "reconnect_needed":
            account.health = "reconnect_needed"
        else:
            account.options = {**account.options, "move_to": "Done"}
    assert start(mailbox.id, rt.settings) is None
    assert start(424242, rt.settings) is None


# The real program: `switchboard poll ID` with the account disabled. The early start must
# import no SQLAlchemy (that is its point, and the child then cannot reach the database through
# the models), start nothing, and the command must fail with the ordinary message.
PROGRAM = """
import json, sys
sys.argv = ["switchboard", "poll", sys.argv[1]]
import cli.early
early_modules = sorted(sys.modules)
started = cli.early._started
from cli.commands import main
try:
    main(sys.argv[1:], standalone_mode=False)
except Exception as exc:
    print("failed:", exc, file=sys.stderr)
import gc
print(json.dumps({"modules": early_modules, "started": started is not None,
                  "gc": gc.get_threshold()[0]}))
"""


def test_the_program_starts_early_without_sqlalchemy_and_refuses_as_before(
    rt: Any, mailbox: ChannelAccount, tmp_path: Path
) -> None:
    env = {**os.environ, **rt.settings.env, "SWITCHBOARD_DOTENV": "/nonexistent"}

    def program() -> tuple[dict[str, Any], str]:
        done = subprocess.run(
            [sys.executable, "-c", PROGRAM, str(mailbox.id)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr

    # IMAP on a closed port: the early child starts (and fails to connect, as the poll does).
    with rt.db.session() as s:
        account = s.get(ChannelAccount, mailbox.id)
        assert account is not None
        account.options = {**account.options, "imap_port": 1}
    seen, _ = program()
    assert seen["started"]
    assert seen["gc"] == POLL_GC_THRESHOLD  # a poll process collects less often
    assert not any(m == "sqlalchemy" or m.startswith("sqlalchemy.") for m in seen["modules"])
    assert "inbox.models" not in seen["modules"]
    with rt.db.session() as s:
        account = s.get(ChannelAccount, mailbox.id)
        assert account is not None
        account.enabled = False
    seen, stderr = program()
    assert not seen["started"]
    assert f"channel account {mailbox.id} (email {ADDRESS}) is disconnected" in stderr


@pytest.mark.redis
def test_a_paused_account_is_seen_by_the_early_childs_check(mailbox: ChannelAccount) -> None:
    from connectors.base import AccountConfig
    from connectors.email import EmailConnector
    from switchboard.pauses import build_pauses, scopes_for
    from switchboard.settings import Settings
    from tests.conftest import REDIS_TEST_URL
    from workers.early_poll import _paused

    settings = Settings.load({"REDIS_URL": REDIS_TEST_URL, "REDIS_PREFIX": "sb-early-test"})
    connector = EmailConnector({})
    config = AccountConfig(id=mailbox.id, external_id=ADDRESS, credentials={}, options={})
    assert not _paused(settings, connector, config, "INBOX")
    pauses = build_pauses(settings.redis_url, settings.redis_prefix)
    scopes = scopes_for(connector, config, "poll:INBOX")
    pauses.pause(scopes, 30)
    try:
        assert _paused(settings, connector, config, "INBOX")
    finally:
        import redis

        client = redis.Redis.from_url(REDIS_TEST_URL)
        for key in client.scan_iter("sb-early-test:*"):
            client.delete(key)
