"""The poll job over several IMAP pages, against a real dovecot and the real database.

One login per run however many pages and mailboxes; the cursor moves in the same transaction
as the page's messages or not at all; broken mail is stored as rejected without stalling; and
the docs/design.md §3.4 threading rule (subject threading only for reply/forward subjects) holds
within one page (the batch path decides in memory) and across pages (it reads the database).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from typing import Any

import pytest
from imapclient import IMAPClient
from sqlalchemy import func, select, text

from inbox.models import ChannelAccount, Conversation, InboundDelivery, Message, SyncCursor
from tests.support.dovecot import Dovecot
from workers.poll import poll_account

ADDRESS = "help@seoulsupps.example"
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
# In a thread (a worker's job) or a forked child process (`switchboard poll`, workers/fetcher.py).
FETCH = pytest.mark.parametrize("in_child", [False, True], ids=["thread", "child"])
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"IMAP_POLL_PAGE_SIZE": "3"}  # every test here spans several pages


def mail(
    n: int,
    *,
    sender: str = "minho@example.com",
    subject: str = "배송 문의",
    references: str | None = None,
    in_reply_to: str | None = None,
    body: str | None = None,
) -> bytes:
    headers = [
        f"From: {Header('김민호', 'utf-8').encode()} <{sender}>",
        f"To: {ADDRESS}",
        f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Date: {format_datetime(T0 + timedelta(minutes=n))}",
        f"Message-ID: <m{n}@example.com>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if references:
        headers.append(f"References: {references}")
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    text_ = body or f"{n}번째 메일입니다. 주문번호 2026120{n:04d}"
    return ("\r\n".join(headers) + "\r\n\r\n" + text_ + "\r\n").encode()


def deliver(dovecot: Dovecot, *messages: bytes, mailbox: str = "INBOX") -> None:
    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False)
    client.login(dovecot.user, dovecot.password)
    if not client.folder_exists(mailbox):
        client.create_folder(mailbox)
    for raw in messages:
        client.append(mailbox, raw)
    client.logout()


def email_account(
    factory: Any, dovecot: Dovecot, *, password: str | None = None, **options: str
) -> ChannelAccount:
    """The email account the poll tests read: dovecot's mailbox (its password unless one is
    given), plus `options`."""
    return factory.account(  # type: ignore[no-any-return]
        "email",
        connector="email",
        external_id=ADDRESS,
        credentials={"imap_password": dovecot.password if password is None else password},
        options={**dovecot.options(), **options},
    )


@pytest.fixture
def mailbox(factory: Any, dovecot: Dovecot) -> ChannelAccount:
    return email_account(factory, dovecot, mailboxes="INBOX,Support")


def conversation_of(rt: Any) -> dict[str, int]:
    with rt.db.session() as s:
        rows = s.execute(select(Message.external_id, Message.conversation_id)).all()
        return {str(ext): int(cid) for ext, cid in rows}


@BOTH
@FETCH
def test_one_login_per_poll_run_for_every_page_of_every_mailbox(
    rt: Any, dovecot: Dovecot, mailbox: ChannelAccount, in_child: bool
) -> None:
    deliver(dovecot, *(mail(n, subject=f"문의 {n}") for n in range(10)))  # 4 pages of 3
    deliver(dovecot, *(mail(n, subject=f"문의 {n}") for n in range(10, 14)), mailbox="Support")
    before = dovecot.settled_logins()
    assert poll_account(mailbox.id, fetch_process=in_child) == 14
    assert dovecot.settled_logins() - before == 1
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 14
        cursors = dict(s.execute(select(SyncCursor.stream, SyncCursor.value)).all())
        assert set(cursors) == {"INBOX", "Support"}
    assert poll_account(mailbox.id) == 0  # nothing new: one more login, no messages
    assert dovecot.settled_logins() - before == 2


def _abort_cursor_updates(rt: Any, on: bool) -> None:
    """A real failure at the very end of the page's transaction: the cursor's UPDATE fails."""
    with rt.db.engine.begin() as conn:
        if rt.db.dialect == "sqlite":
            if on:
                conn.execute(
                    text(
                        "CREATE TRIGGER refuse_cursor BEFORE UPDATE ON sync_cursor "
                        "BEGIN SELECT RAISE(ABORT, 'cursor refused'); END"
                    )
                )
            else:
                conn.execute(text("DROP TRIGGER refuse_cursor"))
        elif on:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_cursor() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'cursor refused'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_cursor BEFORE UPDATE ON sync_cursor "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_cursor()"
                )
            )
        else:
            conn.execute(text("DROP TRIGGER refuse_cursor ON sync_cursor"))
            conn.execute(text("DROP FUNCTION refuse_cursor()"))


@BOTH
@FETCH
def test_messages_and_cursor_commit_together_and_a_retry_stores_each_once(
    rt: Any, dovecot: Dovecot, mailbox: ChannelAccount, in_child: bool
) -> None:
    deliver(dovecot, *(mail(n, subject=f"문의 {n}") for n in range(5)))
    _abort_cursor_updates(rt, on=True)
    try:
        with pytest.raises(Exception, match="cursor refused"):
            poll_account(mailbox.id, fetch_process=in_child)
    finally:
        _abort_cursor_updates(rt, on=False)
    with rt.db.session() as s:  # the page's messages rolled back with its cursor
        assert s.scalar(select(func.count()).select_from(Message)) == 0
        assert s.scalar(select(func.count()).select_from(Conversation)) == 0
        assert s.scalar(select(SyncCursor.value).where(SyncCursor.stream == "INBOX")) is None
    assert poll_account(mailbox.id, fetch_process=in_child) == 5
    assert poll_account(mailbox.id, fetch_process=in_child) == 0
    with rt.db.session() as s:
        ids = s.scalars(select(Message.external_id)).all()
        assert sorted(ids) == sorted(f"<m{n}@example.com>" for n in range(5))


@BOTH
@FETCH
def test_broken_mail_inside_a_page_is_rejected_and_the_rest_of_every_page_arrives(
    rt: Any, dovecot: Dovecot, mailbox: ChannelAccount, in_child: bool
) -> None:
    deliver(
        dovecot,
        mail(1, subject="문의 1"),
        b"no header here\r\n",
        mail(2, subject="문의 2"),
        mail(3, subject="문의 3"),
        b"\r\n\r\n",
        mail(4, subject="문의 4"),
        mail(5, subject="문의 5"),
    )
    assert poll_account(mailbox.id, fetch_process=in_child) == 5
    assert poll_account(mailbox.id, fetch_process=in_child) == 0
    with rt.db.session() as s:
        rejected = s.scalars(select(InboundDelivery).order_by(InboundDelivery.id)).all()
        assert [r.status for r in rejected] == ["rejected", "rejected"]
        assert all("unparseable" in (r.reason or "") for r in rejected)
        assert rejected[0].body.startswith(b"no header here")
        stored = s.scalars(select(Message.external_id)).all()
        assert sorted(stored) == [f"<m{n}@example.com>" for n in range(1, 6)]


@BOTH
def test_only_reply_and_forward_subjects_thread_by_subject_within_and_across_pages(
    rt: Any, dovecot: Dovecot, mailbox: ChannelAccount
) -> None:
    other = "sujin@example.net"
    deliver(
        dovecot,
        mail(1, subject="배송 문의"),  # order A
        mail(2, subject="배송 문의"),  # order B, same customer, same stock subject: a new case
        mail(3, subject="회신: 배송 문의"),  # a reply by subject: the latest such case (B)
        mail(4, subject="배송 문의", sender=other),  # someone else: their own case
        mail(5, subject="FW: 배송 문의", sender=other),  # their forward: their case
        mail(6, subject="Re: 환불 요청"),  # a reply subject matching nothing: a new case
        mail(7, subject="아무 제목", references="<m1@example.com>"),  # References only: A
        mail(8, subject="다른 문의", references="<m4@example.com>"),  # someone else's: new
    )
    assert poll_account(mailbox.id) == 8
    first = conversation_of(rt)
    deliver(
        dovecot,
        mail(9, subject="배송 문의"),  # yet another order: new, next page run
        mail(10, subject="답장: 배송 문의"),  # joins the latest (9)
        mail(11, subject="전달: 환불 요청"),  # joins 6 by subject
        mail(12, subject="무관", in_reply_to="<m2@example.com>"),  # In-Reply-To only: B
    )
    assert poll_account(mailbox.id) == 4
    got = conversation_of(rt)
    assert got.items() >= first.items()  # nothing moved
    c = {n: got[f"<m{n}@example.com>"] for n in range(1, 13)}
    assert c[1] == c[7]
    assert c[2] == c[3] == c[12]
    assert c[4] == c[5]
    assert c[9] == c[10]
    assert c[6] == c[11]
    assert len({c[1], c[2], c[4], c[6], c[8], c[9]}) == 6
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Conversation)) == 6


@FETCH
def test_a_refused_login_flags_the_account_for_reconnecting(
    rt: Any, factory: Any, dovecot: Dovecot, in_child: bool
) -> None:
    """The child's ReauthRequired comes back as itself: the loop flags, not crashes."""
    deliver(dovecot, mail(1, subject="문의 1"))
    account = email_account(factory, dovecot, password="wrong")
    assert poll_account(account.id, fetch_process=in_child) == 0
    with rt.db.session() as s:
        flagged = s.get(ChannelAccount, account.id)
        assert flagged is not None and flagged.health == "reconnect_needed"
        assert s.scalar(select(func.count()).select_from(Message)) == 0


def test_plain_imap_builds_no_tls_context(dovecot: Dovecot) -> None:
    """A CA file that cannot be read breaks any TLS context: plain IMAP must not need one."""
    from connectors.base import AccountConfig
    from connectors.email import EmailConnector

    deliver(dovecot, mail(1, subject="문의 1"))
    account = AccountConfig(
        id=1,
        external_id=ADDRESS,
        credentials={"imap_password": dovecot.password},
        options={**dovecot.options(), "tls_ca_file": "/nonexistent/ca.pem"},
    )
    with EmailConnector({}).poll_session(account) as session:
        page = session.poll("INBOX", None)
    assert [e.external_id for e in page.events] == ["<m1@example.com>"]
