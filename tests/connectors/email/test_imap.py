"""The IMAP side against a real dovecot: every corpus mail delivered, fetched and normalized."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from imapclient import IMAPClient

from connectors.base import (
    AccountConfig,
    EventKind,
    InboundEvent,
    PollResult,
    ReauthRequired,
    RetryableSendError,
)
from connectors.email import EmailConnector
from connectors.email.imap import Cursor, MailboxWatcher
from connectors.email.parse import parse_message
from tests.support.dovecot import Dovecot
from tests.support.servers import free_port

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = sorted(FIXTURES.glob("*.eml"))


def imap(dovecot: Dovecot) -> IMAPClient:
    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False)
    client.login(dovecot.user, dovecot.password)
    return client


def deliver(dovecot: Dovecot, *messages: bytes, mailbox: str = "INBOX") -> None:
    client = imap(dovecot)
    if not client.folder_exists(mailbox):
        client.create_folder(mailbox)
    for raw in messages:
        client.append(mailbox, raw)
    client.logout()


def flags(client: IMAPClient) -> list[tuple[bytes, ...]]:
    uids = client.search("ALL")
    return [f[b"FLAGS"] for f in client.fetch(uids, ["FLAGS"]).values()] if uids else []


def poll_everything(
    connector: EmailConnector, account: AccountConfig, cursor: str | None = None
) -> tuple[list[InboundEvent], list[PollResult], str | None]:
    events: list[InboundEvent] = []
    pages: list[PollResult] = []
    while True:
        page = connector.poll(account, "INBOX", cursor)
        pages.append(page)
        events.extend(page.events)
        cursor = page.cursor
        if not page.more:
            return events, pages, cursor


def test_every_corpus_mail_through_dovecot_matches_parse(
    dovecot: Dovecot, account: AccountConfig
) -> None:
    deliver(dovecot, *(p.read_bytes() for p in CORPUS))
    connector = EmailConnector({"IMAP_POLL_PAGE_SIZE": "5"})
    events, pages, _ = poll_everything(connector, account)
    assert len(pages) == 4  # 16 messages in pages of 5
    assert len(events) == len(CORPUS)
    for path, event in zip(CORPUS, events, strict=True):
        expected = parse_message(path.read_bytes(), account.external_id)
        assert event.external_id == expected.external_id, path.name
        assert event.kind is expected.kind
        assert event.text == expected.text, path.name
        assert event.subject == expected.subject
        assert event.customer == expected.customer
        assert event.references == expected.references
        assert event.targets == expected.targets
        assert event.auto_generated == expected.auto_generated
        assert event.sent_at == expected.sent_at
        assert [(a.filename, a.size, a.data) for a in event.attachments] == [
            (a.filename, a.size, a.data) for a in expected.attachments
        ]
        for value in (event.text, event.subject, event.customer and event.customer.name):
            assert "\ufffd" not in (value or ""), path.name
        assert event.extra["imap"]["mailbox"] == "INBOX"
    by_name = dict(zip((p.name for p in CORPUS), events, strict=True))
    assert "박똠이" in (by_name["03_ks_c_5601_1987_outlook.eml"].text or "")
    assert by_name["11_bounce_dsn.eml"].kind is EventKind.BOUNCED
    assert by_name["13_long_body_no_subject_no_msgid.eml"].external_id.startswith("sha256:")


def test_cursor_only_returns_new_mail_and_leaves_seen_flags(
    dovecot: Dovecot, account: AccountConfig
) -> None:
    connector = EmailConnector({})
    deliver(dovecot, CORPUS[0].read_bytes())
    first = connector.poll(account, "INBOX", None)
    assert len(first.events) == 1 and not first.more
    again = connector.poll(account, "INBOX", first.cursor)
    assert again.events == () and again.cursor == first.cursor
    deliver(dovecot, CORPUS[1].read_bytes())
    later = connector.poll(account, "INBOX", first.cursor)
    assert [e.external_id for e in later.events] == ["<20261125091210.4F2A1C@mx.example.net>"]
    client = imap(dovecot)
    client.select_folder("INBOX", readonly=True)
    assert all(b"\\Seen" not in f for f in flags(client))


def test_uidvalidity_change_resyncs_with_the_same_external_ids(
    dovecot: Dovecot, account: AccountConfig
) -> None:
    deliver(dovecot, *(p.read_bytes() for p in CORPUS[:6]))
    connector = EmailConnector({})
    before, _, cursor = poll_everything(connector, account)
    old = Cursor.decode(cursor)
    dovecot.set_uidvalidity("INBOX", (old.uidvalidity or 0) + 1000)
    after, _, new_cursor = poll_everything(connector, account, cursor)
    assert [e.external_id for e in after] == [e.external_id for e in before]
    assert Cursor.decode(new_cursor).uidvalidity == (old.uidvalidity or 0) + 1000
    assert poll_everything(connector, account, new_cursor)[0] == []


def test_broken_and_oversized_mail_is_rejected_without_stalling(
    dovecot: Dovecot, account: AccountConfig
) -> None:
    big = b"From: big@example.com\r\nSubject: big\r\nMessage-ID: <big@x>\r\n\r\n" + b"x" * 5000
    deliver(dovecot, CORPUS[0].read_bytes(), b"no header here\r\n", big, CORPUS[1].read_bytes())
    connector = EmailConnector({"IMAP_MAX_MESSAGE_BYTES": "4096"})
    page = connector.poll(account, "INBOX", None)
    assert len(page.events) == 2
    assert Cursor.decode(page.cursor).last_uid == 4
    reasons = [reason for reason, _raw in page.rejected]
    assert len(reasons) == 2
    assert "unparseable" in reasons[0] and "UID 2" in reasons[0]
    assert "exceeds the 4096-byte limit" in reasons[1]
    assert page.rejected[1][1].startswith(b"From: big@example.com")  # header only
    assert b"x" * 100 not in page.rejected[1][1]


def test_mark_seen_and_move_to_options(dovecot: Dovecot, account: AccountConfig) -> None:
    deliver(dovecot, CORPUS[0].read_bytes(), CORPUS[1].read_bytes())
    seen = replace(account, options={**account.options, "mark_seen": "true"})
    EmailConnector({}).poll(seen, "INBOX", None)
    client = imap(dovecot)
    client.select_folder("INBOX", readonly=True)
    assert all(b"\\Seen" in f for f in flags(client))
    moving = replace(account, options={**account.options, "move_to": "Processed"})
    EmailConnector({}).poll(moving, "INBOX", None)
    client.logout()
    client = imap(dovecot)
    assert client.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"] == 0
    assert client.folder_status("Processed", [b"MESSAGES"])[b"MESSAGES"] == 2


def test_several_mailboxes_polled_in_parallel(dovecot: Dovecot, account: AccountConfig) -> None:
    deliver(dovecot, CORPUS[0].read_bytes())
    deliver(dovecot, CORPUS[1].read_bytes(), CORPUS[2].read_bytes(), mailbox="Support")
    multi = replace(account, options={**account.options, "mailboxes": "INBOX, Support"})
    connector = EmailConnector({})
    assert connector.streams_for(multi) == ("INBOX", "Support")
    assert connector.streams_for(account) == ("INBOX",)
    results = connector.poll_all(multi, {"INBOX": None, "Support": None, "Missing": None})
    inbox, support = results["INBOX"], results["Support"]
    assert isinstance(inbox, PollResult) and len(inbox.events) == 1
    assert isinstance(support, PollResult) and len(support.events) == 2
    assert support.events[0].extra["imap"]["mailbox"] == "Support"
    assert not isinstance(results["Missing"], PollResult)


@pytest.mark.parametrize("use_idle", [True, False])
def test_watcher_notices_new_mail(dovecot: Dovecot, account: AccountConfig, use_idle: bool) -> None:
    arrived = threading.Event()
    with MailboxWatcher(account, "INBOX", poll_interval=0.2, use_idle=use_idle) as watcher:
        assert watcher.use_idle is use_idle

        def wait() -> None:
            if watcher.wait(timeout=60):
                arrived.set()

        thread = threading.Thread(target=wait)
        thread.start()
        deliver(dovecot, CORPUS[0].read_bytes())
        thread.join(timeout=90)
    assert arrived.is_set()
    page = EmailConnector({}).poll(account, "INBOX", None)
    assert len(page.events) == 1


def test_bad_password_and_dead_server(dovecot: Dovecot, account: AccountConfig) -> None:
    connector = EmailConnector({})
    wrong = replace(account, credentials={"imap_password": "nope"})
    with pytest.raises(ReauthRequired):
        connector.poll(wrong, "INBOX", None)
    dead = replace(account, options={**account.options, "imap_port": free_port()})
    with pytest.raises(RetryableSendError):
        connector.poll(dead, "INBOX", None)


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_poll_over_tls_verifying_the_server(mode: str) -> None:
    from tests.support.dovecot import running_dovecot

    with running_dovecot(user="help@seoulsupps.example", tls=True) as server:
        deliver(server, CORPUS[0].read_bytes())
        port = server.port if mode == "starttls" else server.tls_port
        account = AccountConfig(
            id=1,
            external_id="help@seoulsupps.example",
            credentials={"imap_password": server.password},
            options={
                **server.options(),
                "imap_tls": mode,
                "imap_port": port,
                "tls_ca_file": str(server.ca_file),
            },
        )
        page = EmailConnector({}).poll(account, "INBOX", None)
        assert [e.external_id for e in page.events] == [
            "<CAF7x2k9Qm1Zt8Ys0Wv3Lp5Rn4Hd6Jc@mail.example.com>"
        ]
        untrusted = replace(account, options={**account.options, "tls_ca_file": ""})
        with pytest.raises(RetryableSendError):
            EmailConnector({}).poll(untrusted, "INBOX", None)


def test_pages_stop_at_the_byte_budget(
    dovecot: Dovecot, account: AccountConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors.email import imap as imap_module

    monkeypatch.setattr(imap_module, "PAGE_BYTES", 1000)
    deliver(dovecot, *(p.read_bytes() for p in CORPUS[:3]))  # each 600-1200 bytes
    events, pages, _ = poll_everything(EmailConnector({}), account)
    assert [len(p.events) for p in pages] == [1, 1, 1]
    assert [p.more for p in pages] == [True, True, False]
    assert len(events) == 3


def test_watch_loop_calls_back_on_connect_and_on_new_mail(
    dovecot: Dovecot, account: AccountConfig
) -> None:
    calls: list[int] = []
    connected, second, stop = threading.Event(), threading.Event(), threading.Event()

    def on_mail() -> None:
        calls.append(1)
        (connected if len(calls) == 1 else second).set()

    thread = threading.Thread(
        target=EmailConnector({}).watch,
        args=(account, "INBOX", on_mail, stop),
        kwargs={"slice_seconds": 1.0},
    )
    thread.start()
    try:
        assert connected.wait(timeout=60)  # the catch-up call after connecting
        deliver(dovecot, CORPUS[0].read_bytes())
        assert second.wait(timeout=60)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive()
