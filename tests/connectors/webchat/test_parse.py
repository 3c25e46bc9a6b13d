"""Every corpus chat file parsed to its normalized events (the connector alone, no database)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from connectors.base import ConversationKind, EventKind, InvalidSignature, UnsupportedEvent
from connectors.webchat import MESSAGE_MAX_CHARS, WebchatConnector, client_msg_id_of
from connectors.webchat.tokens import SessionClaims, TokenError, issue_token, read_token

FIXTURES = Path(__file__).parent / "fixtures"
HEADERS = {"X-Webchat-Widget": "widget-main"}
SECRET = "test-secret-key"


def parse(name: str):
    return WebchatConnector({"SECRET_KEY": SECRET}).parse(HEADERS, (FIXTURES / name).read_bytes())


def test_every_fixture_has_a_test():
    tested = {
        "session__ko_order_status.jsonl",
        "session__en_no_email.jsonl",
        "message__xss.jsonl",
        "message__20000_chars.jsonl",
    }
    assert {p.name for p in FIXTURES.iterdir()} == tested


def test_ko_session_two_messages_retry_kept_for_ingest_whitespace_typing_end_dropped():
    events = parse("session__ko_order_status.jsonl")
    # The retry of the first message is passed on: ingest dedupes it on the external id.
    assert [client_msg_id_of(e.external_id) for e in events] == [
        "c_5f1d2a9e-0b1c-4d2e-8f3a-1b2c3d4e5f60",
        "c_6a2e3b0f-1c2d-4e3f-9a4b-2c3d4e5f6071",
        "c_5f1d2a9e-0b1c-4d2e-8f3a-1b2c3d4e5f60",
    ]
    first, photo = events[0], events[1]
    assert first.kind is EventKind.MESSAGE
    assert first.conversation_kind is ConversationKind.CHAT
    assert first.account_external_id == "widget-main"
    assert first.thread_key == "ws_01JDQ7Z8K3M4N5P6Q7R8S9T0VW"
    assert first.customer is not None
    assert first.customer.external_id == "ws_01JDQ7Z8K3M4N5P6Q7R8S9T0VW"
    assert first.customer.name == "최예린"
    assert first.customer.email == "yerin.choi@example.org"
    assert first.text == "주문번호 2026112500042 주소를 잘못 입력했어요. 변경 가능한가요?"
    assert first.sent_at.isoformat() == "2026-11-25T07:30:15.402000+00:00"
    assert first.extra["page_url"] == "https://shop.seoulsupps.example/mypage/orders"
    assert photo.text == "이 주소로 바꿔주세요"
    (att,) = photo.attachments
    assert (att.kind, att.filename, att.content_type, att.size) == (
        "image",
        "주소캡처.jpg",
        "image/jpeg",
        183204,
    )
    assert att.extra["upload_id"] == "up_7Kx2Lm9Np4Qr"
    assert att.data is None
    assert "c_7b3f4c1a-2d3e-4f4a-8b5c-3d4e5f607182" not in {
        client_msg_id_of(e.external_id) for e in events
    }


def test_en_session_name_only_and_image_without_caption():
    events = parse("session__en_no_email.jsonl")
    assert [client_msg_id_of(e.external_id) for e in events] == [
        "c_8c405d2b-3e4f-405b-9c6d-4e5f60718293",
        "c_9d516e3c-4f50-416c-8d7e-5f6071829304",
    ]
    assert events[0].customer is not None
    assert events[0].customer.name == "Guest Alex"
    assert events[0].customer.email is None
    assert events[0].text == (
        "Do you ship to Canada? How much is shipping and how long does it take?"
    )
    assert events[1].text == ""
    (att,) = events[1].attachments
    assert (att.filename, att.content_type, att.size) == ("label.png", "image/png", 54012)


def test_xss_is_kept_verbatim():
    message, attachment = parse("message__xss.jsonl")
    assert message.customer is not None
    assert message.customer.name == "<img src=x onerror=alert('name')>"
    assert message.text == (
        "배송 문의 <script>alert(document.cookie)</script><img src=x onerror=alert(1)>"
        '<a href="javascript:alert(2)">클릭</a>'
    )
    assert attachment.attachments[0].filename == "\"><svg onload=alert('file')>.jpg"


def test_20000_character_message_is_whole():
    (event,) = parse("message__20000_chars.jsonl")
    assert (
        event.external_id == "ws_01JDQALONG0LONG0LONG0LONG00/c_c2849b6f-7283-449f-9a01-829304152637"
    )
    assert event.text is not None
    assert len(event.text) == MESSAGE_MAX_CHARS == 20_000


def test_inline_attachment_bytes_are_decoded():
    line = {
        "v": 1,
        "type": "attachment",
        "session_id": "ws_X",
        "client_msg_id": "c_1",
        "ts": "2026-11-25T09:00:00Z",
        "attachment": {
            "filename": "a.png",
            "content_type": "image/png",
            "data_b64": base64.b64encode(b"\x89PNG...").decode(),
        },
    }
    (event,) = WebchatConnector({}).parse(HEADERS, json.dumps(line).encode())
    assert event.attachments[0].data == b"\x89PNG..."
    assert event.attachments[0].size == 7


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"v": 2, "type": "message"}',
        b'{"v": 1, "type": "reaction", "session_id": "ws_X"}',
        b'{"v": 1, "type": "message", "session_id": "ws_X", "ts": "2026-11-25T09:00:00Z"}',
        b"\xff\xfe",
    ],
)
def test_unreadable_deliveries_raise_unsupported_event(body):
    with pytest.raises(UnsupportedEvent):
        WebchatConnector({}).parse(HEADERS, body)


def test_missing_widget_header_is_unsupported():
    with pytest.raises(UnsupportedEvent):
        WebchatConnector({}).parse({}, (FIXTURES / "message__xss.jsonl").read_bytes())


def test_verify_binds_every_event_to_the_token_session():
    connector = WebchatConnector({"SECRET_KEY": SECRET})
    token = issue_token(SECRET, SessionClaims(widget="widget-main", session_id="ws_A"))
    ok = b'{"v":1,"type":"typing","session_id":"ws_A"}'
    other = b'{"v":1,"type":"typing","session_id":"ws_B"}'
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    connector.verify(headers, ok)
    with pytest.raises(InvalidSignature):
        connector.verify(headers, other)
    with pytest.raises(InvalidSignature):
        connector.verify({**headers, "X-Webchat-Widget": "widget-other"}, ok)
    with pytest.raises(InvalidSignature):
        connector.verify(HEADERS, ok)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(InvalidSignature):
        connector.verify({**HEADERS, "Authorization": f"Bearer {forged}"}, ok)


def test_token_round_trip_and_expiry():
    claims = SessionClaims(widget="w", session_id="ws_A", name="최예린", email="a@b.c", locale="ko")
    token = issue_token(SECRET, claims)
    back = read_token(SECRET, token, widget="w", max_age=60)
    assert (back.session_id, back.name) == ("ws_A", "최예린")
    assert (back.email, back.locale) == ("a@b.c", "ko")
    old = issue_token(SECRET, SessionClaims(widget="w", session_id="ws_A", issued_at=1000))
    with pytest.raises(TokenError):
        read_token(SECRET, old, widget="w", max_age=60)
    with pytest.raises(TokenError):
        read_token("other-secret", token, widget="w", max_age=60)


def test_send_acknowledges_with_our_uuid_and_refuses_over_the_limit():
    from connectors.base import AccountConfig, OutboundReply, Participant, PermanentSendError

    connector = WebchatConnector({})
    account = AccountConfig(id=1, external_id="widget-main")
    reply = OutboundReply(
        message_uuid="7b3e9c1a-4f2d-4e8a-9b6c-0d1e2f3a4b5c",
        conversation_kind=ConversationKind.CHAT,
        thread_key="ws_A",
        recipient=Participant(external_id="ws_A"),
        text="네, 변경해 드렸습니다.",
    )
    assert connector.send(account, reply).external_id == reply.message_uuid
    too_long = OutboundReply(**{**_fields(reply), "text": "가" * (MESSAGE_MAX_CHARS + 1)})
    with pytest.raises(PermanentSendError):
        connector.send(account, too_long)


def _fields(reply):
    return {name: getattr(reply, name) for name in reply.__slots__}


def test_offline_message_for_a_mailbox_becomes_an_email_event():
    start = {
        "v": 1,
        "type": "session.start",
        "session_id": "ws_X",
        "visitor": {"name": "이수진", "email": "Sujin.Lee@example.net"},
        "ts": "2026-11-25T15:00:00Z",
    }
    line = {
        "v": 1,
        "type": "message",
        "session_id": "ws_X",
        "client_msg_id": "c_off-1",
        "text": "환불 문의",
        "offline": True,
        "reply_by_email": "help@seoulsupps.example",
        "subject": "웹사이트 채팅 문의 (상담 시간 외)",
        "ts": "2026-11-25T15:00:01Z",
    }
    body = (json.dumps(start) + "\n" + json.dumps(line)).encode()
    (event,) = WebchatConnector({}).parse(HEADERS, body)
    assert (event.channel, event.account_external_id) == ("email", "help@seoulsupps.example")
    assert event.conversation_kind is ConversationKind.EMAIL
    assert event.external_id == event.thread_key == "<webchat-offline.ws_X.c_off-1@widget-main>"
    assert event.customer is not None
    assert (event.customer.external_id, event.customer.email) == (
        "sujin.lee@example.net",
        "Sujin.Lee@example.net",
    )
    assert event.subject == "웹사이트 채팅 문의 (상담 시간 외)"
    no_email = json.dumps({**start, "visitor": {"name": "x"}}) + "\n" + json.dumps(line)
    with pytest.raises(UnsupportedEvent):
        WebchatConnector({}).parse(HEADERS, no_email.encode())
