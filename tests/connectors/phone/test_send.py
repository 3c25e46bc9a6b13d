"""Replies through the provider's REST API (the emulator), asserting the exact requests."""

from __future__ import annotations

import pytest

from connectors.base import (
    AccountConfig,
    ConversationKind,
    OutboundReply,
    Participant,
    PermanentSendError,
    ReauthRequired,
    RetryableSendError,
)
from connectors.phone import PhoneConnector
from tests.connectors.phone.conftest import ACCOUNT_SID, CUSTOMER, NUMBER, Provider
from tests.support.servers import free_port

ACCOUNT = AccountConfig(id=1, external_id=NUMBER)
UUID = "0b7c3a52-8f0e-4c43-9d55-5a1d2a0c0001"
CALLBACK = "https://inbox.example.com/webhooks/phone"


def reply(text: str, to: str = "010-1234-5678") -> OutboundReply:
    return OutboundReply(
        message_uuid=UUID,
        conversation_kind=ConversationKind.DM,
        thread_key=CUSTOMER,
        recipient=Participant(external_id=to),
        text=text,
    )


def connector(provider: Provider, **extra: str) -> PhoneConnector:
    return PhoneConnector(provider.settings(PHONE_CALLBACK_URL=CALLBACK, **extra))


def test_a_korean_reply_is_one_post_with_our_status_callback(provider: Provider) -> None:
    result = connector(provider).send(ACCOUNT, reply("내일 출고됩니다. 감사합니다!"))
    (call,) = provider.requests()
    assert (call["method"], call["path"], call["user"]) == (
        "POST",
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        ACCOUNT_SID,
    )
    assert call["form"] == {
        "To": CUSTOMER,
        "From": NUMBER,
        "Body": "내일 출고됩니다. 감사합니다!",
        "StatusCallback": f"{CALLBACK}?ref={UUID}",
    }
    assert result.external_id.startswith("SM") and len(result.external_id) == 34
    assert result.extra == {"sms_status": "queued", "segments": 1, "encoding": "UCS-2"}
    (inbox,) = provider.get("inbox", number=CUSTOMER)
    assert inbox["body"] == "내일 출고됩니다. 감사합니다!"


def test_a_long_korean_reply_counts_its_parts(provider: Provider) -> None:
    result = connector(provider).send(ACCOUNT, reply("가" * 71))
    assert (result.extra["segments"], result.extra["encoding"]) == (2, "UCS-2")


def test_more_than_ten_parts_is_refused_before_any_call(provider: Provider) -> None:
    with pytest.raises(PermanentSendError, match="11 SMS parts"):
        connector(provider).send(ACCOUNT, reply("가" * (67 * 10 + 1)))
    assert provider.requests() == []


def test_an_opted_out_customer_is_refused_with_a_clear_reason(provider: Provider) -> None:
    provider.emu("sms", **{"from": CUSTOMER, "body": "수신거부"})
    with pytest.raises(PermanentSendError, match="opted out of texts"):
        connector(provider).send(ACCOUNT, reply("혹시 더 궁금한 점 있으세요?"))
    provider.emu("sms", **{"from": CUSTOMER, "body": "START"})
    connector(provider).send(ACCOUNT, reply("다시 수신 동의해 주셔서 감사합니다."))


def test_wrong_credentials_ask_for_a_reconnect(provider: Provider) -> None:
    with pytest.raises(ReauthRequired):
        connector(provider, PHONE_AUTH_TOKEN="wrong").send(ACCOUNT, reply("안녕하세요"))


def test_a_bad_number_is_refused_without_a_call(provider: Provider) -> None:
    with pytest.raises(PermanentSendError, match="not a phone number"):
        connector(provider).send(ACCOUNT, reply("안녕하세요", to="고객"))
    assert provider.requests() == []


def test_an_unreachable_provider_is_retried_later() -> None:
    settings = {
        "PHONE_ACCOUNT_SID": ACCOUNT_SID,
        "PHONE_AUTH_TOKEN": "t",
        "PHONE_API_URL": f"http://127.0.0.1:{free_port()}",
    }
    with pytest.raises(RetryableSendError):
        PhoneConnector(settings).send(ACCOUNT, reply("안녕하세요"))


def test_check_connection_finds_the_number(provider: Provider) -> None:
    found = connector(provider).check_connection(ACCOUNT)
    assert (found.identity, found.problems) == (NUMBER, ())
    other = connector(provider).check_connection(AccountConfig(id=2, external_id="+8225550199"))
    assert other.problems == ("+8225550199 is not a number of this account",)
