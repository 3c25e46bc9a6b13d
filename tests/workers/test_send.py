"""Replies: stored pending, sent by the job exactly once, retried on transient failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.fake import FakeConnector
from inbox.models import ChannelAccount, Message
from inbox.replies import Draft, create_reply
from workers.send import SendFailed, send_message
from workers.sweep import sweep

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def reply(rt, conversation_id: int, text: str, key: str | None = None) -> int:
    from inbox.models import Conversation

    with rt.db.session() as s:
        message, _ = create_reply(
            s, s.get(Conversation, conversation_id), None, Draft(text=text, idempotency_key=key)
        )
        return message.id


def wait_status(rt, message_id: int, status: str, timeout: float = 20.0) -> Message:
    import time

    deadline = time.time() + timeout
    while True:
        rt.jobs.drain(timeout=1)
        with rt.db.session() as s:
            message = s.get(Message, message_id)
            if message.status == status or time.time() > deadline:
                return message
        time.sleep(0.05)


@BOTH
def test_reply_is_sent_once_even_if_the_job_runs_twice(rt, factory):
    account = factory.account(external_id="page-1")
    conversation = factory.inbound(account)
    message_id = reply(rt, conversation.id, "주문번호 2026112400317은 내일 출고됩니다.")
    send_message(message_id)
    send_message(message_id)
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        assert message.status == "sent" and message.attempts == 1
        assert message.external_id == f"fake-out-{message.uuid}"
        assert message.conversation.first_response_at is not None
        assert message.conversation.waiting_since is None
    assert len(FakeConnector.outbox) == 1


@BOTH
def test_transient_failures_are_retried_with_backoff_and_sent_once(rt, factory):
    account = factory.account(external_id="page-1")
    conversation = factory.inbound(account)
    message_id = reply(rt, conversation.id, "잠시만요 [transient:2]")
    rt.jobs.enqueue("workers.send.send_message", message_id, queue="send")
    message = wait_status(rt, message_id, "sent")
    assert message.status == "sent"
    assert message.attempts == 3
    assert message.failure_reason is None
    assert list(FakeConnector.outbox) == [message.uuid]


def test_permanent_failure_is_recorded_with_the_reason(rt, factory):
    account = factory.account(external_id="page-1")
    conversation = factory.inbound(account)
    message_id = reply(rt, conversation.id, "보낼 수 없음 [permanent]")
    with pytest.raises(SendFailed):  # rq logs the job as failed, not "Job OK"
        send_message(message_id)
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        assert message.status == "failed"
        assert message.failure_reason == "recipient unavailable (simulated)"


def test_revoked_token_flags_the_account_and_stops_sending(rt, factory):
    account = factory.account(external_id="page-1")
    conversation = factory.inbound(account)
    first = reply(rt, conversation.id, "[reauth]")
    with pytest.raises(SendFailed):
        send_message(first)
    second = reply(rt, conversation.id, "다음 메시지")
    with pytest.raises(SendFailed):
        send_message(second)
    with rt.db.session() as s:
        assert s.get(ChannelAccount, account.id).health == "reconnect_needed"
        assert s.get(Message, second).status == "failed"
        assert "reconnecting" in s.get(Message, second).failure_reason
    assert FakeConnector.outbox == {}


def test_outside_the_reply_window_fails_without_sending(rt, factory):
    account = factory.account(external_id="page-1", options={"window_hours": 24})
    conversation = factory.inbound(account, at=datetime.now(UTC) - timedelta(hours=30))
    message_id = reply(rt, conversation.id, "늦은 답변")
    with pytest.raises(SendFailed):
        send_message(message_id)
    with rt.db.session() as s:
        assert s.get(Message, message_id).status == "failed"
        assert "24 hours" in s.get(Message, message_id).failure_reason


@BOTH
def test_same_idempotency_key_creates_one_reply(rt, factory):
    account = factory.account(external_id="page-1")
    conversation = factory.inbound(account)
    a = reply(rt, conversation.id, "한 번만", key="client-key-1")
    b = reply(rt, conversation.id, "한 번만", key="client-key-1")
    assert a == b


@BOTH
def test_sweeper_finishes_sends_a_dead_worker_left_behind(rt, factory):
    account = factory.account(external_id="page-1")
    conversation = factory.inbound(account)
    lost = reply(rt, conversation.id, "큐에서 사라진 작업")  # committed, never enqueued
    stuck = reply(rt, conversation.id, "보내던 중 죽은 작업")
    with rt.db.session() as s:  # a worker claimed it and died before the provider call returned
        row = s.get(Message, stuck)
        row.status = "sending"
        row.sending_started_at = datetime.now(UTC) - timedelta(minutes=5)
    counts = sweep()
    assert counts["sends"] == 2
    assert rt.jobs.drain()
    with rt.db.session() as s:
        statuses = {
            m.id: m.status for m in s.scalars(select(Message).where(Message.id.in_([lost, stuck])))
        }
    assert statuses == {lost: "sent", stuck: "sent"}
    assert len(FakeConnector.outbox) == 2  # the fake provider dedupes on the uuid
