"""The set-based email path (inbox/ingest_email.py) against the one-by-one path, for real.

The same mail recorded one by one (record_event) into one account and as a batch
(record_mail_batch) into another must end in the same conversations with the same state:
threading, duplicates, auto-replies that never reopen, references that only join the same
sender's conversation, reopening, attachments. Plus: a batch costs the same statements for 10
mails as for 100, racing writers store each mail once, and the two lookups use their indexes.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from connectors.base import Attachment as AttachmentIn
from connectors.base import ConversationKind, EventKind, InboundEvent, Participant
from inbox.conversations import Change, apply_change
from inbox.ingest import record_event
from inbox.ingest_email import record_mail_batch
from inbox.models import (
    Attachment,
    ChannelAccount,
    Contact,
    ContactIdentity,
    Conversation,
    Message,
)

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MINHO, SUJIN, YUNA, JOON = (
    "minho@example.com",
    "sujin@example.net",
    "yuna@example.org",
    "joon@example.com",
)


def mail(
    ext: str,
    sender: str,
    subject: str,
    minutes: float,
    *,
    refs: tuple[str, ...] = (),
    auto: bool = False,
    kind: EventKind = EventKind.MESSAGE,
    files: tuple[AttachmentIn, ...] = (),
    account: str = "box-a",
) -> InboundEvent:
    return InboundEvent(
        kind=kind,
        account_external_id=account,
        external_id=ext,
        thread_key=refs[0] if refs else ext,
        conversation_kind=ConversationKind.EMAIL,
        sent_at=T0 + timedelta(minutes=minutes),
        customer=Participant(external_id=sender, handle=sender, name="고객", email=sender),
        text=f"{ext} 본문",
        subject=subject,
        references=refs,
        auto_generated=auto,
        attachments=files,
    )


SETUP = [
    mail("<s1>", MINHO, "배송 문의", 0),
    mail("<s2>", SUJIN, "환불 요청", 60),
    mail("<s3>", YUNA, "교환 문의", 120),
]
DAY = 24 * 60
PHOTO = AttachmentIn(
    kind="image", filename="사진.jpg", content_type="image/jpeg", data=b"\xff\xd8x"
)
PAGE = [
    mail("<p1>", MINHO, "자동 회신: 배송 문의", 200, refs=("<s1>",), auto=True),  # stays resolved
    mail("<p2>", SUJIN, "Re: 환불 요청", 210, refs=("<s2>",)),  # reopens the snoozed case
    mail("<p3>", MINHO, "배송 문의", 220),  # another order under the same subject: new
    mail("<p4>", MINHO, "Re: 배송 문의", 230),  # a reply by subject: the latest such case (p3)
    mail("<p5>", JOON, "Re: 이벤트 안내", 240, refs=("<s1>",)),  # someone else's mail: new
    mail("<p6>", JOON, "Re: 이벤트 안내", 250, refs=("<s1>", "<p5>")),  # joins p5
    mail("<e1>", MINHO, "Re: 배송 문의", 255, refs=("<s1>",), kind=EventKind.ECHO),  # one by one
    mail("<p3>", MINHO, "배송 문의", 220),  # the same mail twice in one page
    mail("<s2>", SUJIN, "환불 요청", 60),  # a mail stored before
    mail("<p7>", YUNA, "FW: 교환 문의", 20 * DAY),  # past the 14-day window: new
    mail("<p8>", "new@example.com", "사진 보냅니다", 260, files=(PHOTO,)),
    mail("<p9>", MINHO, "Re: 배송 문의", 270, refs=("<s1>",)),  # a real answer reopens s1
]


def record_setup(rt: Any, account_id: int) -> dict[str, int]:
    with rt.db.session() as s:
        account = s.get(ChannelAccount, account_id)
        ids = {e.external_id: record_event(s, account, e).conversation_id for e in SETUP}
    with rt.db.session() as s:
        for ext, status in (("<s1>", "resolved"), ("<s2>", "snoozed"), ("<s3>", "resolved")):
            conversation = s.get(Conversation, ids[ext])
            until = T0 + timedelta(days=30) if status == "snoozed" else None
            apply_change(s, conversation, Change(status=status, snoozed_until=until), actor=None)
    return {k: v for k, v in ids.items() if v is not None}


def shape(rt: Any, account_id: int, outcomes: list[Any]) -> dict[str, Any]:
    """What the page did, with conversation ids replaced by their order of first mention."""
    order: dict[int, int] = {}
    for o in outcomes:
        if o.conversation_id is not None:
            order.setdefault(o.conversation_id, len(order))
    with rt.db.session() as s:
        rows = s.scalars(
            select(Conversation).where(Conversation.channel_account_id == account_id)
        ).all()
        state = {}
        for c in rows:
            messages = s.scalars(select(Message).where(Message.conversation_id == c.id)).all()
            state[c.subject, c.participant_key, c.thread_key] = (
                c.status,
                c.snoozed_until,
                c.last_activity_at,
                c.last_customer_message_at,
                c.waiting_since,
                sorted((m.external_id or "", m.kind, m.direction) for m in messages),
                sorted(str(m.created_at) for m in messages if "reopened" in (m.text or "")),
                sum(len(m.attachments) for m in messages),
            )
    return {
        "outcomes": [(o.action, order.get(o.conversation_id)) for o in outcomes],
        "conversations": state,
    }


@BOTH
def test_a_batch_ends_exactly_where_one_by_one_does(rt: Any, factory: Any) -> None:
    one = factory.account("email", connector="email", external_id="box-a")
    many = factory.account("email", connector="email", external_id="box-b")
    before = record_setup(rt, one.id)
    record_setup(rt, many.id)
    with rt.db.session() as s:
        account = s.get(ChannelAccount, one.id)
        singles = [record_event(s, account, e, store=rt.store) for e in PAGE]
    with rt.db.session() as s:
        batch = record_mail_batch(s, s.get(ChannelAccount, many.id), PAGE, store=rt.store)
    expected = shape(rt, one.id, singles)
    assert shape(rt, many.id, batch) == expected

    actions = [action for action, _ in expected["outcomes"]]
    assert actions == ["created"] * 6 + ["echo_stored", "duplicate", "duplicate"] + ["created"] * 3
    by_ext = {e.external_id: o.conversation_id for e, o in zip(PAGE, batch, strict=True)}
    assert by_ext["<p4>"] == by_ext["<p3>"] != by_ext["<s2>"]
    assert by_ext["<p5>"] == by_ext["<p6>"]
    with rt.db.session() as s:
        s1 = s.scalars(
            select(Conversation).where(
                Conversation.channel_account_id == many.id, Conversation.thread_key == "<s1>"
            )
        ).all()
        minho = next(c for c in s1 if c.participant_key == MINHO)
        assert by_ext["<p1>"] == by_ext["<p9>"] == minho.id != by_ext["<p5>"]
        assert minho.status == "open"
        reopened = s.scalars(
            select(Message).where(Message.conversation_id == minho.id, Message.kind == "event")
        ).all()
        # Reopened by the real answer (p9), not by the auto-reply (p1) before it.
        assert [m.created_at for m in reopened if "reopened" in (m.text or "")] == [
            T0 + timedelta(minutes=270)
        ]
        assert s.get(Conversation, by_ext["<p2>"]).status == "open"
        assert by_ext["<p7>"] != before["<s3>"]
        (photo,) = s.scalars(
            select(Attachment)
            .join(Message)
            .where(Message.external_id == "<p8>", Message.channel_account_id == many.id)
        ).all()
        assert photo.sha256 is not None and rt.store.read(photo.sha256) == PHOTO.data


@BOTH
def test_new_senders_get_one_identity_and_join_a_contact_with_their_address(
    rt: Any, factory: Any
) -> None:
    account = factory.account("email", connector="email", external_id="box-a")
    with rt.db.session() as s:
        s.add(Contact(name="웹채팅 고객", email="Mina@Example.com"))  # met on another channel
    page = [
        mail("<c1>", "mina@example.com", "문의", 0),
        mail("<c2>", "mina@example.com", "다른 문의", 1),
        mail("<c3>", "hoon@example.com", "문의", 2),
    ]
    with rt.db.session() as s:
        record_mail_batch(s, s.get(ChannelAccount, account.id), page)
    with rt.db.session() as s:
        identities = dict(
            s.execute(select(ContactIdentity.external_user_id, ContactIdentity.contact_id)).all()
        )
        mina = s.scalars(select(Contact).where(Contact.name == "웹채팅 고객")).one()
        assert identities["mina@example.com"] == mina.id
        assert identities["hoon@example.com"] != mina.id
        assert s.scalar(select(func.count()).select_from(Contact)) == 2
        contacts = s.scalars(select(Conversation.contact_id)).all()
        assert sorted(contacts) == sorted([mina.id, mina.id, identities["hoon@example.com"]])


def count_statements(rt: Any, work: Any) -> int:
    seen = [0]

    def count(*_args: Any) -> None:
        seen[0] += 1

    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)
    return seen[0]


@BOTH
def test_a_batch_costs_the_same_statements_for_ten_mails_as_for_a_hundred(
    rt: Any, factory: Any
) -> None:
    def page(prefix: str, n: int) -> list[InboundEvent]:
        out = []
        for i in range(n):
            sender = f"{prefix}{i % (n // 2)}@example.com"
            refs = (f"<{prefix}-{i - n // 2}>",) if i >= n // 2 else ()
            subject = "Re: 문의" if i % 5 == 0 else f"문의 {i}"
            files = (PHOTO,) if i % 7 == 0 else ()
            out.append(mail(f"<{prefix}-{i}>", sender, subject, i, refs=refs, files=files))
        return out

    def recorder(account_id: int, events: list[InboundEvent]) -> Any:
        def work() -> None:
            with rt.db.session() as s:
                outcomes = record_mail_batch(s, s.get(ChannelAccount, account_id), events)
                assert [o.action for o in outcomes] == ["created"] * len(events)

        return work

    costs = []
    for prefix, n in (("small", 10), ("large", 100)):
        account = factory.account("email", connector="email", external_id=f"box-{prefix}")
        costs.append(count_statements(rt, recorder(account.id, page(prefix, n))))
    assert costs[0] == costs[1] <= 15


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_writers_racing_on_one_page_store_every_mail_once(rt: Any, factory: Any) -> None:
    from workers.ingest import record_events

    factory.account("email", connector="email", external_id="box-a")
    page = [mail(f"<r{i}>", f"racer{i % 5}@example.com", f"문의 {i}", i) for i in range(40)]
    page += [mail("<r40>", "racer0@example.com", "Re: 문의 0", 41, refs=("<r0>",))]
    connector = rt.connector_by_slug("email")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            start.wait()
            with rt.db.session() as s:
                record_events(s, connector, "email", page)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 41
        assert s.scalar(select(func.count()).select_from(Conversation)) == 40
        assert s.scalar(select(func.count()).select_from(ContactIdentity)) == 5
        assert s.scalar(select(func.count()).select_from(Contact)) == 5


@BOTH
def test_the_contact_and_subject_lookups_use_their_indexes(rt: Any, factory: Any) -> None:
    account = factory.account("email", connector="email", external_id="box-a")
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        flat = " ".join(statement.split())
        if "FROM contact WHERE lower(contact.email)" in flat or (
            "conversation.last_activity_at >=" in flat
        ):
            seen.append((statement, params))

    page = [mail("<i1>", MINHO, "문의", 0), mail("<i2>", MINHO, "Re: 문의", 1)]
    event.listen(rt.db.engine, "before_cursor_execute", keep)
    try:
        with rt.db.session() as s:
            record_mail_batch(s, s.get(ChannelAccount, account.id), page)
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", keep)
    assert len(seen) == 2
    plans: list[tuple[str, str]] = []
    with rt.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cursor = raw.cursor()
        if rt.db.dialect == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # tiny tables: ask whether it *can*
        for statement, params in seen:
            prefix = "EXPLAIN " if rt.db.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + statement, params)
            plan = " ".join(str(col) for row in cursor.fetchall() for col in row)
            plans.append(("contact" if "lower(contact.email)" in statement else "subject", plan))
        cursor.close()
    plan_of = dict(plans)
    assert "ix_contact_email_lower" in plan_of["contact"]
    assert "ix_conversation_participant_activity" in plan_of["subject"]
