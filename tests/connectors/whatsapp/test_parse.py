"""One test per fixture: every WhatsApp inbound type is mapped, or refused by name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import ConversationKind, EventKind, InboundEvent, UnsupportedEvent
from connectors.whatsapp import WhatsAppConnector
from connectors.whatsapp.payloads import media_id_of

FIXTURES = Path(__file__).parent / "fixtures"
PHONE_NUMBER_ID = "109876543210987"
CUSTOMER = "821055501234"
WAMID = "wamid.HBgMODIxMDU1NTAxMjM0FQIAEhggQTNFQjQ1"
SENT_AT = datetime(2025, 12, 5, 9, 0, tzinfo=UTC)


def parse(name: str) -> list[InboundEvent]:
    body = (FIXTURES / f"{name}.json").read_bytes()
    return list(WhatsAppConnector({"META_APP_SECRET": "s"}).parse({}, body))


def message(name: str) -> InboundEvent:
    (event,) = parse(name)
    assert event.kind is EventKind.MESSAGE
    assert event.channel == "whatsapp"
    assert event.account_external_id == PHONE_NUMBER_ID
    assert event.conversation_kind is ConversationKind.DM
    assert event.thread_key == CUSTOMER
    assert event.customer is not None
    assert (event.customer.external_id, event.customer.name) == (CUSTOMER, "이서준")
    assert event.customer.handle == f"+{CUSTOMER}"
    assert event.sent_at == SENT_AT
    return event


def test_every_fixture_has_a_test() -> None:
    names = {p.stem for p in FIXTURES.glob("*.json")}
    tested = {n for n in names if n in EXPECTED_TEXT or n in REFUSED or n.startswith("status__")}
    assert names == tested


EXPECTED_TEXT = {
    "message__text": "안녕하세요, 주문한 오메가3 언제 도착하나요?",
    "message__text_reply_context": "이 주문 말씀이에요",
    "message__forwarded_text": "친구가 보낸 링크",
    "message__image": "파손된 상품 사진",
    "message__audio_voice": "",
    "message__video": "",
    "message__document": "영수증",
    "message__sticker": "",
    "message__location": "서울시청\n서울특별시 중구 세종대로 110\n37.566500, 126.978000",
    "message__contacts": "김민지 +82 10-5550-9876",
    "message__interactive_button_reply": "네, 교환할게요",
    "message__interactive_list_reply": "환불",
    "message__button_template_quick_reply": "수신 거부",
    "message__reaction": "👍",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TEXT))
def test_message_text_and_identity(name: str) -> None:
    event = message(name)
    assert event.text == EXPECTED_TEXT[name]
    assert event.external_id.startswith(WAMID)
    raw = json.loads((FIXTURES / f"{name}.json").read_text())
    assert event.extra["wa_type"] == raw["entry"][0]["changes"][0]["value"]["messages"][0]["type"]


@pytest.mark.parametrize(
    ("name", "kind", "media_id", "content_type", "filename"),
    [
        ("message__image", "image", "1100000000000101", "image/jpeg", None),
        ("message__audio_voice", "audio", "1100000000000102", "audio/ogg; codecs=opus", None),
        ("message__video", "video", "1100000000000103", "video/mp4", None),
        ("message__document", "file", "1100000000000104", "application/pdf", "receipt.pdf"),
        ("message__sticker", "sticker", "1100000000000105", "image/webp", None),
    ],
)
def test_media_becomes_a_media_id_reference(
    name: str, kind: str, media_id: str, content_type: str, filename: str | None
) -> None:
    (attachment,) = message(name).attachments
    assert (attachment.kind, attachment.content_type, attachment.filename) == (
        kind,
        content_type,
        filename,
    )
    assert media_id_of(attachment.url) == media_id
    assert attachment.data is None


def test_voice_note_flag_is_kept() -> None:
    (attachment,) = message("message__audio_voice").attachments
    assert attachment.extra["voice"] is True


def test_reply_context_points_at_our_message() -> None:
    assert message("message__text_reply_context").context == {"reply_to": "wamid.OURS0001"}
    assert message("message__forwarded_text").extra["forwarded"] is True


def test_location_keeps_coordinates() -> None:
    location = message("message__location").extra["location"]
    assert location["latitude"] == 37.5665 and location["longitude"] == 126.978


def test_contacts_keep_the_cards() -> None:
    (card,) = message("message__contacts").extra["contacts"]
    assert card["phones"][0]["wa_id"] == "821055509876"


def test_interactive_replies_keep_what_was_chosen() -> None:
    button = message("message__interactive_button_reply")
    assert button.extra["reply"] == {
        "type": "button_reply",
        "id": "btn-yes",
        "title": "네, 교환할게요",
    }
    assert button.context == {"reply_to": "wamid.OURS0002"}
    # The chosen id is the payload, read as a Messenger quick reply's is (a CSAT tap).
    assert button.extra["quick_reply"] == "btn-yes"
    row = message("message__interactive_list_reply")
    assert row.extra["reply"]["id"] == "row-refund"
    assert row.extra["quick_reply"] == "row-refund"
    assert row.extra["reply"]["description"] == "결제 수단으로 환불"
    assert message("message__button_template_quick_reply").extra["button"] == "STOP_PROMOTIONS"


def test_reaction_points_at_the_message_reacted_to() -> None:
    assert message("message__reaction").context == {"reaction_to": "wamid.OURS0001"}


REFUSED = {
    "message__reaction_removed__ignored": "reaction removals are not ingested",
    "message__unsupported__ignored": "131051 Message type unknown",
    "message__order__ignored": "catalog orders are not ingested",
    "message__system__ignored": "system notices",
    "field__message_template_status_update__ignored": "'message_template_status_update'",
    "status__sent_elsewhere__ignored": "`sent` status for a message we did not send",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_items_name_their_reason(name: str) -> None:
    with pytest.raises(UnsupportedEvent) as refused:
        parse(name)
    assert REFUSED[name] in refused.value.reason


@pytest.mark.parametrize(
    ("name", "kind", "external_id"),
    [
        ("status__delivered", EventKind.DELIVERED, "delivered:wamid.OURS0001"),
        ("status__read", EventKind.READ, "read:wamid.OURS0001"),
        ("status__failed_reengagement", EventKind.BOUNCED, "failed:wamid.OURS0001"),
    ],
)
def test_statuses_name_our_message(name: str, kind: EventKind, external_id: str) -> None:
    (event,) = parse(name)
    assert (event.kind, event.external_id, event.targets) == (
        kind,
        external_id,
        ("wamid.OURS0001",),
    )
    assert event.thread_key == CUSTOMER
    assert event.sent_at == datetime(2025, 12, 5, 9, 1, 40, tzinfo=UTC)


def test_failed_status_carries_the_reason() -> None:
    (event,) = parse("status__failed_reengagement")
    assert event.text is not None
    assert "131047 Re-engagement message" in event.text
    assert "24 hours" in event.text


def test_sent_status_of_our_reply_is_an_echo_with_our_uuid() -> None:
    (event,) = parse("status__sent_ours")
    assert event.kind is EventKind.ECHO
    assert event.external_id == "wamid.OURS0001"
    assert event.outbound_ref == "6f1d2c3b-0000-4000-8000-000000000001"


def test_a_refused_item_does_not_cost_the_others() -> None:
    doc = json.loads((FIXTURES / "message__text.json").read_text())
    order = json.loads((FIXTURES / "message__order__ignored.json").read_text())
    value = doc["entry"][0]["changes"][0]["value"]
    value["messages"].append(order["entry"][0]["changes"][0]["value"]["messages"][0])
    events = WhatsAppConnector({}).parse({}, json.dumps(doc).encode())
    assert [e.external_id for e in events] == [WAMID + "01"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b'{"object": "page", "entry": []}', "not a WhatsApp delivery"),
        (
            b'{"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": '
            b'[{"field": "messages", "value": {"messages": []}}]}]}',
            "phone_number_id",
        ),
        (
            b'{"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": '
            b'[{"field": "messages", "value": {"metadata": {"phone_number_id": "9"}, '
            b'"messages": [{"type": "text"}]}}]}]}',
            "malformed WhatsApp change",
        ),
    ],
)
def test_malformed_deliveries_are_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(UnsupportedEvent) as refused:
        WhatsAppConnector({}).parse({}, body)
    assert reason in refused.value.reason
