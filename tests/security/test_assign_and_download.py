"""An assignee must work the conversation's inbox; download names carry no path or control
characters (issue 13 §9)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from connectors.base import Attachment
from inbox.models import Attachment as AttachmentRow
from inbox.models import Conversation, Message
from tests.web.ui.conftest import form_token, inbound, login
from web.downloads import content_disposition


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_api_refuses_an_assignee_outside_the_inbox(rt: Any, client: Any, factory: Any) -> None:
    a, b = factory.account("facebook"), factory.account("instagram")
    conversation = factory.inbound(a, "hello")
    agent_a = factory.user("agent", inboxes=[a.id])
    outsider = factory.user("agent", inboxes=[b.id])
    marketer = factory.user("marketer")
    colleague = factory.user("agent", inboxes=[a.id])
    admin = factory.user("admin")
    headers = {"Authorization": f"Bearer {factory.token(agent_a)}"}
    url = f"/api/v1/conversations/{conversation.id}"
    for stranger in (outsider, marketer):
        refused = client.patch(url, json={"assignee_id": stranger.id}, headers=headers)
        assert refused.status_code == 422, stranger.role
        assert refused.content_type == "application/problem+json"
    for member in (colleague, admin):
        taken = client.patch(url, json={"assignee_id": member.id}, headers=headers)
        assert taken.status_code == 200
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None and row.assignee_id == admin.id


def test_ui_refuses_an_assignee_outside_the_inbox(rt: Any, client: Any, factory: Any) -> None:
    a, b = factory.account("facebook"), factory.account("instagram")
    conversation = factory.inbound(a, "hello")
    agent_a = factory.user("agent", inboxes=[a.id], email="a@example.test")
    outsider = factory.user("agent", inboxes=[b.id])
    login(client, agent_a.email)
    token = form_token(client, f"/inbox/c/{conversation.id}")
    client.post(
        f"/inbox/c/{conversation.id}/update",
        data={"assignee": str(outsider.id), "csrf_token": token},
    )
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None and row.assignee_id is None


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("evil\r\nSet-Cookie: a=b.txt", "evilSet-Cookie a=b.txt"),
        ('a"b;c.jpg', "abc.jpg"),
        ("\u202egnp.exe", "gnp.exe"),
        ("", "attachment"),
        ("...", "attachment"),
    ],
)
def test_download_names_are_a_single_safe_segment(name: str, plain: str) -> None:
    header = content_disposition(name)
    assert header.startswith("attachment; filename=")
    assert "\r" not in header and "\n" not in header and "/" not in header.split("filename*")[0]
    ascii_part = header.split('filename="', 1)[1].split('"', 1)[0]
    assert ascii_part.isascii()
    assert ascii_part == plain.encode("ascii", "replace").decode().replace("?", "_")


def test_download_name_keeps_korean_in_filename_star() -> None:
    header = content_disposition("주소캡처.jpg")
    assert "filename*=UTF-8''%EC%A3%BC%EC%86%8C%EC%BA%A1%EC%B2%98.jpg" in header


def test_the_attachment_route_sends_the_sanitized_name(rt: Any, client: Any, factory: Any) -> None:
    account = factory.account("facebook")
    conversation = inbound(
        rt,
        account,
        "file",
        customer="c1",
        attachments=(
            Attachment(kind="file", filename="../../secret\x07.txt", data=b"hello", size=5),
        ),
    )
    agent = factory.user("agent", inboxes=[account.id], email="dl@example.test")
    login(client, agent.email)
    with rt.db.session() as session:
        attachment_id = session.scalars(
            select(AttachmentRow.id).join(Message).where(Message.conversation_id == conversation.id)
        ).one()
    answer = client.get(f"/inbox/attachments/{attachment_id}")
    assert answer.status_code == 200
    disposition = answer.headers["Content-Disposition"]
    assert disposition == content_disposition("secret.txt")
    assert ".." not in disposition and "\x07" not in disposition
