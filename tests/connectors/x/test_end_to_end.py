"""X end to end: the sandbox on loopback, the real poll and send jobs, the real database."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from inbox.models import ChannelAccount, Conversation, Message, SyncCursor
from inbox.replies import Draft, create_reply
from sandbox.x.world import CONSUMER_KEY, CONSUMER_SECRET
from switchboard.runtime import Runtime
from tests.connectors.x.conftest import BRAND_ID, Sandbox
from workers.poll import poll_account
from workers.send import send_message

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
YUNA = "1402233445566778899"


@pytest.fixture
def settings_overrides(sandbox: Sandbox) -> dict[str, str]:
    return {
        "X_API_URL": sandbox.url,
        "X_CONSUMER_KEY": CONSUMER_KEY,
        "X_CONSUMER_SECRET": CONSUMER_SECRET,
    }


@pytest.fixture
def x_account(factory: Any) -> ChannelAccount:
    account: ChannelAccount = factory.account(
        "x",
        connector="x",
        external_id=BRAND_ID,
        credentials={
            "access_token": "brand-access-token",
            "access_token_secret": "brand-access-secret",
        },
        options={"page_size": 5},
    )
    return account


def _messages(rt: Runtime, account: ChannelAccount) -> list[Message]:
    with rt.db.session() as s:
        rows = s.scalars(
            select(Message)
            .where(Message.channel_account_id == account.id)
            .order_by(Message.created_at, Message.id)
        ).all()
        s.expunge_all()
        return list(rows)


def _conversations(rt: Runtime, account: ChannelAccount) -> list[Conversation]:
    with rt.db.session() as s:
        rows = s.scalars(
            select(Conversation)
            .where(Conversation.channel_account_id == account.id)
            .order_by(Conversation.id)
        ).all()
        s.expunge_all()
        return list(rows)


def _reply(rt: Runtime, conversation_id: int, text: str) -> int:
    with rt.db.session() as s:
        conversation = s.get(Conversation, conversation_id)
        assert conversation is not None
        message, _ = create_reply(s, conversation, None, Draft(text=text))
        return message.id


def _mention(sandbox: Sandbox, text: str, **extra: Any) -> str:
    return str(sandbox.emu("mentions", **{"from": "yuna_jj", "text": text, **extra})["data"]["id"])


@BOTH
def test_mention_reply_and_no_reingest(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    tweet_id = _mention(sandbox, "주문번호 2026112300518 아직 배송준비중인데 언제 출고되나요?")
    assert poll_account(x_account.id) == 1
    (conversation,) = _conversations(rt, x_account)
    assert conversation.kind == "mention"
    assert conversation.thread_key == tweet_id
    (inbound,) = _messages(rt, x_account)
    assert inbound.direction == "inbound"
    assert inbound.external_id == tweet_id
    assert (
        inbound.text == "@seoulsupps_kr 주문번호 2026112300518 아직 배송준비중인데 언제 출고되나요?"
    )

    text = "@yuna_jj 안녕하세요 고객님, DM으로 주문번호 확인 부탁드립니다. 빠르게 도와드릴게요!"
    message_id = _reply(rt, conversation.id, text)
    send_message(message_id)
    (posted,) = sandbox.received("POST", "/2/tweets")
    assert posted["json"] == {"text": text, "reply": {"in_reply_to_tweet_id": tweet_id}}
    with rt.db.session() as s:
        sent = s.get(Message, message_id)
        assert sent is not None and sent.status == "sent"
        ours = sent.external_id
    assert ours in sandbox.world.tweets

    follow_up = _mention(sandbox, "DM 보냈어요!", in_reply_to_tweet_id=ours)
    assert poll_account(x_account.id) == 1
    assert poll_account(x_account.id) == 0
    messages = _messages(rt, x_account)
    assert [(m.direction, m.external_id) for m in messages] == [
        ("inbound", tweet_id),
        ("outbound", ours),
        ("inbound", follow_up),
    ]
    assert len(_conversations(rt, x_account)) == 1


@BOTH
def test_dm_both_ways_and_the_echo_matches_our_reply(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    sandbox.emu("dms", **{"from": "yuna_jj", "text": "박스가 찢어져서 왔어요"})
    poll_account(x_account.id)
    (conversation,) = _conversations(rt, x_account)
    assert conversation.kind == "dm"
    assert conversation.thread_key == f"{YUNA}-{BRAND_ID}"
    message_id = _reply(rt, conversation.id, "죄송합니다. 교환 접수해 드릴게요.")
    send_message(message_id)
    (posted,) = sandbox.received("POST", f"/2/dm_conversations/with/{YUNA}/messages")
    assert posted["json"] == {"text": "죄송합니다. 교환 접수해 드릴게요."}
    sandbox.emu("dms", **{"from": "yuna_jj", "text": "감사합니다"})
    poll_account(x_account.id)  # brings back our DM (echo) and the customer's answer
    messages = _messages(rt, x_account)
    assert [(m.direction, m.text) for m in messages] == [
        ("inbound", "박스가 찢어져서 왔어요"),
        ("outbound", "죄송합니다. 교환 접수해 드릴게요."),
        ("inbound", "감사합니다"),
    ]
    assert messages[1].id == message_id


@BOTH
def test_overlapping_polls_never_duplicate(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    poll_account(x_account.id)
    ids = [_mention(sandbox, f"문의 {i}") for i in range(12)]
    for i in range(3):
        sandbox.emu("dms", **{"from": "markt_runs", "text": f"DM {i}"})
    threads = [threading.Thread(target=poll_account, args=(x_account.id,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    poll_account(x_account.id)
    messages = _messages(rt, x_account)
    external = [m.external_id for m in messages]
    assert len(external) == len(set(external)) == 15
    assert set(ids) <= set(external)


def test_429_mid_catch_up_schedules_the_retry_and_loses_nothing(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    poll_account(x_account.id)
    ids = [_mention(sandbox, f"밀린 문의 {i}") for i in range(13)]
    sandbox.emu("rate_limit", endpoint="mentions", after=1, reset_in=900)
    poll_account(x_account.id)
    with rt.db.session() as s:
        stored = s.scalar(select(func.count(Message.id)))
        cursor = s.scalars(
            select(SyncCursor).where(
                SyncCursor.channel_account_id == x_account.id, SyncCursor.stream == "mentions"
            )
        ).one()
        assert stored == 5  # the first page, committed with its cursor
        assert cursor.next_poll_at is not None
        assert '"next"' in (cursor.value or "")
    assert rt.pauses.remaining([f"x:{x_account.external_id}:mentions"]) > 0  # every process
    sandbox.emu("clock", advance=901)
    shared = rt.pauses.clock  # type: ignore[attr-defined]
    monkeypatch.setattr(rt.pauses, "clock", lambda: shared() + 903)  # reset + 1 s
    poll_account(x_account.id)
    external = [m.external_id for m in _messages(rt, x_account)]
    assert sorted(external) == sorted(ids)


def test_revoked_token_flags_the_account(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    sandbox.emu("tokens/revoke", token="brand-access-token")
    poll_account(x_account.id)
    with rt.db.session() as s:
        account = s.get(ChannelAccount, x_account.id)
        assert account is not None and account.health == "reconnect_needed"
