"""Merge two conversations of one contact, split one, and undo both (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from connectors.fake import FakeConnector
from inbox.merge import MergeRefused, merge_conversations, split_conversation, undo
from inbox.models import AuditLog, Conversation, Message
from inbox.replies import Draft, create_reply
from switchboard.runtime import Runtime

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def texts(rt: Runtime, conversation_id: int) -> list[str]:
    with rt.db.session() as session:
        rows = session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.kind != "event")
            .order_by(Message.id)
        )
        return [m.text or "" for m in rows]


def conversation(rt: Runtime, conversation_id: int) -> Conversation:
    with rt.db.session() as session:
        found = session.get(Conversation, conversation_id)
        assert found is not None
        found.labels  # noqa: B018  (load before the session closes)
        return found


def audit_id(rt: Runtime, action: str) -> int:
    with rt.db.session() as session:
        entry = session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id.desc())
        ).first()
        assert entry is not None
        return entry.id


def test_merge_keeps_order_and_channels_newest_thread_survives_then_undo(
    rt: Runtime, factory: Any
) -> None:
    account = factory.account()
    older = factory.inbound(account, "주문 문의", customer="c1", thread="t-old")
    factory.inbound(account, "추가 질문", customer="c1", thread="t-old")
    newer = factory.inbound(account, "같은 건이에요", customer="c1", thread="t-new")
    with rt.db.session() as session:
        survivor = merge_conversations(session, older.id, newer.id, None)
        assert survivor.id == newer.id  # the customer wrote there last
    assert texts(rt, newer.id) == ["주문 문의", "추가 질문", "같은 건이에요"]
    shell = conversation(rt, older.id)
    assert shell.status == "resolved" and shell.context["merged_into"] == newer.id
    with rt.db.session() as session, pytest.raises(MergeRefused):
        merge_conversations(session, older.id, newer.id, None)
    # The customer writes on the merged-away thread: it lands in the survivor.
    factory.inbound(account, "아직인가요?", customer="c1", thread="t-old")
    assert texts(rt, newer.id)[-1] == "아직인가요?"
    assert conversation(rt, older.id).status == "resolved"

    with rt.db.session() as session:
        restored = undo(session, audit_id(rt, "conversation.merge"), None)
        assert restored.id == older.id
    assert texts(rt, older.id) == ["주문 문의", "추가 질문", "아직인가요?"]
    assert texts(rt, newer.id) == ["같은 건이에요"]
    back = conversation(rt, older.id)
    assert back.status == "open" and "merged_into" not in back.context
    with rt.db.session() as session, pytest.raises(MergeRefused):
        undo(session, audit_id(rt, "conversation.merge"), None)


def test_merge_refuses_other_contacts(rt: Runtime, factory: Any) -> None:
    account = factory.account()
    a = factory.inbound(account, "one", customer="c1")
    b = factory.inbound(account, "two", customer="c2")
    with rt.db.session() as session, pytest.raises(MergeRefused):
        merge_conversations(session, a.id, b.id, None)


def test_split_moves_the_message_and_what_follows_replies_on_the_same_thread_then_undo(
    rt: Runtime, factory: Any
) -> None:
    account = factory.account()
    original = factory.inbound(account, "배송 문의", customer="c1")
    factory.inbound(account, "그리고 환불도요", customer="c1")
    factory.inbound(account, "환불 계좌는 이거예요", customer="c1")
    with rt.db.session() as session:
        at = session.scalars(select(Message).where(Message.text == "그리고 환불도요")).one()
        split = split_conversation(session, at.id, None)
        split_id = split.id
        with pytest.raises(MergeRefused):
            first = session.scalars(select(Message).where(Message.text == "배송 문의")).one()
            split_conversation(session, first.id, None)
    assert texts(rt, original.id) == ["배송 문의"]
    assert texts(rt, split_id) == ["그리고 환불도요", "환불 계좌는 이거예요"]
    new = conversation(rt, split_id)
    assert new.contact_id == original.contact_id and new.status == "open"
    # A reply from the split conversation goes to the customer's real thread.
    with rt.db.session() as session:
        fresh = session.get(Conversation, split_id)
        assert fresh is not None
        reply, _ = create_reply(session, fresh, None, Draft(text="환불 처리할게요"))
        reply_id = reply.id
    rt.jobs.enqueue("workers.send.send_message", reply_id, queue="send")
    rt.jobs.drain()
    [sent] = FakeConnector.outbox.values()
    assert sent.thread_key == original.thread_key
    with rt.db.session() as session:
        undo(session, audit_id(rt, "conversation.split"), None)
    assert texts(rt, original.id) == [
        "배송 문의",
        "그리고 환불도요",
        "환불 계좌는 이거예요",
        "환불 처리할게요",
    ]
    assert conversation(rt, split_id).status == "resolved"
