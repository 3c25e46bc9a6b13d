"""Replies out through the sandbox on loopback: exact bodies, errors, nothing sent if too long."""

from __future__ import annotations

import pytest

from connectors.base import (
    AccountConfig,
    ConversationKind,
    OutboundReply,
    OutcomeUnknown,
    Participant,
    PermanentSendError,
    ReauthRequired,
    RetryableSendError,
)
from connectors.x import XConnector
from tests.connectors.x.conftest import BRAND_ID, Sandbox

YUNA = Participant(external_id="1402233445566778899", handle="yuna_jj", name="정유나")


def _mention(sandbox: Sandbox, text: str = "주문번호 2026112300518 언제 출고되나요?") -> str:
    return str(sandbox.emu("mentions", **{"from": "yuna_jj", "text": text})["data"]["id"])


def _reply(
    thread: str, text: str, kind: ConversationKind = ConversationKind.MENTION
) -> OutboundReply:
    return OutboundReply(
        message_uuid="7b3e9c1a-4f2d-4e8a-9b6c-0d1e2f3a4b5c",
        conversation_kind=kind,
        thread_key=thread,
        recipient=YUNA,
        text=text,
        in_reply_to=thread if kind == ConversationKind.MENTION else None,
    )


def test_public_reply_posts_the_exact_body(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    tweet_id = _mention(sandbox)
    text = "@yuna_jj 안녕하세요 고객님, DM으로 주문번호 확인 부탁드립니다. 빠르게 도와드릴게요!"
    result = connector.send(account, _reply(tweet_id, text))
    (posted,) = sandbox.received("POST", "/2/tweets")
    assert posted["json"] == {"text": text, "reply": {"in_reply_to_tweet_id": tweet_id}}
    assert posted["auth"] == "OAuth"  # signed over the sandbox URL, and the sandbox verified it
    assert posted["status"] == 201
    stored = sandbox.world.tweets[result.external_id]
    assert stored.replied_to == tweet_id
    assert stored.conversation_id == tweet_id


def test_public_reply_with_an_oauth2_user_token(
    sandbox: Sandbox, connector: XConnector, bearer_account: AccountConfig
) -> None:
    tweet_id = _mention(sandbox)
    result = connector.send(bearer_account, _reply(tweet_id, "확인해 보겠습니다."))
    (posted,) = sandbox.received("POST", "/2/tweets")
    assert posted["auth"] == "Bearer"
    assert result.external_id in sandbox.world.tweets


def test_300_korean_characters_are_refused_before_any_call(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    tweet_id = _mention(sandbox)
    sandbox.world.requests.clear()
    with pytest.raises(PermanentSendError, match="600/280"):
        connector.send(account, _reply(tweet_id, "가" * 300))
    assert sandbox.world.requests == []


def test_duplicate_text_is_a_permanent_failure(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    tweet_id = _mention(sandbox)
    connector.send(account, _reply(tweet_id, "같은 답변"))
    with pytest.raises(PermanentSendError, match="duplicate") as caught:
        connector.send(account, _reply(tweet_id, "같은 답변"))
    assert not isinstance(caught.value, ReauthRequired)


def test_revoked_token_requires_reauth(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    tweet_id = _mention(sandbox)
    sandbox.emu("tokens/revoke", token="brand-access-token")
    with pytest.raises(ReauthRequired, match="401"):
        connector.send(account, _reply(tweet_id, "안녕하세요"))


def test_app_only_bearer_cannot_reply(sandbox: Sandbox, connector: XConnector) -> None:
    tweet_id = _mention(sandbox)
    app_only = AccountConfig(
        id=3, external_id=BRAND_ID, credentials={"bearer_token": "app-only-bearer"}
    )
    with pytest.raises(ReauthRequired, match="Application-Only"):
        connector.send(app_only, _reply(tweet_id, "안녕하세요"))


def test_wrong_consumer_secret_fails_the_signature(
    sandbox: Sandbox, account: AccountConfig
) -> None:
    tweet_id = _mention(sandbox)
    wrong = XConnector(
        {
            "X_API_URL": sandbox.url,
            "X_CONSUMER_KEY": "sandbox-consumer-key",
            "X_CONSUMER_SECRET": "no",
        }
    )
    with pytest.raises(ReauthRequired):
        wrong.send(account, _reply(tweet_id, "안녕하세요"))


def test_server_error_on_a_write_is_outcome_unknown(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    """A 503 to POST /2/tweets may follow a tweet X did create: not blindly retryable."""
    tweet_id = _mention(sandbox)
    sandbox.emu("fail", endpoint="tweets_create", status=503, times=1)
    with pytest.raises(OutcomeUnknown):
        connector.send(account, _reply(tweet_id, "잠시만요"))
    assert connector.send(account, _reply(tweet_id, "잠시만요")).external_id


def test_server_error_on_a_read_is_retryable(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    sandbox.emu("fail", endpoint="mentions", status=503, times=1)
    with pytest.raises(RetryableSendError) as caught:
        connector.poll(account, "mentions", None)
    assert caught.value.retry_after is None


def test_dm_reply_posts_the_exact_body(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    event = sandbox.emu("dms", **{"from": "yuna_jj", "text": "배송 언제 되나요?"})["data"]
    thread = event["dm_conversation_id"]
    assert thread == "1402233445566778899-1580012345678901248"
    text = "안녕하세요 고객님, 주문번호 2026112300518은 오늘 오후 출고되었습니다."
    result = connector.send(account, _reply(thread, text, ConversationKind.DM))
    (posted,) = sandbox.received("POST", "/2/dm_conversations/with/1402233445566778899/messages")
    assert posted["json"] == {"text": text}
    assert posted["status"] == 201
    assert result.extra["dm_conversation_id"] == thread
    sent = [d for d in sandbox.world.dms if d.id == result.external_id]
    assert sent and sent[0].sender_id == BRAND_ID


def test_dm_recipient_from_the_thread_when_unknown(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    reply = OutboundReply(
        message_uuid="u-2",
        conversation_kind=ConversationKind.DM,
        thread_key="1402233445566778899-1580012345678901248",
        recipient=Participant(external_id=""),
        text="hello",
    )
    connector.send(account, reply)
    assert sandbox.received("POST", "/2/dm_conversations/with/1402233445566778899/messages")


def test_dm_to_closed_inbox_is_permanent(
    sandbox: Sandbox, connector: XConnector, account: AccountConfig
) -> None:
    sandbox.emu("users", id="1999", username="closed_dms", dm_open=False)
    reply = _reply("1999-" + BRAND_ID, "hello", ConversationKind.DM)
    reply = OutboundReply(**{**_as_dict(reply), "recipient": Participant(external_id="1999")})
    with pytest.raises(PermanentSendError, match="not permitted") as caught:
        connector.send(account, reply)
    assert not isinstance(caught.value, ReauthRequired)


def test_like(sandbox: Sandbox, connector: XConnector, account: AccountConfig) -> None:
    tweet_id = _mention(sandbox)
    connector.like(account, tweet_id)
    (posted,) = sandbox.received("POST", f"/2/users/{BRAND_ID}/likes")
    assert posted["json"] == {"tweet_id": tweet_id}


def test_me(connector: XConnector, account: AccountConfig) -> None:
    me = connector.me(account)
    assert (me.external_id, me.handle) == (BRAND_ID, "seoulsupps_kr")


def _as_dict(reply: OutboundReply) -> dict[str, object]:
    return {name: getattr(reply, name) for name in reply.__slots__}  # type: ignore[attr-defined]
