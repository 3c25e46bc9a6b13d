"""The inbox list and thread through the real app (SQLite): filters, search, actions."""

from __future__ import annotations

import re
from typing import Any

from connectors.base import Attachment, ConversationKind
from connectors.fake import FakeConnector
from inbox.canned import save_canned
from inbox.conversations import Change, apply_change
from inbox.models import Contact, Conversation, Message
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, inbound, login


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="conv-row[^"]*" data-id="(\d+)"', html)]


def test_views_filters_and_korean_search(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    a = team_setup["a"]
    refund = inbound(rt, a, "환불해주세요 제품이 파손됐어요", customer="c1", name="이서연")
    shipping = inbound(rt, a, "배송 언제 오나요?", customer="c2", name="박지훈")
    hidden = inbound(rt, team_setup["b"], "환불이 안 돼요", customer="c3")
    with rt.db.session() as session:
        conv = session.get(Conversation, shipping.id)
        assert conv is not None
        apply_change(session, conv, Change(assignee_id=team_setup["agent"].id), actor=None)
    login(client, "mina@example.test")
    html = client.get("/inbox/").get_data(as_text=True)
    assert set(_ids(html)) == {refund.id, shipping.id}  # inbox B is not theirs
    assert hidden.id not in _ids(html)
    assert _ids(client.get("/inbox/?view=mine").get_data(as_text=True)) == [shipping.id]
    assert _ids(client.get("/inbox/?view=unassigned").get_data(as_text=True)) == [refund.id]
    assert _ids(client.get("/inbox/?q=환불").get_data(as_text=True)) == [refund.id]
    assert _ids(client.get("/inbox/?q=박지훈").get_data(as_text=True)) == [shipping.id]
    assert _ids(client.get("/inbox/?status=resolved").get_data(as_text=True)) == []
    assert _ids(client.get("/inbox/?channel=instagram").get_data(as_text=True)) == []
    sla = _ids(client.get("/inbox/?sort=sla").get_data(as_text=True))
    assert sla == [refund.id, shipping.id]  # the longest-waiting customer first
    # Counts per view, unread marker until opened.
    assert re.search(r'data-view="mine">[^<]*<span class="count">1<', html)
    assert 'class="conv-row unread' in html
    client.get(f"/inbox/c/{refund.id}")
    html = client.get("/inbox/?q=환불").get_data(as_text=True)
    assert 'class="conv-row unread' not in html


def test_cursor_paging(client: Any, rt: Runtime, team_setup: dict[str, Any]) -> None:
    made = [inbound(rt, team_setup["a"], f"문의 {i}", customer=f"p{i}").id for i in range(30)]
    login(client, "mina@example.test")
    first = client.get("/inbox/").get_data(as_text=True)
    cursor = re.search(r'href="[^"]*cursor=([^&"]+)[^"]*" rel="next"', first)
    assert cursor
    second = client.get(f"/inbox/?cursor={cursor.group(1)}").get_data(as_text=True)
    assert sorted(_ids(first) + _ids(second)) == sorted(made)


def test_reply_note_assign_resolve(client: Any, rt: Runtime, team_setup: dict[str, Any]) -> None:
    conv = inbound(rt, team_setup["a"], "주문번호 2026112400317 배송 문의", customer="c1")
    login(client, "mina@example.test")
    path = f"/inbox/c/{conv.id}"
    token = form_token(client, path)
    response = client.post(
        f"{path}/reply", data={"csrf_token": token, "mode": "reply", "text": "확인해 드릴게요"}
    )
    assert response.status_code == 302
    client.post(f"{path}/reply", data={"csrf_token": token, "mode": "note", "text": "VIP 고객"})
    client.post(f"{path}/update", data={"csrf_token": token, "assignee": "me"})
    client.post(f"{path}/update", data={"csrf_token": token, "labels": "배송, VIP"})
    client.post(f"{path}/update", data={"csrf_token": token, "priority": "high"})
    client.post(f"{path}/update", data={"csrf_token": token, "category": "order-status"})
    client.post(f"{path}/update", data={"csrf_token": token, "status": "resolved"})
    rt.jobs.drain()
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None
        assert fresh.status == "resolved"
        assert fresh.assignee_id == team_setup["agent"].id
        assert sorted(label.name for label in fresh.labels) == ["VIP", "배송"]
        assert (fresh.priority, fresh.category) == ("high", "order-status")
        kinds = [
            (m.kind, m.status) for m in session.query(Message).filter_by(conversation_id=conv.id)
        ]
    assert ("message", "sent") in kinds
    assert ("note", None) in kinds
    assert len(FakeConnector.outbox) == 1
    html = client.get(path).get_data(as_text=True)
    assert 'data-delivery="sent"' in html
    assert "kind-note" in html
    assert "상태 열림 → 해결됨 · 민아" in html  # the event, in Korean


def test_snooze_uses_the_agents_time_zone(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "문의", customer="c1")
    login(client, "mina@example.test")
    token = form_token(client, f"/inbox/c/{conv.id}")
    client.post(
        f"/inbox/c/{conv.id}/update",
        data={"csrf_token": token, "status": "snoozed", "until": "2099-01-02T09:00"},
    )
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        assert fresh is not None and fresh.snoozed_until is not None
        assert fresh.status == "snoozed"
        assert fresh.snoozed_until.isoformat() == "2099-01-02T00:00:00+00:00"  # 09:00 KST
    html = client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)
    assert "상태 열림 → 미룸 (2099-01-02 09:00까지) · 민아" in html


