"""The optional Account Activity webhook: CRC, signature, parsing, and the sandbox driving it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from connectors.base import (
    ConversationKind,
    EventKind,
    InvalidSignature,
    UnsupportedEvent,
)
from connectors.x import XConnector
from connectors.x.activity import signature
from inbox.models import ChannelAccount, Message
from sandbox.x.world import CONSUMER_KEY, CONSUMER_SECRET
from switchboard.runtime import Runtime
from tests.connectors.x.conftest import BRAND_ID, Sandbox
from tests.support.servers import serve_wsgi

SECRET = "consumer-secret"


def _connector() -> XConnector:
    return XConnector({"X_CONSUMER_KEY": "key", "X_CONSUMER_SECRET": SECRET})


def test_crc_answer_is_the_base64_hmac_of_the_token() -> None:
    answer = _connector().handshake({"crc_token": "abc123"})
    assert answer is not None
    digest = hmac.new(SECRET.encode(), b"abc123", hashlib.sha256).digest()
    assert json.loads(answer) == {"response_token": "sha256=" + base64.b64encode(digest).decode()}
    assert _connector().handshake({}) is None
    assert XConnector({}).handshake({"crc_token": "abc123"}) is None  # no secret, no answer


def test_signature_is_checked_over_the_exact_body() -> None:
    body = b'{"for_user_id":"1"}'
    _connector().verify({"X-Twitter-Webhooks-Signature": signature(SECRET, body)}, body)
    with pytest.raises(InvalidSignature):
        _connector().verify({"x-twitter-webhooks-signature": signature(SECRET, body)}, body + b" ")
    with pytest.raises(InvalidSignature):
        _connector().verify({}, body)


def _tweet(**extra: Any) -> dict[str, Any]:
    return {
        "id_str": "1993407711223344556",
        "created_at": "Wed Nov 25 04:55:12 +0000 2026",
        "text": "@seoulsupps_kr Q&amp;A 보고 문의 https://t.co/abcdefghij",
        "in_reply_to_status_id_str": None,
        "user": {"id_str": "1402233445566778899", "screen_name": "yuna_jj", "name": "정유나"},
        "entities": {
            "urls": [{"url": "https://t.co/abcdefghij", "expanded_url": "https://example.kr/qna"}]
        },
        **extra,
    }


def test_tweet_create_event_is_a_mention() -> None:
    body = json.dumps({"for_user_id": BRAND_ID, "tweet_create_events": [_tweet()]}).encode()
    (event,) = _connector().parse({}, body)
    assert event.kind == EventKind.MESSAGE
    assert event.conversation_kind == ConversationKind.MENTION
    assert event.external_id == "1993407711223344556"
    assert event.thread_key == "1993407711223344556"
    assert event.account_external_id == BRAND_ID
    assert event.customer is not None and event.customer.handle == "yuna_jj"
    assert event.text == "@seoulsupps_kr Q&A 보고 문의 https://example.kr/qna"
    assert event.sent_at == datetime(2026, 11, 25, 4, 55, 12, tzinfo=UTC)


def test_our_tweet_in_the_activity_is_an_echo() -> None:
    ours = _tweet(
        id_str="1993425566778899001",
        user={"id_str": BRAND_ID, "screen_name": "seoulsupps_kr", "name": "서울서플"},
        in_reply_to_status_id_str="1993407711223344556",
    )
    body = json.dumps({"for_user_id": BRAND_ID, "tweet_create_events": [ours]}).encode()
    (event,) = _connector().parse({}, body)
    assert event.kind == EventKind.ECHO
    assert event.thread_key == "1993407711223344556"


def test_direct_message_event_both_directions() -> None:
    def dm(event_id: str, sender: str, recipient: str, text: str) -> dict[str, Any]:
        return {
            "type": "message_create",
            "id": event_id,
            "created_timestamp": "1795583702000",
            "message_create": {
                "target": {"recipient_id": recipient},
                "sender_id": sender,
                "message_data": {"text": text, "entities": {"urls": []}},
            },
        }

    customer = "1402233445566778899"
    body = json.dumps(
        {
            "for_user_id": BRAND_ID,
            "direct_message_events": [
                dm("1", customer, BRAND_ID, "배송 문의"),
                dm("2", BRAND_ID, customer, "확인해 드릴게요"),
                {"type": "some_future_type", "id": "3"},
            ],
            "users": {customer: {"id": customer, "screen_name": "yuna_jj", "name": "정유나"}},
        }
    ).encode()
    inbound, echo = _connector().parse({}, body)
    assert (inbound.kind, echo.kind) == (EventKind.MESSAGE, EventKind.ECHO)
    assert inbound.thread_key == echo.thread_key == f"{customer}-{BRAND_ID}"
    assert inbound.customer is not None and inbound.customer.handle == "yuna_jj"
    assert echo.customer is not None and echo.customer.external_id == customer


def test_activity_without_messages_is_ignored_and_garbage_rejected() -> None:
    body = json.dumps({"for_user_id": BRAND_ID, "favorite_events": [{"id": "1"}]}).encode()
    assert _connector().parse({}, body) == []
    with pytest.raises(UnsupportedEvent):
        _connector().parse({}, b"not json")
    with pytest.raises(UnsupportedEvent):
        _connector().parse({}, json.dumps({"for_user_id": "1", "new_kind": []}).encode())


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"X_CONSUMER_KEY": CONSUMER_KEY, "X_CONSUMER_SECRET": CONSUMER_SECRET}


def test_sandbox_delivers_to_our_webhook_after_the_crc(
    rt: Runtime, app: Any, factory: Any, sandbox: Sandbox
) -> None:
    account: ChannelAccount = factory.account(
        "x", connector="x", external_id=BRAND_ID, credentials={"bearer_token": "brand-user-bearer"}
    )
    with serve_wsgi(app) as web:
        assert sandbox.emu("webhook", url=f"{web}/webhooks/x")["valid"] is True
        tweet = sandbox.emu("mentions", **{"from": "yuna_jj", "text": "웹훅으로 온 문의"})["data"]
        sandbox.emu("dms", **{"from": "markt_runs", "text": "webhook DM"})
    rt.jobs.drain(timeout=10)
    deliveries = sandbox.world.deliveries
    assert [d["status"] for d in deliveries] == [200, 200]
    with rt.db.session() as s:
        texts = s.scalars(
            select(Message.text)
            .where(Message.channel_account_id == account.id)
            .order_by(Message.id)
        ).all()
        ids = s.scalars(select(Message.external_id).where(Message.channel_account_id == account.id))
        assert tweet["id"] in set(ids)
    assert list(texts) == ["@seoulsupps_kr 웹훅으로 온 문의", "webhook DM"]
