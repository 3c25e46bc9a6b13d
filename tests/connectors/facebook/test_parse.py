"""One test per corpus file of the Meta webhook (object=page) and the Graph reads polling uses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors._meta.graph import map_error
from connectors._meta.messaging import graph_message_event
from connectors._meta.usage import Usage
from connectors._meta.webhook import from_graph_time
from connectors.base import (
    ConversationKind,
    EventKind,
    InboundEvent,
    OutsideReplyWindow,
    PermanentSendError,
    ReauthRequired,
    RetryableSendError,
    UnsupportedEvent,
)
from connectors.facebook import FacebookConnector

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = "104857600012345"
PSID = "7316448201953377"
SETTINGS = {"META_APP_SECRET": "s3cret", "META_APP_ID": "880011223344556"}
TEXT_KO_MID = "m_Kq7vR2xWn0aTfYb3pLcD5eHs8uJ1iO4gM6kN9zQvB0yXtA3rE7wS2dF5hG8jK1lZ"
ECHO_MID = "m_Ec7Ho1Ee2Cc3Hh4Oo5Ee6Cc7Hh8Oo9Ee0Cc1Hh2Oo3Ee4Cc5Hh6Oo7Ee8Cc9Hh0Oo"
IMAGE_MID = "m_Pz3Ty8Uu1Ii0Oo9Aa2Ss7Dd4Ff6Gg5Hh3Jj8Kk1Ll0Zz2Xx7Cc4Vv9Bb6Nn5Mm"
TEXT_KO = "안녕하세요. 주문번호 2026112400317 배송 언제 되나요? 오메가3 2박스 주문했어요."
COMMENT_ID = "122145678901234567_1098765432109876"
POST_ID = "104857600012345_122145678901234567"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(name: str) -> list[InboundEvent]:
    return list(FacebookConnector(SETTINGS).parse({}, raw(name)))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def one(name: str) -> InboundEvent:
    events = parse(name)
    assert len(events) == 1
    assert events[0].channel == "facebook"
    assert events[0].account_external_id == PAGE
    return events[0]


def test_text_ko() -> None:
    event = one("messenger_message__text_ko.json")
    assert event.kind is EventKind.MESSAGE
    assert event.conversation_kind is ConversationKind.DM
    assert event.external_id == TEXT_KO_MID
    assert event.thread_key == PSID
    assert event.customer is not None and event.customer.external_id == PSID
    assert event.text == TEXT_KO
    assert event.sent_at == at("2026-11-25T05:12:30.000Z")
    assert event.attachments == ()


def test_text_ko_redelivery_has_the_same_dedupe_key() -> None:
    first = one("messenger_message__text_ko.json")
    again = one("messenger_message__text_ko_redelivery.json")
    assert again.external_id == first.external_id
    assert again.sent_at == first.sent_at  # messaging timestamp, not the new entry.time


def test_image_attachment() -> None:
    event = one("messenger_message__image_attachment.json")
    assert event.external_id == IMAGE_MID
    assert event.thread_key == PSID
    assert event.text == ""
    assert event.sent_at == at("2026-11-25T05:14:02.000Z")
    (attachment,) = event.attachments
    assert attachment.kind == "image"
    assert attachment.url is not None
    assert attachment.url.startswith("https://scontent.xx.fbcdn.net/v/t1.15752-9/470011223_")


def test_quick_reply() -> None:
    event = one("messenger_message__quick_reply.json")
    assert event.external_id == "m_Qr5Ws2Ed8Rf3Tg6Yh1Uj4Ik7Ol0Pz9Ax2Sc5Dv8Fb1Gn4Hm7Jk0Lq3We6Rt9Yu"
    assert event.thread_key == PSID
    assert event.text == "환불/반품 문의"
    assert event.extra["quick_reply"] == "QR_REFUND_RETURN"


def test_sticker_is_not_a_customer_photo() -> None:
    event = one("messenger_message__sticker.json")
    assert (
        event.external_id == "m_St1Ck2Er3Lk4Th5Mb6Up7Aa8Bb9Cc0Dd1Ee2Ff3Gg4Hh5Ii6Jj7Kk8Ll9Mm0Nn1Oo"
    )
    assert event.text == ""
    (attachment,) = event.attachments
    assert attachment.kind == "sticker"
    assert attachment.extra["sticker_id"] == 369239263222822
    assert attachment.url is not None and "851557_369239266556155" in attachment.url


def test_postback_get_started() -> None:
    event = one("messenger_postback__get_started.json")
    assert event.kind is EventKind.MESSAGE
    assert event.external_id == "m_Pb1Gs9Tt2Aa3Rr4Tt5Ee6Dd7Pp8Oo9Ss0Tt1Bb2Aa3Cc4Kk5Gg6Ss7Tt8Aa9Rr"
    assert event.thread_key == "6902135578812204"
    assert event.text == "시작하기"
    assert event.extra["postback"] == "GET_STARTED"
    assert event.sent_at == at("2026-11-25T05:01:05.000Z")


def test_echo_links_to_our_outbound_uuid() -> None:
    event = one("messenger_message__echo.json")
    assert event.kind is EventKind.ECHO
    assert event.external_id == ECHO_MID
    assert event.outbound_ref == "7b3e9c1a-4f2d-4e8a-9b6c-0d1e2f3a4b5c"
    assert event.thread_key == PSID  # the recipient: sender/recipient are swapped on echoes
    assert event.customer is not None and event.customer.external_id == PSID
    assert event.text == "고객님, 주문번호 2026112400317은 11월 26일 출고 예정입니다. 감사합니다."
    assert event.extra["own_app"] is True


def test_delivery_receipt_targets_the_mids() -> None:
    event = one("messenger_delivery__basic.json")
    assert event.kind is EventKind.DELIVERED
    assert event.targets == (ECHO_MID,)
    assert event.thread_key == PSID
    assert event.sent_at == datetime.fromtimestamp(1795584011.150, tz=UTC)


def test_read_receipt_uses_the_watermark() -> None:
    event = one("messenger_read__basic.json")
    assert event.kind is EventKind.READ
    assert event.thread_key == PSID
    assert event.targets == ()
    assert event.customer is not None and event.customer.external_id == PSID
    assert event.sent_at == datetime.fromtimestamp(1795584011.150, tz=UTC)


def test_batch_two_entries_three_events_routed_by_entry_id() -> None:
    events = parse("messenger_batch__2entries_3events.json")
    summary = [
        (e.account_external_id, e.external_id, e.thread_key, e.text, e.sent_at) for e in events
    ]
    assert summary == [
        (
            PAGE,
            "m_Bt1Aa1Cc1Hh1Ee1Vv1Tt1Oo1Nn1Ee1Xx1Yy1Zz1Qq1Ww1Ee1Rr1Tt1Yy1Uu1Ii1Oo1",
            "6902135578812204",
            "배송지 변경하고 싶어요. 서울 마포구로요.",
            at("2026-11-25T06:00:00.000Z"),
        ),
        (
            PAGE,
            "m_Bt2Aa2Cc2Hh2Ee2Vv2Tt2Oo2Nn2Ee2Xx2Yy2Zz2Qq2Ww2Ee2Rr2Tt2Yy2Uu2Ii2Oo2",
            "6902135578812204",
            "주문번호는 2026112500042 입니다",
            at("2026-11-25T06:00:04.000Z"),
        ),
        (
            "109988776655443",
            "m_Bt3Aa3Cc3Hh3Ee3Vv3Tt3Oo3Nn3Ee3Xx3Yy3Zz3Qq3Ww3Ee3Rr3Tt3Yy3Uu3Ii3Oo3",
            "8123456701234567",
            "Hi, how do I reset my password? The reset email never arrives.",
            at("2026-11-25T06:00:02.500Z"),
        ),
    ]
    assert all(e.kind is EventKind.MESSAGE and e.channel == "facebook" for e in events)


def test_feed_comment_add_threads_per_post_with_the_commenter() -> None:
    event = one("page_feed__comment_add.json")
    assert event.kind is EventKind.MESSAGE
    assert event.conversation_kind is ConversationKind.COMMENT
    assert event.external_id == COMMENT_ID
    assert event.thread_key == POST_ID
    assert event.customer is not None
    assert (event.customer.external_id, event.customer.name) == ("24681357902468135", "박서연")
    assert event.text == "지난주에 주문한 유산균이 아직 안 왔어요. 택배 조회도 안 돼요."
    assert event.sent_at == at("2026-11-25T09:00:00Z")
    assert event.context["post_id"] == POST_ID
    assert event.context["permalink_url"].startswith("https://www.facebook.com/seoulsupps/posts/")


def test_feed_comment_by_the_page_itself_is_an_echo() -> None:
    doc = json.loads(raw("page_feed__comment_add.json"))
    doc["entry"][0]["changes"][0]["value"]["from"] = {"id": PAGE, "name": "서울서플 고객센터"}
    (event,) = FacebookConnector(SETTINGS).parse({}, json.dumps(doc).encode())
    assert event.kind is EventKind.ECHO
    assert event.customer is None


def test_feed_comment_edited_is_a_status_with_the_new_text() -> None:
    event = one("page_feed__comment_edited.json")
    assert event.kind is EventKind.EDITED
    assert event.targets == (COMMENT_ID,)
    assert event.text == (
        "지난주에 주문한 유산균이 아직 안 왔어요. 택배 조회도 안 돼요. (주문번호 2026111800977)"
    )
    assert event.thread_key == POST_ID
    assert event.sent_at == datetime.fromtimestamp(1795597402, tz=UTC)


def test_feed_comment_remove_marks_deleted() -> None:
    event = one("page_feed__comment_remove.json")
    assert event.kind is EventKind.DELETED
    assert event.targets == (COMMENT_ID,)
    assert event.text is None


def test_malformed_missing_entry_is_rejected_with_a_reason() -> None:
    with pytest.raises(UnsupportedEvent, match="no `entry`"):
        parse("malformed__missing_entry.json")


def test_unknown_object_is_rejected_not_ingested() -> None:
    with pytest.raises(UnsupportedEvent, match="'user'"):
        parse("unknown_object__user.json")
    # Another channel's object (routed to it by /webhooks/meta) is not Facebook's to parse.
    with pytest.raises(UnsupportedEvent, match="whatsapp_business_account"):
        parse("unknown_object__whatsapp_business_account.json")


def test_not_json_is_rejected() -> None:
    with pytest.raises(UnsupportedEvent, match="not JSON"):
        FacebookConnector(SETTINGS).parse({}, b"\xff{")


def test_unknown_items_are_skipped_inside_a_readable_batch() -> None:
    doc = json.loads(raw("messenger_message__text_ko.json"))
    doc["entry"][0]["messaging"].append({"sender": {"id": PSID}, "optin": {"ref": "x"}})
    events = FacebookConnector(SETTINGS).parse({}, json.dumps(doc).encode())
    assert [e.external_id for e in events] == [TEXT_KO_MID]
    doc["entry"][0]["messaging"] = doc["entry"][0]["messaging"][1:]
    with pytest.raises(UnsupportedEvent, match="not ingested"):
        FacebookConnector(SETTINGS).parse({}, json.dumps(doc).encode())


def load_json(name: str) -> Any:
    return json.loads(raw(name))


def test_graph_conversations_page() -> None:
    page = load_json("graph_conversations__page1.json")
    ids = [c["id"] for c in page["data"]]
    participants = [
        [p["id"] for p in c["participants"]["data"] if p["id"] != PAGE] for c in page["data"]
    ]
    assert ids == ["t_10161234567890123", "t_10169876543210987"]
    assert participants == [[PSID], ["6902135578812204"]]
    from connectors._meta.polling import next_after

    assert next_after(page) == "QVFIUmFmdGVyX2N1cnNvcl9zYW1wbGVfMDAyX2VuZA"
    assert next_after({"data": [], "paging": {"cursors": {"after": "x"}}}) is None


def test_graph_conversation_messages_dedupe_with_the_webhook_ids() -> None:
    page = load_json("graph_conversation_messages__page1.json")
    events = [
        graph_message_event(channel="facebook", account_id=PAGE, self_ids={PAGE}, message=m)
        for m in page["data"]
    ]
    assert [(e.kind, e.external_id, e.thread_key) for e in events] == [
        (EventKind.ECHO, ECHO_MID, PSID),
        (EventKind.MESSAGE, IMAGE_MID, PSID),
        (EventKind.MESSAGE, TEXT_KO_MID, PSID),
    ]
    echo, image, text = events
    assert echo.text == "고객님, 주문번호 2026112400317은 11월 26일 출고 예정입니다. 감사합니다."
    assert image.text == ""
    assert image.attachments[0].kind == "image"
    assert image.attachments[0].url is not None and "470011223_" in image.attachments[0].url
    assert text.text == TEXT_KO
    assert text.sent_at == one("messenger_message__text_ko.json").sent_at
    assert text.customer is not None and text.customer.name == "김민준"
    assert from_graph_time("2026-11-25T05:20:11+0000") == at("2026-11-25T05:20:11Z")


def test_graph_error_190_requires_reauth() -> None:
    error = map_error(400, load_json("graph_error__190_token_expired.json"), Usage())
    assert isinstance(error, ReauthRequired)
    assert "Session has expired" in error.reason


def test_graph_error_4_is_retryable_after_at_least_a_minute() -> None:
    error = map_error(400, load_json("graph_error__4_rate_limit.json"), Usage())
    assert isinstance(error, RetryableSendError)
    assert error.retry_after == 60
    longer = map_error(400, load_json("graph_error__4_rate_limit.json"), Usage(100, 300))
    assert isinstance(longer, RetryableSendError) and longer.retry_after == 300


def test_graph_error_10_2018278_is_outside_the_window() -> None:
    body = load_json("graph_error__10_2018278_outside_window.json")
    error = map_error(400, body, Usage())
    assert isinstance(error, OutsideReplyWindow)
    assert "outside of allowed window" in error.reason
    del body["error"]["error_subcode"]
    plain = map_error(400, body, Usage())
    assert type(plain) is PermanentSendError  # code 10 alone is a permission problem
