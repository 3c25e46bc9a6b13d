"""The chat API: sessions, agent replies seen by the visitor, self-service, CORS, hours."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inbox.models import Conversation, Message
from tests.web.chat.support import Visitor, seed_faq, widget_account

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
CLOSED = {"timezone": "Asia/Seoul", "days": {}}


def agent_reply(rt, client, token: str, conversation_id: int, text: str):
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert rt.jobs.drain()
    return response.get_json()


@BOTH
def test_visitor_sees_the_agents_reply_with_the_agents_name_but_no_notes(rt, client, factory):
    account = widget_account(factory, self_service=False)
    visitor = Visitor(client)
    visitor.start(name="최예린")
    sent = visitor.send("배송지 변경 가능한가요?").get_json()
    conversation_id = _conversation_id(rt)
    agent = factory.user("agent", name="김상담", inboxes=[account.id])
    token = factory.token(agent)
    note = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "내부 메모: 주문 확인 필요", "private": True},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert note.status_code == 201
    agent_reply(rt, client, token, conversation_id, "네, 가능합니다. <b>새 주소</b>를 알려주세요.")
    seen = visitor.poll(after=sent["message"]["id"])["messages"]
    assert [(m["from"], m["author"], m["text"]) for m in seen] == [
        ("agent", "김상담", "네, 가능합니다. <b>새 주소</b>를 알려주세요.")
    ]
    with rt.db.session() as s:
        reply = s.scalars(select(Message).where(Message.direction == "outbound")).one()
        # Handed to the visitor's widget: the agent sees it delivered.
        assert reply.status == "delivered" and reply.external_id == reply.uuid


def test_session_resumes_with_the_same_token_and_updates_the_profile(client, factory):
    widget_account(factory)
    visitor = Visitor(client)
    first = visitor.start(locale="en-US")
    assert first["locale"] == "en"
    again = visitor.start(name="Guest Alex", email="alex@example.com")
    assert again["session_id"] == first["session_id"]
    shown = client.get(visitor.url("/session"), headers=visitor.headers()).get_json()
    assert shown["visitor"] == {"name": "Guest Alex", "email": "alex@example.com"}


def test_requests_without_a_valid_token_are_refused(client, factory):
    widget_account(factory)
    response = client.post("/chat/widget-main/messages", json={"client_msg_id": "c_1", "text": "x"})
    assert response.status_code == 401 and response.get_json()["error"] == "session"
    forged = client.get(
        "/chat/widget-main/messages", headers={"Authorization": "Bearer wct1.e30.AAAA"}
    )
    assert forged.status_code == 401
    assert client.get("/chat/no-such-widget/config").status_code == 404


def test_a_token_for_one_widget_does_not_open_another(client, factory):
    widget_account(factory)
    factory.account("webchat", connector="webchat", external_id="widget-other")
    visitor = Visitor(client)
    visitor.start()
    visitor.widget = "widget-other"
    assert visitor.send("hello").status_code == 401


@BOTH
def test_faq_answers_then_solved_records_self_service_resolved(rt, client, factory):
    widget_account(factory)
    seed_faq(rt)
    visitor = Visitor(client)
    visitor.start()
    body = visitor.send("배송 언제와요?").get_json()
    slugs = [s["slug"] for s in body["suggestions"]]
    assert slugs[0] == "shipping-time"
    assert body["conversation"] == {"status": "pending", "self_service": "offered"}
    assert body["suggestions"][0]["answer"]
    chosen = visitor.choose("resolved", "shipping-time")
    assert chosen.get_json()["conversation"] == {"status": "resolved", "self_service": "resolved"}
    with rt.db.session() as s:
        conversation = s.scalars(select(Conversation)).one()
        assert conversation.category == "shipping-time"
        events = s.scalars(
            select(Message.text).where(Message.kind == "event").order_by(Message.id)
        ).all()
        assert any("shipping-time" in e and "shown to the visitor" in e for e in events)
        assert any("this solved it" in e for e in events)


@BOTH
def test_talk_to_a_person_hands_off_with_the_transcript(rt, client, factory):
    widget_account(factory)
    seed_faq(rt)
    visitor = Visitor(client)
    visitor.start()
    body = visitor.send("How long does shipping take?").get_json()
    assert body["suggestions"][0]["locale"] == "en"
    handed = visitor.choose("handed_off")
    assert handed.get_json()["conversation"] == {"status": "open", "self_service": "handed_off"}
    with rt.db.session() as s:
        conversation = s.scalars(select(Conversation)).one()
        assert conversation.waiting_since is not None
        thread = s.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
        ).all()
        assert thread[0].text == "How long does shipping take?"
        shown = [m.text for m in thread if m.kind == "event" and "shown to the visitor" in m.text]
        assert len(shown) == len(body["suggestions"])
        assert "Handed off to an agent" in thread[-2].text or any(
            "Handed off" in (m.text or "") for m in thread
        )
    # Later messages go straight to the agents: no more FAQ answers.
    assert "suggestions" not in visitor.send("Also, do you ship to Canada?").get_json()


def test_writing_again_instead_of_choosing_hands_off(rt, client, factory):
    widget_account(factory)
    seed_faq(rt)
    visitor = Visitor(client)
    visitor.start()
    assert visitor.send("환불 어케 해요").get_json()["suggestions"]
    again = visitor.send("상담원이랑 얘기하고 싶어요").get_json()
    assert again["conversation"] == {"status": "open", "self_service": "handed_off"}
    assert "suggestions" not in again


def test_a_greeting_goes_to_agents_without_faq_noise(rt, client, factory):
    widget_account(factory)
    seed_faq(rt)
    visitor = Visitor(client)
    visitor.start()
    body = visitor.send("안녕하세요").get_json()
    assert "suggestions" not in body and "self_service" not in body
    assert body["conversation"] == {"status": "open", "self_service": None}
    # The question after the greeting still gets self-service.
    body = visitor.send("배송 언제 와요?").get_json()
    assert body["suggestions"][0]["slug"] == "shipping-time"
    assert body["conversation"]["self_service"] == "offered"


def test_no_self_service_once_an_agent_has_answered(rt, client, factory):
    account = widget_account(factory)
    seed_faq(rt)
    visitor = Visitor(client)
    visitor.start()
    visitor.send("안녕하세요")
    agent = factory.user("agent", inboxes=[account.id])
    with rt.db.session() as s:
        conversation_id = s.scalars(select(Conversation.id)).one()
    headers = {"Authorization": f"Bearer {factory.token(agent)}"}
    sent = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "네, 무엇을 도와드릴까요?"},
        headers=headers,
    )
    assert sent.status_code in (200, 201, 202)
    body = visitor.send("배송 언제 와요?").get_json()
    assert "suggestions" not in body


def test_cors_only_for_listed_origins(client, factory):
    widget_account(factory, allowed_origins=["https://shop.seoulsupps.example"])
    good = "https://shop.seoulsupps.example"
    preflight = client.options(
        "/chat/widget-main/messages",
        headers={"Origin": good, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == good
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    config = client.get("/chat/widget-main/config", headers={"Origin": good})
    assert config.headers["Access-Control-Allow-Origin"] == good
    evil = client.get("/chat/widget-main/config", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and "Access-Control-Allow-Origin" not in evil.headers
    visitor = Visitor(client, origin="https://evil.example")
    response = client.post("/chat/widget-main/session", json={}, headers=visitor.headers())
    assert response.status_code == 403 and response.get_json()["error"] == "origin"


def test_offline_hours_turn_the_widget_into_an_email_form(rt, client, factory):
    widget_account(factory, hours=CLOSED)
    assert client.get("/chat/widget-main/config").get_json()["online"] is False
    visitor = Visitor(client)
    visitor.start(locale="ko")
    missing = client.post(
        visitor.url("/offline"),
        json={"client_msg_id": "c_off-0", "text": "환불 문의"},
        headers=visitor.headers(),
    )
    assert missing.status_code == 400 and missing.get_json()["error"] == "email_required"
    assert "이메일" in missing.get_json()["message"]
    left = client.post(
        visitor.url("/offline"),
        json={
            "client_msg_id": "c_off-1",
            "name": "이수진",
            "email": "sujin.lee@example.net",
            "text": "환불 문의드립니다. 주문번호 2026111900221",
        },
        headers=visitor.headers(),
    )
    assert left.status_code == 200 and left.get_json()["status"] == "stored"
    with rt.db.session() as s:
        conversation = s.scalars(select(Conversation)).one()
        assert (conversation.contact.name, conversation.contact.email) == (
            "이수진",
            "sujin.lee@example.net",
        )
        message = s.scalars(select(Message)).one()
        assert message.meta["offline"] is True


def test_hours_inside_the_day_are_open():
    from datetime import UTC, datetime

    from web.chat.hours import is_open

    hours = {"timezone": "Asia/Seoul", "days": {"wed": "09:00-18:00"}}
    # 2026-11-25 is a Wednesday; 01:00 UTC is 10:00 in Seoul.
    assert is_open(hours, datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    assert not is_open(hours, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    assert is_open(None, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))


def test_image_type_is_checked_by_its_bytes(client, factory):
    import io

    widget_account(factory, self_service=False)
    visitor = Visitor(client)
    visitor.start(locale="en")
    response = client.post(
        visitor.url("/attachments"),
        data={"client_msg_id": "c_img-1", "file": (io.BytesIO(b"<svg onload=alert(1)>"), "a.png")},
        headers=visitor.headers(),
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert response.get_json()["message"] == "Only JPEG, PNG, GIF and WebP images can be sent."


def test_demo_page_embeds_the_widget_with_one_script_tag(client, factory):
    widget_account(factory)
    page = client.get("/chat/demo")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-widget="widget-main"' in html and "widget/widget.js" in html
    assert "<style" not in html and "onclick" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/static/widget/widget.js").status_code == 200


def _conversation_id(rt) -> int:
    with rt.db.session() as s:
        return s.scalars(select(Conversation.id)).one()


def test_a_reply_sent_out_of_order_is_not_skipped_by_the_poll_cursor(rt, client, factory):
    from datetime import UTC, datetime

    from inbox.replies import Draft, create_reply, mark_sent

    widget_account(factory, self_service=False)
    visitor = Visitor(client)
    visitor.start()
    first_id = visitor.send("주문 취소 가능한가요?").get_json()["message"]["id"]
    with rt.db.session() as s:
        conversation = s.scalars(select(Conversation)).one()
        older, _ = create_reply(s, conversation, None, Draft(text="확인해 볼게요"))
        newer, _ = create_reply(s, conversation, None, Draft(text="취소해 드렸습니다"))
        mark_sent(s, newer, newer.uuid, datetime.now(UTC))
        older_id, newer_id = older.id, newer.id
    body = client.get(
        visitor.url(f"/messages?after={first_id}&seen="), headers=visitor.headers()
    ).get_json()
    assert [m["id"] for m in body["messages"]] == [newer_id]
    assert body["cursor"] == older_id - 1  # the older reply may still become visible
    with rt.db.session() as s:
        from inbox.models import Message as Row

        row = s.get(Row, older_id)
        mark_sent(s, row, row.uuid, datetime.now(UTC))
    later = client.get(
        visitor.url(f"/messages?after={body['cursor']}&seen={newer_id}&wait=5"),
        headers=visitor.headers(),
    ).get_json()
    assert [m["text"] for m in later["messages"]] == ["확인해 볼게요", "취소해 드렸습니다"]
    assert later["cursor"] == newer_id


def test_an_agent_starting_a_reply_shows_typing_to_the_visitor(rt, client, factory):
    import threading

    from inbox.presence import typing

    account = widget_account(factory, self_service=False)
    visitor = Visitor(client)
    visitor.start()
    sent = visitor.send("문의드려요").get_json()["message"]["id"]
    agent = factory.user("agent", name="김상담", inboxes=[account.id])
    result: dict = {}

    def wait_for_news() -> None:
        result["body"] = client.get(
            visitor.url(f"/messages?after={sent}&seen=&wait=20"), headers=visitor.headers()
        ).get_json()

    poller = threading.Thread(target=wait_for_news)
    poller.start()
    # The ping is live-only: repeat it until the waiting poll has heard one.
    while poller.is_alive():
        with rt.db.session() as s:
            conversation = s.scalars(select(Conversation)).one()
            typing(s, conversation, s.get(type(agent), agent.id), mode="reply")
        poller.join(0.1)
    assert result["body"]["typing"] == {"name": "김상담"}
    assert result["body"]["messages"] == []


def test_typing_pings_that_are_not_an_agents_reply_stay_hidden():
    from web.chat.delivery import _agent_typing

    note = {"topic": "conversation.typing", "user_id": 3, "user_name": "김상담", "mode": "note"}
    own = {"topic": "conversation.typing", "user_id": "visitor", "mode": "reply"}
    reply = {**note, "mode": "reply"}
    assert _agent_typing(note) is None and _agent_typing(own) is None
    assert _agent_typing(reply) == {"name": "김상담"}
    assert _agent_typing({"topic": "message.created", "conversation_id": 1}) is None


@BOTH
def test_offline_message_routed_to_a_mailbox_is_answered_by_email(rt, client, factory):
    from connectors.fake import FakeConnector

    mailbox = factory.account("email", connector="fake", external_id="help@seoulsupps.example")
    widget_account(factory, hours=CLOSED, offline_email_account="help@seoulsupps.example")
    visitor = Visitor(client)
    visitor.start(locale="ko")
    left = client.post(
        visitor.url("/offline"),
        json={
            "client_msg_id": "c_off-9",
            "name": "이수진",
            "email": "Sujin.Lee@example.net",
            "text": "환불 문의드립니다. 주문번호 2026111900221",
        },
        headers=visitor.headers(),
    )
    assert left.get_json()["status"] == "stored" and left.get_json()["reply_by"] == "email"
    with rt.db.session() as s:
        conversation = s.scalars(select(Conversation)).one()
        assert (conversation.channel_account_id, conversation.kind) == (mailbox.id, "email")
        assert conversation.subject == "웹사이트 채팅 문의 (상담 시간 외)"
        assert conversation.contact.email == "Sujin.Lee@example.net"
        conversation_id = conversation.id
    agent = factory.user("agent", inboxes=[mailbox.id])
    answer = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "환불 접수해 드렸습니다."},
        headers={"Authorization": f"Bearer {factory.token(agent)}"},
    )
    assert answer.status_code == 201
    assert rt.jobs.drain()
    (sent,) = FakeConnector.outbox.values()
    assert sent.recipient.email == "Sujin.Lee@example.net"
    # Scoped to the visitor's session, like a chat message's id (issue 13 §2).
    assert sent.in_reply_to is not None
    assert sent.in_reply_to.startswith("<webchat-offline.ws_")
    assert sent.in_reply_to.endswith(".c_off-9@widget-main>")


def test_offline_mailbox_that_is_not_connected_keeps_the_message_in_the_chat(rt, client, factory):
    widget_account(factory, hours=CLOSED, offline_email_account="nobody@seoulsupps.example")
    visitor = Visitor(client)
    visitor.start()
    left = client.post(
        visitor.url("/offline"),
        json={"client_msg_id": "c_off-2", "email": "a@example.com", "text": "문의"},
        headers=visitor.headers(),
    ).get_json()
    assert left["status"] == "stored" and left["conversation"]["status"] == "open"


@pytest.mark.parametrize("after", ["¹", "٣", "9" * 40, "-1"])
def test_a_cursor_that_is_not_a_message_id_is_a_clear_400(client, factory, after):
    widget_account(factory)
    visitor = Visitor(client)
    visitor.start()
    response = client.get(
        visitor.url("/messages"), query_string={"after": after}, headers=visitor.headers()
    )
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    seen = client.get(
        visitor.url("/messages"), query_string={"seen": after}, headers=visitor.headers()
    )
    assert seen.status_code == 400
