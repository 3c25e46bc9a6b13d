"""One test per fixture: Twilio-format callbacks → InboundEvents (or a named refusal)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import (
    RECEIVED_HEADER,
    URL_HEADER,
    ConversationKind,
    EventKind,
    UnsupportedEvent,
)
from connectors.phone import PhoneConnector

FIXTURES = Path(__file__).parent / "fixtures"
AT = datetime(2026, 12, 5, 4, 30, tzinfo=UTC)
REF = "0b7c3a52-8f0e-4c43-9d55-5a1d2a0c0001"
CALLBACK = f"https://inbox.example.com/webhooks/phone?ref={REF}"


def parse(name: str, url: str = "https://inbox.example.com/webhooks/phone") -> list:
    body = (FIXTURES / f"{name}.form").read_bytes().strip()
    headers = {URL_HEADER: url, RECEIVED_HEADER: AT.isoformat()}
    return list(PhoneConnector({}).parse(headers, body))


def test_korean_text_threads_on_the_customers_number() -> None:
    (event,) = parse("sms__received_korean")
    assert event.kind is EventKind.MESSAGE
    assert (event.account_external_id, event.thread_key) == ("+8225550100", "+821012345678")
    assert event.external_id == "SM1f0e9d8c7b6a59483726150403020101"
    assert event.conversation_kind is ConversationKind.DM
    assert event.customer is not None and event.customer.external_id == "+821012345678"
    assert event.text == "안녕하세요, 주문한 오메가3 언제 도착하나요?"
    assert event.sent_at == AT  # the callback has no time: when it reached us
    assert event.channel == "phone"
    assert "opt_out" not in event.extra


def test_stop_is_an_opt_out() -> None:
    (event,) = parse("sms__received_stop")
    assert (event.kind, event.text, event.extra["opt_out"]) == (EventKind.MESSAGE, "STOP", "stop")


def test_korean_opt_out_keyword_without_opt_out_type() -> None:
    (event,) = parse("sms__received_korean_opt_out")
    assert (event.text, event.extra["opt_out"]) == ("수신거부", "stop")


def test_mms_keeps_the_text_and_says_media_was_not_fetched() -> None:
    (event,) = parse("sms__received_mms")
    assert event.text == "사진 보내드려요"
    assert event.extra["media_not_fetched"] == 1
    assert event.attachments == ()


def test_sent_status_of_our_text_is_an_echo_naming_our_reply() -> None:
    (event,) = parse("status__sent", CALLBACK)
    assert event.kind is EventKind.ECHO
    assert (event.external_id, event.outbound_ref) == ("SM9a8b7c6d5e4f30211203948576afbecd", REF)
    assert event.thread_key == "+821012345678"


def test_delivered_status_targets_the_message_sid() -> None:
    (event,) = parse("status__delivered", CALLBACK)
    assert event.kind is EventKind.DELIVERED
    assert event.targets == ("SM9a8b7c6d5e4f30211203948576afbecd",)


def test_undelivered_status_fails_the_message_with_the_error_code() -> None:
    (event,) = parse("status__undelivered", CALLBACK)
    assert event.kind is EventKind.BOUNCED
    assert event.targets == ("SM9a8b7c6d5e4f30211203948576afbecd",)
    assert event.text == "the text was undelivered (error 30003)"


def test_status_of_a_text_sent_elsewhere_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedEvent, match="did not send"):
        parse("status__accepted_elsewhere__ignored")


def test_unknown_callback_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedEvent, match="names no message"):
        PhoneConnector({}).parse({}, b"Foo=bar")
    with pytest.raises(UnsupportedEvent, match="not UTF-8"):
        PhoneConnector({}).parse({}, b"Body=\xff\xfe")
