"""Files from the composer, end to end: the form, the channel's declared limits, the stored
file (typed by its bytes), the send job, and the platform emulators' record of the exact
upload (Messenger, Instagram DM, X DM) or the visitor's widget (chat)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from connectors.base import ConversationKind
from inbox.models import Conversation, Message
from sandbox.meta import create_app as meta_app
from sandbox.x import create_app as x_app
from sandbox.x.world import CONSUMER_KEY, CONSUMER_SECRET
from sandbox.x.world import World as XWorld
from switchboard.runtime import Runtime
from tests.connectors.facebook.sandbox_support import PAGE, TOKEN
from tests.connectors.facebook.sandbox_support import Sandbox as MetaSandbox
from tests.connectors.x.conftest import BRAND_ID
from tests.support.servers import serve_wsgi
from tests.web.chat.support import Visitor, widget_account
from tests.web.ui.conftest import form_token, inbound, login
from workers.poll import poll_account

IG = "17841400000012345"
YUNA = "1402233445566778899"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200))
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj\n" * 20


@pytest.fixture
def meta() -> Iterator[MetaSandbox]:
    app = meta_app({"WEBHOOK_URL": ""})
    with serve_wsgi(app) as url:
        yield MetaSandbox(url, app)


@pytest.fixture
def x_world() -> Iterator[tuple[str, XWorld]]:
    world = XWorld()
    with serve_wsgi(x_app(world)) as url:
        yield url, world


@pytest.fixture
def settings_overrides(meta: MetaSandbox, x_world: tuple[str, XWorld]) -> dict[str, str]:
    return meta.settings(
        X_API_URL=x_world[0], X_CONSUMER_KEY=CONSUMER_KEY, X_CONSUMER_SECRET=CONSUMER_SECRET
    )


@pytest.fixture
def admin(factory: Any) -> None:
    factory.user("admin", email="admin@example.test", name="관리자")


def _send(client: Any, conversation_id: int, text: str, *files: tuple[bytes, str]) -> str:
    path = f"/inbox/c/{conversation_id}"
    token = form_token(client, path)
    response = client.post(
        f"{path}/reply",
        data={
            "csrf_token": token,
            "mode": "reply",
            "text": text,
            "attachments": [(io.BytesIO(data), name) for data, name in files],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return str(client.get(path).get_data(as_text=True))


def _outbound(rt: Runtime, conversation_id: int) -> list[Message]:
    with rt.db.session() as s:
        rows = list(
            s.scalars(
                select(Message).where(
                    Message.conversation_id == conversation_id, Message.direction == "outbound"
                )
            )
        )
        for row in rows:
            _ = list(row.attachments)
        s.expunge_all()
        return rows


def _meta_conversation(rt: Runtime, factory: Any, meta: MetaSandbox, platform: str) -> int:
    if platform == "messenger":
        account = factory.account(
            "facebook", connector="facebook", external_id=PAGE, credentials={"page_token": TOKEN}
        )
    else:
        account = factory.account(
            "instagram",
            connector="instagram",
            external_id=IG,
            credentials={"page_token": TOKEN},
            options={"page_id": PAGE},
        )
    made = meta.emu("customers/dm", platform=platform, text="영수증 보내주세요", deliver="none")
    return inbound(rt, account, "영수증 보내주세요", customer=made["customer_id"]).id


@pytest.mark.parametrize("platform", ["messenger", "instagram"])
def test_meta_dm_files_reach_the_platform_byte_for_byte(
    rt: Runtime, client: Any, factory: Any, admin: None, meta: MetaSandbox, platform: str
) -> None:
    conversation_id = _meta_conversation(rt, factory, meta, platform)
    login(client, "admin@example.test")
    page = client.get(f"/inbox/c/{conversation_id}").get_data(as_text=True)
    assert 'id="composer-file-input"' in page
    assert "답장당 파일 최대 5개" in page and "PDF" in page
    # The browser names it "photo.png": the bytes say JPEG, and JPEG is what is stored and sent.
    html = _send(client, conversation_id, "보내 드립니다", (JPEG, "photo.png"), (PDF, "영수증.pdf"))
    assert "보내지 않았습니다" not in html
    assert rt.jobs.drain(timeout=20)
    (reply,) = _outbound(rt, conversation_id)
    assert reply.status in ("sent", "delivered")
    assert [(a.content_type, a.kind) for a in reply.attachments] == [
        ("image/jpeg", "image"),
        ("application/pdf", "file"),
    ]
    calls = [c for c in meta.requests(method="POST") if c["path"] == f"/{PAGE}/messages"]
    uploads = [c for c in calls if c["files"]]
    assert [json.loads(c["form"]["message"])["attachment"]["type"] for c in uploads] == [
        "image",
        "file",
    ]
    assert [c["files"]["filedata"]["sha256"] for c in uploads] == [
        hashlib.sha256(JPEG).hexdigest(),
        hashlib.sha256(PDF).hexdigest(),
    ]
    assert [c["files"]["filedata"]["content_type"] for c in uploads] == [
        "image/jpeg",
        "application/pdf",
    ]
    # The agent downloads what was sent through the existing download path.
    first = reply.attachments[0].id
    got = client.get(f"/inbox/attachments/{first}?inline=1")
    assert got.status_code == 200 and got.data == JPEG and got.mimetype == "image/jpeg"


def test_a_type_the_channel_refuses_is_named_and_nothing_is_stored(
    rt: Runtime, client: Any, factory: Any, admin: None, meta: MetaSandbox
) -> None:
    conversation_id = _meta_conversation(rt, factory, meta, "instagram")
    login(client, "admin@example.test")
    fake_png = b"<html><script>alert(1)</script></html>"
    html = _send(client, conversation_id, "사진", (fake_png, "photo.png"))
    assert "보내지 않았습니다: photo.png은(는) 이 채널에서 보낼 수 없는 형식입니다" in html
    assert _outbound(rt, conversation_id) == []
    big = JPEG + b"\x00" * (8 * 1024 * 1024)
    html = _send(client, conversation_id, "큰 사진", (big, "big.jpg"))
    assert "big.jpg은(는) 8 MB입니다" in html and "한도는 8 MB" in html
    assert _outbound(rt, conversation_id) == []


def test_x_dm_image_goes_through_the_media_upload(
    rt: Runtime, client: Any, factory: Any, admin: None, x_world: tuple[str, XWorld]
) -> None:
    url, world = x_world
    account = factory.account(
        "x",
        connector="x",
        external_id=BRAND_ID,
        credentials={
            "access_token": "brand-access-token",
            "access_token_secret": "brand-access-secret",
        },
    )
    requests.post(
        f"{url}/_emu/dms", json={"from": "yuna_jj", "text": "송장 보여주세요"}, timeout=10
    )
    conversation_id = inbound(rt, account, "송장 보여주세요", customer=YUNA).id
    login(client, "admin@example.test")
    page = client.get(f"/inbox/c/{conversation_id}").get_data(as_text=True)
    assert "답장당 파일 최대 1개" in page and "GIF 15 MB" in page
    html = _send(client, conversation_id, "", (JPEG, "송장.jpg"), (JPEG, "again.jpg"))
    assert "보내지 않았습니다: 파일이 2개입니다" in html
    _send(client, conversation_id, "", (JPEG, "송장.jpg"))  # an image alone, no text
    assert rt.jobs.drain(timeout=20)
    (reply,) = _outbound(rt, conversation_id)
    assert reply.status == "sent"
    log = requests.get(f"{url}/_emu/requests", timeout=10).json()["requests"]
    (upload,) = [r for r in log if r["path"] == "/2/media/upload"]
    assert upload["form"]["media_category"] == "dm_image"
    assert upload["files"]["media"]["sha256"] == hashlib.sha256(JPEG).hexdigest()
    (dm,) = [r for r in log if r["path"] == f"/2/dm_conversations/with/{YUNA}/messages"]
    (media_id,) = world.uploads
    assert dm["json"] == {"attachments": [{"media_id": media_id}]}
    # Polling brings our own DM (with its media) back: it is recognised, not stored twice.
    assert poll_account(account.id) >= 2  # the customer's DM and ours
    assert rt.jobs.drain(timeout=20)
    (again,) = _outbound(rt, conversation_id)
    assert again.id == reply.id and len(again.attachments) == 1


def test_chat_visitor_receives_the_agents_image_and_pdf(
    rt: Runtime, client: Any, factory: Any, admin: None
) -> None:
    widget_account(factory, self_service=False)
    visitor = Visitor(app_client := client.application.test_client())
    visitor.start(name="최예린")
    sent = visitor.send("교환 신청서 양식 있나요?").get_json()
    with rt.db.session() as s:
        (conversation,) = s.scalars(
            select(Conversation).where(Conversation.kind == ConversationKind.CHAT.value)
        ).all()
        conversation_id = conversation.id
    login(client, "admin@example.test")
    _send(client, conversation_id, "양식 보내 드려요", (PDF, "교환신청서.pdf"), (JPEG, "예시.jpg"))
    assert rt.jobs.drain(timeout=20)
    seen = visitor.poll(after=sent["message"]["id"])["messages"]
    (reply,) = [m for m in seen if m["from"] == "agent"]
    assert [(a["filename"], a["content_type"]) for a in reply["attachments"]] == [
        ("교환신청서.pdf", "application/pdf"),
        ("예시.jpg", "image/jpeg"),
    ]
    pdf, image = (app_client.get(a["url"]) for a in reply["attachments"])
    assert pdf.status_code == 200 and pdf.data == PDF
    assert pdf.mimetype == "application/octet-stream"  # a download, never shown inline
    assert image.data == JPEG and image.mimetype == "image/jpeg"