def test_failed_reply_shows_reason_and_retries(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "문의", customer="c1")
    login(client, "mina@example.test")
    path = f"/inbox/c/{conv.id}"
    token = form_token(client, path)
    client.post(f"{path}/reply", data={"csrf_token": token, "text": "안내 [permanent]"})
    rt.jobs.drain()
    html = client.get(path).get_data(as_text=True)
    assert 'data-delivery="failed"' in html
    assert "recipient unavailable (simulated)" in html
    message_id = int(re.search(r'action="/inbox/m/(\d+)/retry"', html).group(1))  # type: ignore[union-attr]
    assert (
        client.post(f"/inbox/m/{message_id}/retry", data={"csrf_token": token}).status_code == 302
    )
    rt.jobs.drain()
    with rt.db.session() as session:
        message = session.get(Message, message_id)
        assert message is not None and message.status == "failed"
        assert message.attempts == 1  # it was really sent again (and failed again)


def test_closed_window_blocks_reply_but_not_note(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    account = factory.account("facebook", options={"window_hours": 0})
    user = team_setup["agent"]
    from inbox.users import set_inboxes

    with rt.db.session() as session:
        from inbox.models import User

        fresh = session.get(User, user.id)
        assert fresh is not None
        set_inboxes(session, fresh, {team_setup["a"].id, account.id})
    conv = inbound(rt, account, "문의", customer="late")
    login(client, "mina@example.test")
    path = f"/inbox/c/{conv.id}"
    html = client.get(path).get_data(as_text=True)
    assert 'data-window-open="false"' in html
    assert "no customer message in the last 0 hours" in html
    token = form_token(client, path)
    client.post(f"{path}/reply", data={"csrf_token": token, "text": "답장"})
    client.post(f"{path}/reply", data={"csrf_token": token, "mode": "note", "text": "메모"})
    with rt.db.session() as session:
        kinds = [m.kind for m in session.query(Message).filter_by(conversation_id=conv.id)]
    assert "note" in kinds and kinds.count("message") == 1  # only the customer's


def test_email_thread_renders_html_quotes_and_attachments(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    mailbox = factory.account("email")
    conv = inbound(
        rt,
        mailbox,
        "사진 첨부합니다",
        customer="kim@example.com",
        kind=ConversationKind.EMAIL,
        html="<p>사진 <b>첨부</b>합니다</p><script>alert(1)</script>",
        extra={"full_text": "사진 첨부합니다\n\n> 2026-11-20 고객센터 wrote:\n> 이전 안내"},
        subject="파손 문의",
        attachments=(
            Attachment(
                kind="file",
                filename='../../etc/"x".pdf',
                content_type="application/pdf",
                data=b"%PDF-1.4 test",
            ),
        ),
    )
    login(client, "admin@example.test")
    html = client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)
    assert "<b>첨부</b>" in html and "alert(1)" not in html
    assert '<details class="quoted">' in html and "&gt; 이전 안내" in html
    assert 'name="subject" value="Re: 파손 문의"' in html
    link = re.search(r'href="(/inbox/attachments/\d+)" download', html)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.data == b"%PDF-1.4 test"
    assert download.headers["Content-Type"] == "application/octet-stream"
    disposition = download.headers["Content-Disposition"]
    assert (
        disposition.startswith("attachment;")
        and "/" not in disposition
        and '"x"' not in disposition
    )
    # An agent without the mailbox gets nothing.
    client.post("/logout", data={"csrf_token": form_token(client, "/inbox/")})
    login(client, "mina@example.test")
    assert client.get(link.group(1)).status_code == 404


def test_contact_edit_and_merge(client: Any, rt: Runtime, team_setup: dict[str, Any]) -> None:
    one = inbound(rt, team_setup["a"], "문의", customer="c1", name="김민호")
    two = inbound(rt, team_setup["a"], "추가 문의", customer="c2", name="김민호")
    elsewhere = inbound(rt, team_setup["b"], "다른 인박스", customer="c3", name="김민호")
    login(client, "mina@example.test")
    path = f"/inbox/c/{one.id}"
    html = client.get(path).get_data(as_text=True)
    assert f"#{two.contact_id} 김민호" in html  # suggested as the same person
    assert f"#{elsewhere.contact_id} " not in html  # not from an inbox they cannot see
    token = form_token(client, path)
    refused = client.post(
        f"/inbox/contacts/{one.contact_id}/merge",
        data={"csrf_token": token, "conversation_id": one.id, "other_id": elsewhere.contact_id},
    )
    assert refused.status_code == 404
    token = form_token(client, path)
    client.post(
        f"/inbox/contacts/{one.contact_id}",
        data={
            "csrf_token": token,
            "conversation_id": one.id,
            "name": "김민호",
            "email": "minho@example.com",
            "phone": "010-1234-5678",
            "notes": "단골",
        },
    )
    client.post(
        f"/inbox/contacts/{one.contact_id}/merge",
        data={"csrf_token": token, "conversation_id": one.id, "other_id": two.contact_id},
    )
    with rt.db.session() as session:
        contact = session.get(Contact, one.contact_id)
        assert contact is not None
        assert (contact.email, contact.phone, contact.notes) == (
            "minho@example.com",
            "010-1234-5678",
            "단골",
        )
        merged = session.get(Conversation, two.id)
        assert merged is not None and merged.contact_id == one.contact_id
    html = client.get(path).get_data(as_text=True)
    assert f'href="/inbox/c/{two.id}"' in html  # now one of "other conversations"


def test_canned_responses_fill_variables(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    with rt.db.session() as session:
        save_canned(
            session,
            shortcut="배송",
            title="배송 안내",
            body="{{contact_name}}님, 주문 {{order_number}} 오늘 출고됩니다.",
        )
    conv = inbound(
        rt, team_setup["a"], "주문번호 2026112400317 언제 와요?", customer="c1", name="이서연"
    )
    login(client, "mina@example.test")
    html = client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)
    assert 'data-body="이서연님, 주문 2026112400317 오늘 출고됩니다."' in html


def test_typing_ping_needs_access(client: Any, rt: Runtime, team_setup: dict[str, Any]) -> None:
    mine = inbound(rt, team_setup["a"], "문의", customer="c1")
    theirs = inbound(rt, team_setup["b"], "문의", customer="c2")
    login(client, "mina@example.test")
    token = form_token(client, f"/inbox/c/{mine.id}")
    headers = {"X-CSRFToken": token}
    assert client.post(f"/inbox/c/{mine.id}/typing", headers=headers).status_code == 204
    assert client.post(f"/inbox/c/{theirs.id}/typing", headers=headers).status_code == 404


def test_email_reply_with_subject_cc_and_attachment(
    client: Any, rt: Runtime, factory: Any, team_setup: dict[str, Any]
) -> None:
    import io

    mailbox = factory.account("email")
    conv = inbound(
        rt,
        mailbox,
        "문의",
        customer="kim@example.com",
        kind=ConversationKind.EMAIL,
        subject="교환 문의",
    )
    login(client, "admin@example.test")
    path = f"/inbox/c/{conv.id}"
    token = form_token(client, path)
    response = client.post(
        f"{path}/reply",
        data={
            "csrf_token": token,
            "text": "교환 접수했습니다",
            "subject": "Re: 교환 문의",
            "cc": "lead@example.com, ",
            "attachments": (io.BytesIO(b"label"), "반송라벨.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    rt.jobs.drain()
    with rt.db.session() as session:
        reply = (
            session.query(Message).filter_by(conversation_id=conv.id, direction="outbound").one()
        )
        assert reply.subject == "Re: 교환 문의"
        assert reply.meta["cc"] == ["lead@example.com"]
        assert [a.filename for a in reply.attachments] == ["반송라벨.txt"]
        assert reply.attachments[0].sha256 is not None


def test_long_threads_show_the_newest_and_page_back(
    client: Any, rt: Runtime, team_setup: dict[str, Any], monkeypatch: Any
) -> None:
    import web.ui.inbox

    monkeypatch.setattr(web.ui.inbox, "THREAD_LIMIT", 3)
    for i in range(5):
        conv = inbound(rt, team_setup["a"], f"메시지 {i}", customer="c1", external_id=f"m{i}")
    login(client, "mina@example.test")
    html = client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)
    assert "메시지 4" in html and "메시지 2" in html and "메시지 1" not in html
    older = re.search(r'<p class="older"><a href="([^"]+)"', html)
    assert older and "before=" in older.group(1)
    html = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "메시지 0" in html and "메시지 1" in html and "메시지 2" not in html
    assert "최신 메시지로" in html


def test_composer_reply_is_saved_and_swept_when_the_queue_is_down(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    """The reply is committed before the enqueue: a queue that is down must not turn the
    agent's send into an error page (they would send it again); the sweeper sends it."""
    from switchboard.runner import RqRunner
    from tests.support.servers import free_port
    from workers.sweep import sweep

    conv = inbound(rt, team_setup["a"], "주문 취소 문의", customer="c9")
    login(client, "mina@example.test")
    path = f"/inbox/c/{conv.id}"
    token = form_token(client, path)
    working = rt.jobs
    rt.jobs = RqRunner(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        response = client.post(
            f"{path}/reply", data={"csrf_token": token, "mode": "reply", "text": "취소해 드릴게요"}
        )
    finally:
        rt.jobs = working
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "잠시 후 전송됩니다" in page or "it will be sent in a moment" in page
    with rt.db.session() as session:
        reply = (
            session.query(Message).filter_by(conversation_id=conv.id, direction="outbound").one()
        )
        assert reply.status == "pending"
        reply_id = reply.id
    assert sweep()["sends"] == 1  # SWEEP_STALE_SECONDS is 0 in the tests
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    with rt.db.session() as session:
        sent = session.get(Message, reply_id)
        assert sent is not None and sent.status == "sent"
