"""Issue 15 pages through the Flask client: the notification centre, the names offered after
"@", and the admin webhook pages (admins only, English and Korean)."""

from __future__ import annotations

import re
from typing import Any

from inbox.conversations import Change, apply_change
from inbox.models import Conversation, User
from switchboard.runtime import Runtime
from tests.web.ui.conftest import form_token, inbound, login


def test_notification_centre_lists_opens_and_marks_read(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "문의", customer="c1", name="이서연")
    with rt.db.session() as session:
        fresh = session.get(Conversation, conv.id)
        admin = session.get(User, team_setup["admin"].id)
        assert fresh is not None
        apply_change(session, fresh, Change(assignee_id=team_setup["agent"].id), actor=admin)
    login(client, "mina@example.test")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "나에게 배정됨" in page and "이서연" in page
    summary = client.get("/notifications/summary.json").get_json()
    assert summary["unread"] == 1
    opened = client.get(summary["items"][0]["url"])
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/inbox/c/{conv.id}")
    assert client.get("/notifications/summary.json").get_json()["unread"] == 0
    token = form_token(client, "/notifications/")
    client.post("/notifications/settings", data={"email": "1", "csrf_token": token})
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'name="email" value="1" data-autosubmit-check checked' in page


def test_mention_candidates_are_colleagues_who_can_see_the_conversation(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(rt, team_setup["a"], "문의", customer="c1")
    hidden = inbound(rt, team_setup["b"], "문의", customer="c2")
    login(client, "mina@example.test")
    names = [p["name"] for p in client.get(f"/notifications/mentionable/{conv.id}.json").get_json()]
    assert names == ["관리자"]  # not herself, not 준 (outside inbox A)
    assert client.get(f"/notifications/mentionable/{hidden.id}.json").status_code == 404


def test_webhook_admin_pages_are_for_admins(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    login(client, "mina@example.test")
    assert client.get("/admin/webhooks").status_code == 403
    client.post("/logout", data={"csrf_token": form_token(client, "/inbox/")})
    login(client, "admin@example.test")
    token = form_token(client, "/admin/webhooks")
    created = client.post(
        "/admin/webhooks",
        data={
            "name": "CRM",
            "url": "http://127.0.0.1:9/hook",
            "event_types": ["message.created", "conversation.resolved"],
            "csrf_token": token,
        },
    )
    assert created.status_code == 302
    # Loopback is refused unless WEBHOOK_ALLOW_HOSTS names it.
    assert created.headers["Location"].endswith("/admin/webhooks")
    assert "WEBHOOK_ALLOW_HOSTS" in client.get("/admin/webhooks").get_data(as_text=True)
    rt.settings = rt.settings.replace(WEBHOOK_ALLOW_HOSTS="127.0.0.1")
    created = client.post(
        "/admin/webhooks",
        data={
            "name": "CRM",
            "url": "http://127.0.0.1:9/hook",
            "event_types": ["message.created", "conversation.resolved"],
            "csrf_token": token,
        },
    )
    # The answer is the new webhook's page, the one time its secret is shown.
    assert created.status_code == 200
    detail = created.get_data(as_text=True)
    assert "whsec_" in detail and "전송 기록" in detail
    link = re.search(r'href="(/admin/webhooks/\d+)" id="webhook-link"', detail)
    assert link is not None
    again = client.get(link.group(1)).get_data(as_text=True)
    assert "whsec_" not in again and "전송 기록" in again
    rotated = client.post(link.group(1), data={"action": "secret", "csrf_token": token})
    assert rotated.status_code == 200 and "whsec_" in rotated.get_data(as_text=True)
    refused = client.post(
        "/admin/webhooks",
        data={
            "name": "bad",
            "url": "ftp://x",
            "event_types": ["message.created"],
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "http://" in refused.get_data(as_text=True)


def test_macros_page_creates_and_lists(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    login(client, "mina@example.test")
    token = form_token(client, "/inbox/macros")
    client.post(
        "/inbox/macros",
        data={
            "name": "보류",
            "status": "pending",
            "add_labels": "대기",
            "reply": "{{contact_name}}님, 확인 중입니다.",
            "csrf_token": token,
        },
    )
    page = client.get("/inbox/macros").get_data(as_text=True)
    assert (
        "보류" in page and "status=pending" in page and "{{contact_name}}님, 확인 중입니다." in page
    )
