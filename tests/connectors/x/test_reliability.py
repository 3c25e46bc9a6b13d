"""Issue 14 against the X sandbox over loopback, through the real send and publish jobs.

X has no idempotency key: a DM or reply that X created but whose answer we never got must be
found (DM events, the account's tweets) and recorded, never posted again.
"""

from __future__ import annotations

from typing import Any

import pytest

from inbox.models import ChannelAccount, Message
from sandbox.x.world import CONSUMER_KEY, CONSUMER_SECRET
from switchboard.runtime import Runtime
from tests.connectors.x.conftest import BRAND_ID, Sandbox
from tests.connectors.x.test_end_to_end import _conversations, _mention, _reply, x_account
from tests.support.production import wait_for
from workers.poll import poll_account

__all__ = ["x_account"]
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
YUNA = "1402233445566778899"


@pytest.fixture
def settings_overrides(sandbox: Sandbox) -> dict[str, str]:
    return {
        "X_API_URL": sandbox.url,
        "X_CONSUMER_KEY": CONSUMER_KEY,
        "X_CONSUMER_SECRET": CONSUMER_SECRET,
        "X_HTTP_TIMEOUT": "1",  # the sandbox's faults hold their answer for three seconds
    }


def send_and_settle(rt: Runtime, message_id: int) -> Message:
    rt.jobs.enqueue("workers.send.send_message", message_id, queue="send")

    def done() -> bool:
        rt.jobs.drain(timeout=20)  # type: ignore[attr-defined]
        with rt.db.session() as s:
            row = s.get(Message, message_id)
            return row is not None and row.status not in ("pending", "sending")

    wait_for(done, timeout=60, what="the reply's outcome")
    with rt.db.session() as s:
        row = s.get(Message, message_id)
        assert row is not None
        s.expunge(row)
        return row


@BOTH
def test_dm_accepted_then_timed_out_is_sent_once(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    sandbox.emu("dms", **{"from": "yuna_jj", "text": "환불 언제 되나요?"})
    poll_account(x_account.id)
    (conversation,) = _conversations(rt, x_account)
    sandbox.emu("fault", endpoint="dm_send", mode="timeout", hang_seconds=3)
    message_id = _reply(rt, conversation.id, "오늘 중으로 환불 처리됩니다.")
    sent = send_and_settle(rt, message_id)
    ours = [e for e in sandbox.world.dm_events_of(BRAND_ID) if e.sender_id == BRAND_ID]
    assert [e.text for e in ours] == ["오늘 중으로 환불 처리됩니다."]
    assert (sent.status, sent.external_id) == ("sent", ours[0].id)
    assert len(sandbox.received("POST", f"/2/dm_conversations/with/{YUNA}/messages")) == 1
    assert sandbox.received("GET", f"/2/dm_conversations/with/{YUNA}/dm_events")


@BOTH
def test_mention_reply_accepted_then_503_is_posted_once(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    tweet_id = _mention(sandbox, "배송 지연 문의드려요")
    poll_account(x_account.id)
    (conversation,) = _conversations(rt, x_account)
    sandbox.emu("fault", endpoint="tweets_create", mode="5xx", accept=True)
    message_id = _reply(rt, conversation.id, "@yuna_jj DM으로 주문번호 부탁드려요!")
    sent = send_and_settle(rt, message_id)
    ours = [t for t in sandbox.world.tweets.values() if t.author_id == BRAND_ID]
    assert [t.replied_to for t in ours] == [tweet_id]  # one reply, not two
    assert (sent.status, sent.external_id) == ("sent", ours[0].id)


def test_dm_refused_with_503_is_resent_once(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    sandbox.emu("dms", **{"from": "yuna_jj", "text": "문의"})
    poll_account(x_account.id)
    (conversation,) = _conversations(rt, x_account)
    sandbox.emu("fault", endpoint="dm_send", mode="5xx", accept=False)
    sent = send_and_settle(rt, _reply(rt, conversation.id, "답변드립니다"))
    ours = [e for e in sandbox.world.dm_events_of(BRAND_ID) if e.sender_id == BRAND_ID]
    assert [e.text for e in ours] == ["답변드립니다"]
    assert (sent.status, sent.external_id) == ("sent", ours[0].id)
    assert len(sandbox.received("POST", f"/2/dm_conversations/with/{YUNA}/messages")) == 2


def test_429_on_a_dm_pauses_that_window_for_every_job(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    """The pause is recorded where every process reads it; a second send waits for it."""
    sandbox.emu("dms", **{"from": "yuna_jj", "text": "문의"})
    poll_account(x_account.id)
    (conversation,) = _conversations(rt, x_account)
    sandbox.emu("fault", endpoint="dm_send", mode="429", reset_in=600)
    first = _reply(rt, conversation.id, "첫 번째")
    rt.jobs.enqueue("workers.send.send_message", first, queue="send")
    rt.jobs.drain(timeout=20)  # type: ignore[attr-defined]
    assert rt.pauses.remaining([f"x:{BRAND_ID}:dm_send"]) > 500
    calls = len(sandbox.received("POST", f"/2/dm_conversations/with/{YUNA}/messages"))
    second = _reply(rt, conversation.id, "두 번째")
    rt.jobs.enqueue("workers.send.send_message", second, queue="send")
    rt.jobs.drain(timeout=20)  # type: ignore[attr-defined]
    assert len(sandbox.received("POST", f"/2/dm_conversations/with/{YUNA}/messages")) == calls
    with rt.db.session() as s:
        waiting = s.get(Message, second)
        assert waiting is not None and waiting.status == "pending"
        assert waiting.attempts == 0  # a pause is not an attempt
        assert "pause" in (waiting.failure_reason or "")
    assert rt.pauses.remaining([f"x:{BRAND_ID}:mentions"]) == 0  # other windows unaffected


def test_publish_timeout_posts_the_tweet_once(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount, factory: Any
) -> None:
    from datetime import UTC, datetime

    from inbox import announcements
    from inbox.announcements import Draft
    from inbox.models.announcements import AnnouncementTarget
    from workers.publish import enqueue

    sandbox.emu("fault", endpoint="tweets_create", mode="timeout", hang_seconds=3)
    with rt.db.session() as session:
        ann = announcements.create(
            session, None, Draft("연말 감사 세일 시작!", {x_account.id: None}), store=rt.store
        )
        jobs = announcements.schedule(session, ann, None, None, now=datetime.now(UTC))
    enqueue(rt, jobs)

    def published() -> bool:
        rt.jobs.drain(timeout=20)  # type: ignore[attr-defined]
        with rt.db.session() as s:
            target = s.get(AnnouncementTarget, jobs[0].target_id)
            return target is not None and target.status not in ("scheduled", "publishing")

    wait_for(published, timeout=60, what="the target's outcome")
    ours = [t for t in sandbox.world.tweets.values() if t.author_id == BRAND_ID]
    assert [t.raw_text for t in ours] == ["연말 감사 세일 시작!"]
    with rt.db.session() as s:
        target = s.get(AnnouncementTarget, jobs[0].target_id)
        assert target is not None
        assert (target.status, target.external_id) == ("published", ours[0].id)
