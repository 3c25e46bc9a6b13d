"""Idempotent ingest, threading, reopening, echoes and receipts, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from connectors.base import ConversationKind, EventKind, InboundEvent, Participant
from inbox.conversations import Change, apply_change
from inbox.ingest import record_event
from inbox.models import (
    ChannelAccount,
    Contact,
    ContactIdentity,
    Conversation,
    EarlyReceipt,
    InboundDelivery,
    Message,
)
from inbox.replies import mark_sent
from inbox.retention import prune_early_receipts
from tests.support.factory import fake_delivery, fake_message
from workers.ingest import process_delivery

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
T0 = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


def event(
    ext: str,
    text: str = "hi",
    *,
    customer: str = "c1",
    thread: str | None = None,
    kind: ConversationKind = ConversationKind.DM,
    at: datetime = T0,
    **kw,
) -> InboundEvent:
    return InboundEvent(
        kind=kw.pop("event_kind", EventKind.MESSAGE),
        account_external_id="page-1",
        external_id=ext,
        thread_key=thread or customer,
        conversation_kind=kind,
        sent_at=at,
        customer=Participant(
            external_id=customer, name=kw.pop("name", "고객"), email=kw.pop("email", None)
        ),
        text=text,
        **kw,
    )


def record(rt, account_id: int, ev: InboundEvent):
    with rt.db.session() as s:
        return record_event(s, s.get(ChannelAccount, account_id), ev)


def count(rt, model) -> int:
    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


@BOTH
def test_two_workers_racing_on_one_delivery_store_one_message(rt, factory):
    account = factory.account("facebook", external_id="page-1")
    body, headers = fake_delivery(
        "page-1",
        fake_message("m-race", "동시에 처리돼도 하나만"),
        fake_message("m-race-2", "두 번째 메시지"),
    )
    with rt.db.session() as s:
        delivery = InboundDelivery(endpoint="fake", connector="fake", headers=headers, body=body)
        s.add(delivery)
        s.flush()
        delivery_id = delivery.id
    copies = []
    with rt.db.session() as s:  # a second copy of the same delivery (Meta redelivers)
        again = InboundDelivery(endpoint="fake", connector="fake", headers=headers, body=body)
        s.add(again)
        s.flush()
        copies.append(again.id)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(delivery_id: int) -> None:
        barrier.wait()
        try:
            process_delivery(delivery_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(i,))
        for i in (delivery_id, delivery_id, *copies, *copies)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with rt.db.session() as s:
        texts = sorted(
            s.scalars(select(Message.text).where(Message.channel_account_id == account.id))
        )
        assert texts == ["동시에 처리돼도 하나만", "두 번째 메시지"]
        assert s.scalar(select(func.count()).select_from(Conversation)) == 1
        assert s.scalar(select(func.count()).select_from(ContactIdentity)) == 1


@BOTH
def test_redelivered_event_is_a_noop(rt, factory):
    account = factory.account(external_id="page-1")
    first = record(rt, account.id, event("m1", "배송 언제 되나요?"))
    again = record(rt, account.id, event("m1", "배송 언제 되나요?", at=T0 + timedelta(minutes=3)))
    assert (first.action, again.action) == ("created", "duplicate")
    assert again.message_id == first.message_id
    assert count(rt, Message) == 1


@BOTH
def test_dm_threads_per_customer_and_comments_per_post_and_commenter(rt, factory):
    account = factory.account(external_id="page-1")
    a1 = record(rt, account.id, event("d1", customer="alice"))
    a2 = record(rt, account.id, event("d2", customer="alice", at=T0 + timedelta(minutes=1)))
    b1 = record(rt, account.id, event("d3", customer="bob"))
    c1 = record(
        rt,
        account.id,
        event("c1", customer="alice", thread="post-1", kind=ConversationKind.COMMENT),
    )
    c2 = record(
        rt, account.id, event("c2", customer="bob", thread="post-1", kind=ConversationKind.COMMENT)
    )
    c3 = record(
        rt,
        account.id,
        event("c3", customer="alice", thread="post-1", kind=ConversationKind.COMMENT),
    )
    assert a1.conversation_id == a2.conversation_id != b1.conversation_id
    assert c1.conversation_id == c3.conversation_id != c2.conversation_id
    assert c1.conversation_id != a1.conversation_id
    with rt.db.session() as s:  # alice is one contact across her DM and her comments
        assert s.scalar(select(func.count()).select_from(Contact)) == 2


@BOTH
def test_new_message_reopens_a_resolved_conversation_but_an_auto_reply_does_not(rt, factory):
    account = factory.account(external_id="page-1")
    first = record(rt, account.id, event("m1"))
    with rt.db.session() as s:
        apply_change(
            s, s.get(Conversation, first.conversation_id), Change(status="resolved"), actor=None
        )
    record(
        rt,
        account.id,
        event("ooo", "자동 회신: 부재중입니다", at=T0 + timedelta(hours=1), auto_generated=True),
    )
    with rt.db.session() as s:
        assert s.get(Conversation, first.conversation_id).status == "resolved"
    record(rt, account.id, event("m2", "아직 안 왔어요", at=T0 + timedelta(hours=2)))
    with rt.db.session() as s:
        conversation = s.get(Conversation, first.conversation_id)
        assert conversation.status == "open"
        events = s.scalars(select(Message.text).where(Message.kind == "event")).all()
        assert any("reopened (resolved → open)" in e for e in events)


@BOTH
def test_email_threads_by_references_then_by_subject_within_14_days(rt, factory):
    account = factory.account("email", external_id="page-1")
    mail = dict(kind=ConversationKind.EMAIL, customer="minho@example.com")
    root = record(
        rt,
        account.id,
        event("<a@x>", "배송 문의", thread="<a@x>", subject="주문 배송 문의", **mail),
    )
    by_ref = record(
        rt,
        account.id,
        event(
            "<b@x>",
            "답장",
            thread="<b@x>",
            subject="whatever",
            references=("<zzz@x>", "<a@x>"),
            at=T0 + timedelta(days=1),
            **mail,
        ),
    )
    by_subject = record(
        rt,
        account.id,
        event(
            "<c@x>",
            "또 문의",
            thread="<c@x>",
            subject="RE: 회신: 주문 배송 문의",
            at=T0 + timedelta(days=10),
            **mail,
        ),
    )
    too_late = record(
        rt,
        account.id,
        event(
            "<d@x>",
            "한참 뒤",
            thread="<d@x>",
            subject="Re: 주문 배송 문의",
            at=T0 + timedelta(days=40),
            **mail,
        ),
    )
    other_sender = record(
        rt,
        account.id,
        event(
            "<e@x>",
            "다른 사람",
            thread="<e@x>",
            subject="주문 배송 문의",
            kind=ConversationKind.EMAIL,
            customer="sujin@example.net",
            at=T0 + timedelta(days=2),
        ),
    )
    assert root.conversation_id == by_ref.conversation_id == by_subject.conversation_id
    assert too_late.conversation_id != root.conversation_id
    assert other_sender.conversation_id != root.conversation_id


@BOTH
def test_an_email_typed_in_the_chat_stays_on_its_own_unverified_contact(rt, factory):
    """Issue 13 §3: a typed address only suggests a merge (agents see both contacts)."""
    chat = factory.account("webchat", external_id="page-1")
    mail = factory.account("email", external_id="help@shop.example")
    record(rt, chat.id, event("w1", customer="ws_1", email="yerin.choi@example.org", name="최예린"))
    with rt.db.session() as s:
        ev = InboundEvent(
            kind=EventKind.MESSAGE,
            account_external_id="help@shop.example",
            external_id="<m@x>",
            thread_key="<m@x>",
            conversation_kind=ConversationKind.EMAIL,
            sent_at=T0,
            customer=Participant(
                external_id="yerin.choi@example.org", email="Yerin.Choi@example.org"
            ),
            text="메일",
        )
        record_event(s, s.get(ChannelAccount, mail.id), ev)
    with rt.db.session() as s:
        contacts = s.scalars(select(Contact).order_by(Contact.id)).all()
        assert [(c.email.lower(), c.email_verified) for c in contacts] == [
            ("yerin.choi@example.org", False),
            ("yerin.choi@example.org", True),
        ]
        assert s.scalar(select(func.count()).select_from(ContactIdentity)) == 2


@BOTH
def test_echo_links_to_our_outbound_or_is_stored_once_as_sent_elsewhere(rt, factory):
    account = factory.account(external_id="page-1")
    conv = record(rt, account.id, event("m1"))
    with rt.db.session() as s:
        ours = Message(
            conversation_id=conv.conversation_id,
            channel_account_id=account.id,
            direction="outbound",
            kind="message",
            text="답변",
            status="sending",
        )
        s.add(ours)
        s.flush()
        ours_id, ours_uuid = ours.id, ours.uuid
    matched = record(
        rt, account.id, event("mid-echo", "답변", event_kind=EventKind.ECHO, outbound_ref=ours_uuid)
    )
    assert (matched.action, matched.message_id) == ("echo_matched", ours_id)
    elsewhere = record(
        rt,
        account.id,
        event("mid-other", "페이지 받은편지함에서 보낸 답", event_kind=EventKind.ECHO),
    )
    again = record(
        rt,
        account.id,
        event("mid-other", "페이지 받은편지함에서 보낸 답", event_kind=EventKind.ECHO),
    )
    assert elsewhere.action == "echo_stored" and again.action == "echo_matched"
    with rt.db.session() as s:
        ours = s.get(Message, ours_id)
        assert (ours.status, ours.external_id) == ("sent", "mid-echo")
        outbound = s.scalars(select(Message).where(Message.direction == "outbound")).all()
        assert len(outbound) == 2
        assert s.scalar(select(func.count()).where(Message.direction == "inbound")) == 1


@BOTH
def test_receipts_only_move_status_forward_and_edits_keep_history(rt, factory):
    account = factory.account(external_id="page-1")
    conv = record(rt, account.id, event("m1", "원래 글"))
    with rt.db.session() as s:
        s.add(
            Message(
                conversation_id=conv.conversation_id,
                channel_account_id=account.id,
                external_id="out-1",
                direction="outbound",
                text="답",
                status="sent",
                sent_at=T0 + timedelta(minutes=1),
            )
        )
    record(rt, account.id, event("r1", event_kind=EventKind.READ, at=T0 + timedelta(minutes=5)))
    record(rt, account.id, event("d1", event_kind=EventKind.DELIVERED, targets=("out-1",)))
    record(rt, account.id, event("e1", "고친 글", event_kind=EventKind.EDITED, targets=("m1",)))
    with rt.db.session() as s:
        assert (
            s.scalars(select(Message.status).where(Message.external_id == "out-1")).one() == "read"
        )
        edited = s.scalars(select(Message).where(Message.external_id == "m1")).one()
        assert edited.text == "고친 글"
        assert edited.meta["edits"][0]["text"] == "원래 글"
    record(rt, account.id, event("x1", event_kind=EventKind.DELETED, targets=("m1",)))
    with rt.db.session() as s:
        deleted = s.scalars(select(Message).where(Message.external_id == "m1")).one()
        assert deleted.deleted_at is not None and deleted.text is None


def test_overlong_text_is_recorded_as_ignored_with_the_limit(rt, factory):
    account = factory.account(external_id="page-1")
    outcome = record(rt, account.id, event("big", "가" * 20_001))
    assert outcome.action == "ignored" and "20000" in (outcome.detail or "")


@BOTH
def test_replies_from_several_people_to_one_mail_are_one_conversation_each(rt, factory):
    account = factory.account("email", external_id="page-1")
    mail = dict(kind=ConversationKind.EMAIL)
    first = record(
        rt,
        account.id,
        event(
            "<r1@x>",
            "참여할게요",
            thread="<r1@x>",
            customer="a@example.com",
            subject="Re: 11월 이벤트 안내",
            references=("<notice@shop>",),
            **mail,
        ),
    )
    with rt.db.session() as s:  # our bulk notice is in the first customer's thread
        s.add(
            Message(
                conversation_id=first.conversation_id,
                channel_account_id=account.id,
                external_id="<notice@shop>",
                direction="outbound",
                text="이벤트 안내",
                status="sent",
            )
        )
    second = record(
        rt,
        account.id,
        event(
            "<r2@x>",
            "저도요",
            thread="<r2@x>",
            customer="b@example.com",
            subject="Re: 11월 이벤트 안내",
            references=("<notice@shop>",),
            **mail,
        ),
    )
    again = record(
        rt,
        account.id,
        event(
            "<r3@x>",
            "추가 질문",
            thread="<r3@x>",
            customer="b@example.com",
            subject="Re: 11월 이벤트 안내",
            references=("<notice@shop>", "<r2@x>"),
            at=T0 + timedelta(hours=1),
            **mail,
        ),
    )
    assert second.conversation_id != first.conversation_id
    assert again.conversation_id == second.conversation_id


def test_a_long_email_is_stored_whole(rt, factory):
    account = factory.account("email", external_id="page-1")
    body = "가" * 30_000
    outcome = record(
        rt, account.id, event("<long@x>", body, thread="<long@x>", kind=ConversationKind.EMAIL)
    )
    assert outcome.action == "created"
    with rt.db.session() as s:
        assert len(s.get(Message, outcome.message_id).text) == 30_000


@BOTH
def test_a_mixed_batch_keeps_order_and_dedupes_within_itself(rt, factory, monkeypatch):
    import inbox.ingest_batch as batch

    monkeypatch.setattr(batch, "MAX_RUN", 2)  # several runs inside one batch
    account = factory.account(external_id="page-1")
    events = [
        event("b1", "첫 메시지", customer="a"),
        event("b1", "첫 메시지", customer="a"),  # the same mid twice in one POST
        event("b2", "두 번째", customer="b"),
        event("b3", "세 번째", customer="a", at=T0 + timedelta(seconds=5)),
        event("e1", "고친 첫 메시지", event_kind=EventKind.EDITED, targets=("b1",)),
        event("b4", "네 번째", customer="c"),
    ]
    with rt.db.session() as s:
        outcomes = batch.record_batch(s, s.get(ChannelAccount, account.id), events)
    assert [o.action for o in outcomes] == [
        "created",
        "duplicate",
        "created",
        "created",
        "updated",
        "created",
    ]
    assert outcomes[0].message_id == outcomes[1].message_id
    assert outcomes[0].conversation_id == outcomes[3].conversation_id != outcomes[2].conversation_id
    with rt.db.session() as s:
        texts = dict(
            s.execute(
                select(Message.external_id, Message.text).where(Message.direction == "inbound")
            ).all()
        )
        assert texts == {"b1": "고친 첫 메시지", "b2": "두 번째", "b3": "세 번째", "b4": "네 번째"}
        conversation = s.get(Conversation, outcomes[0].conversation_id)
        assert conversation.last_customer_message_at == T0 + timedelta(seconds=5)


def _sending(rt, account_id: int, conversation_id: int) -> int:
    with rt.db.session() as s:
        ours = Message(
            conversation_id=conversation_id,
            channel_account_id=account_id,
            direction="outbound",
            kind="message",
            text="답변",
            status="sending",
        )
        s.add(ours)
        s.flush()
        return ours.id


def _mark_sent(rt, message_id: int, external_id: str) -> Message:
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        mark_sent(s, message, external_id, T0 + timedelta(minutes=1))
    with rt.db.session() as s:
        found = s.get(Message, message_id)
        s.expunge(found)
        return found


@BOTH
def test_statuses_before_the_send_is_recorded_are_kept_strongest_first(rt, factory):
    account = factory.account(external_id="page-1")
    conv = record(rt, account.id, event("m1"))
    read_first = _sending(rt, account.id, conv.conversation_id)
    failed_first = _sending(rt, account.id, conv.conversation_id)
    held = record(rt, account.id, event("d", event_kind=EventKind.DELIVERED, targets=("w-1",)))
    record(rt, account.id, event("r", event_kind=EventKind.READ, targets=("w-1",)))
    record(rt, account.id, event("d2", event_kind=EventKind.DELIVERED, targets=("w-1",)))
    assert held.action == "held"
    bounced = record(
        rt,
        account.id,
        event("f", "131047 Re-engagement message", event_kind=EventKind.BOUNCED, targets=("w-2",)),
    )
    record(rt, account.id, event("d3", event_kind=EventKind.DELIVERED, targets=("w-2",)))
    assert bounced.action == "held"
    assert count(rt, EarlyReceipt) == 2
    assert _mark_sent(rt, read_first, "w-1").status == "read"
    failed = _mark_sent(rt, failed_first, "w-2")
    assert (failed.status, failed.failure_reason) == ("failed", "131047 Re-engagement message")
    assert count(rt, EarlyReceipt) == 0  # applied, then forgotten
    # A status for an id that is recorded now goes straight to the message, as before.
    late = record(rt, account.id, event("r2", event_kind=EventKind.READ, targets=("w-2",)))
    assert late.action == "ignored"  # failed stays failed


@BOTH
def test_mark_sent_keeps_a_failure_the_platform_reported_for_that_id(rt, factory):
    account = factory.account(external_id="page-1")
    conv = record(rt, account.id, event("m1"))
    ours_id = _sending(rt, account.id, conv.conversation_id)
    with rt.db.session() as s:
        ours_uuid = s.get(Message, ours_id).uuid
    # The platform's `sent` (with our uuid) and then `failed` arrive before the job commits.
    record(rt, account.id, event("w-9", event_kind=EventKind.ECHO, outbound_ref=ours_uuid))
    record(
        rt, account.id, event("f", "undeliverable", event_kind=EventKind.BOUNCED, targets=("w-9",))
    )
    assert _mark_sent(rt, ours_id, "w-9").status == "failed"
    other = _sending(rt, account.id, conv.conversation_id)
    assert _mark_sent(rt, other, "w-10").status == "sent"


@BOTH
def test_early_statuses_nobody_claims_are_pruned_after_a_week(rt, factory):
    account = factory.account(external_id="page-1")
    record(rt, account.id, event("d", event_kind=EventKind.DELIVERED, targets=("never-ours",)))
    with rt.db.session() as s:
        assert prune_early_receipts(s, now=datetime.now(UTC)) == 0
        assert prune_early_receipts(s, now=datetime.now(UTC) + timedelta(days=8)) == 1
    assert count(rt, EarlyReceipt) == 0
