"""Every corpus chat file: stored as a raw delivery and ingested, then replayed through the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.webchat import WIDGET_HEADER, client_msg_id_of
from inbox.models import Attachment, Contact, Conversation, InboundDelivery, Message
from tests.web.chat.support import Visitor, widget_account
from workers.ingest import process_delivery

FIXTURES = Path(__file__).parents[2] / "connectors" / "webchat" / "fixtures"
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def ingest_file(rt, name: str) -> InboundDelivery:
    with rt.db.session() as s:
        delivery = InboundDelivery(
            endpoint="chat",
            connector="webchat",
            headers={WIDGET_HEADER: "widget-main"},
            body=(FIXTURES / name).read_bytes(),
        )
        s.add(delivery)
        s.flush()
        delivery_id = delivery.id
    process_delivery(delivery_id)
    with rt.db.session() as s:
        done = s.get(InboundDelivery, delivery_id)
        assert done is not None
        s.expunge(done)
        return done


def lines(name: str) -> list[dict]:
    return [json.loads(x) for x in (FIXTURES / name).read_text().splitlines() if x.strip()]


@BOTH
def test_ko_session_file_two_records_retry_deduped_whitespace_ignored(rt, factory):
    account = widget_account(factory)
    delivery = ingest_file(rt, "session__ko_order_status.jsonl")
    assert delivery.status == "processed"
    with rt.db.session() as s:
        rows = s.scalars(
            select(Message).where(Message.channel_account_id == account.id).order_by(Message.id)
        ).all()
        assert [(client_msg_id_of(m.external_id), m.direction) for m in rows] == [
            ("c_5f1d2a9e-0b1c-4d2e-8f3a-1b2c3d4e5f60", "inbound"),
            ("c_6a2e3b0f-1c2d-4e3f-9a4b-2c3d4e5f6071", "inbound"),
        ]
        assert rows[0].text == "주문번호 2026112500042 주소를 잘못 입력했어요. 변경 가능한가요?"
        assert rows[1].text == "이 주소로 바꿔주세요"
        (att,) = rows[1].attachments
        assert (att.filename, att.content_type, att.size) == ("주소캡처.jpg", "image/jpeg", 183204)
        assert att.meta["upload_id"] == "up_7Kx2Lm9Np4Qr"
        conversation = s.scalars(select(Conversation)).one()
        assert (conversation.kind, conversation.thread_key) == (
            "chat",
            "ws_01JDQ7Z8K3M4N5P6Q7R8S9T0VW",
        )
        assert conversation.status == "open"  # session.end: the visitor left, agents still see it
        contact = s.get(Contact, conversation.contact_id)
        assert contact is not None
        assert (contact.name, contact.email) == ("최예린", "yerin.choi@example.org")


def test_en_file_name_only_and_image_without_caption(rt, factory):
    widget_account(factory)
    ingest_file(rt, "session__en_no_email.jsonl")
    with rt.db.session() as s:
        rows = s.scalars(select(Message).order_by(Message.id)).all()
        assert [client_msg_id_of(m.external_id) for m in rows] == [
            "c_8c405d2b-3e4f-405b-9c6d-4e5f60718293",
            "c_9d516e3c-4f50-416c-8d7e-5f6071829304",
        ]
        assert rows[1].text == ""
        assert [(a.filename, a.content_type, a.size) for a in rows[1].attachments] == [
            ("label.png", "image/png", 54012)
        ]
        contact = s.scalars(select(Contact)).one()
        assert (contact.name, contact.email) == ("Guest Alex", None)


def test_xss_file_stored_verbatim(rt, factory):
    widget_account(factory)
    ingest_file(rt, "message__xss.jsonl")
    expected = lines("message__xss.jsonl")
    with rt.db.session() as s:
        message = s.scalars(select(Message).order_by(Message.id)).first()
        assert message is not None
        assert message.text == expected[1]["text"]
        assert s.scalars(select(Contact.name)).one() == expected[0]["visitor"]["name"]
        assert s.scalars(select(Attachment.filename)).one() == expected[2]["attachment"]["filename"]


@BOTH
def test_20000_char_file_is_stored_whole(rt, factory):
    widget_account(factory)
    ingest_file(rt, "message__20000_chars.jsonl")
    with rt.db.session() as s:
        message = s.scalars(select(Message)).one()
        assert client_msg_id_of(message.external_id) == "c_c2849b6f-7283-449f-9a01-829304152637"
        assert message.text is not None and len(message.text) == 20_000
        assert message.text == lines("message__20000_chars.jsonl")[1]["text"]


# --- the same sessions through the chat API -------------------------------------------------


@BOTH
def test_ko_session_through_the_api(rt, client, factory):
    account = widget_account(factory, self_service=False)
    visitor = Visitor(client)
    events = lines("session__ko_order_status.jsonl")
    visitor.start(**events[0]["visitor"], locale=events[0]["locale"])
    statuses = []
    for event in events[1:]:
        if event["type"] == "message":
            response = visitor.send(event["text"], event["client_msg_id"])
            assert response.status_code == 200
            statuses.append(response.get_json()["status"])
    # first message, its retry (deduplicated: the same message comes back), whitespace-only
    assert statuses == ["stored", "stored", "ignored"]
    with rt.db.session() as s:
        texts = s.scalars(select(Message.text).where(Message.channel_account_id == account.id))
        assert list(texts) == [events[1]["text"]]
        contact = s.scalars(select(Contact)).one()
        assert (contact.name, contact.email) == ("최예린", "yerin.choi@example.org")
        assert s.scalar(select(func.count()).select_from(InboundDelivery)) == 3
    seen = visitor.poll()["messages"]
    assert [(m["from"], m["text"]) for m in seen] == [("visitor", events[1]["text"])]


def test_en_session_through_the_api_with_a_real_image(rt, client, factory):
    widget_account(factory, self_service=False)
    visitor = Visitor(client)
    visitor.start(name="Guest Alex", locale="en-US")
    events = lines("session__en_no_email.jsonl")
    assert visitor.send(events[1]["text"], events[1]["client_msg_id"]).status_code == 200
    png = PNG_1X1
    response = client.post(
        visitor.url("/attachments"),
        data={"client_msg_id": events[2]["client_msg_id"], "file": (_io(png), "label.png")},
        headers=visitor.headers(),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    shown = response.get_json()["message"]
    (att,) = shown["attachments"]
    assert (att["filename"], att["content_type"], att["size"]) == ("label.png", "image/png", 67)
    image = client.get(att["url"].replace("http://localhost", ""))
    assert image.status_code == 200
    assert image.data == png
    assert image.headers["Content-Type"] == "image/png"
    with rt.db.session() as s:
        row = s.scalars(select(Attachment)).one()
        assert row.sha256 is not None and rt.store.read(row.sha256) == png
        assert s.scalars(select(Contact.email)).one() is None


def test_xss_through_the_api_is_returned_verbatim_as_json_text(rt, client, factory):
    widget_account(factory, self_service=False)
    events = lines("message__xss.jsonl")
    visitor = Visitor(client)
    visitor.start(name=events[0]["visitor"]["name"], email=events[0]["visitor"]["email"])
    assert visitor.send(events[1]["text"], events[1]["client_msg_id"]).status_code == 200
    (shown,) = visitor.poll()["messages"]
    assert shown["text"] == events[1]["text"]
    bad_name = client.post(
        visitor.url("/attachments"),
        data={
            "client_msg_id": events[2]["client_msg_id"],
            "filename": events[2]["attachment"]["filename"],
            "file": (_io(PNG_1X1), "x.png"),
        },
        headers=visitor.headers(),
        content_type="multipart/form-data",
    )
    att = bad_name.get_json()["message"]["attachments"][0]
    assert att["filename"] == events[2]["attachment"]["filename"]
    served = client.get(att["url"].replace("http://localhost", ""))
    disposition = served.headers["Content-Disposition"]
    assert "<" not in disposition and ">" not in disposition


def test_20000_chars_accepted_20001_refused_with_a_clear_error(rt, client, factory):
    widget_account(factory, self_service=False)
    text = lines("message__20000_chars.jsonl")[1]["text"]
    visitor = Visitor(client)
    visitor.start(name="장문 테스트", locale="ko-KR")
    ok = visitor.send(text, "c_c2849b6f-7283-449f-9a01-829304152637")
    assert ok.status_code == 200 and ok.get_json()["status"] == "stored"
    refused = visitor.send(text + "!", "c_too-long-1")
    assert refused.status_code == 413
    body = refused.get_json()
    assert body["error"] == "too_long"
    assert (body["limit"], body["length"]) == (20_000, 20_001)
    assert "20,000자" in body["message"] and "20,001자" in body["message"]
    after = visitor.send("짧은 메시지는 그대로 돼요", "c_after-1")
    assert after.status_code == 200
    with rt.db.session() as s:
        lengths = [len(t or "") for t in s.scalars(select(Message.text).order_by(Message.id))]
        assert lengths == [20_000, len("짧은 메시지는 그대로 돼요")]
        # Refused before anything was stored: no delivery for the long one.
        assert s.scalar(select(func.count()).select_from(InboundDelivery)) == 2


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000a49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


def _io(data: bytes):
    import io

    return io.BytesIO(data)
