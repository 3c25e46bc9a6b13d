"""Marketer pages through the Flask test client: compose, refusals beside targets, publish."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from connectors.base import ConversationKind
from connectors.fake import FakeConnector
from inbox.models.announcements import Announcement
from switchboard.runtime import Runtime

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
LONG_KO = "연말 감사 세일! 비타민과 유산균 전 품목 최대 40% 할인합니다. " * 5


@pytest.fixture
def marketer(app: Any, factory: Any) -> Any:
    app.config["WTF_CSRF_ENABLED"] = False
    user = factory.user("marketer", email="marketer@example.test", password="correct horse battery")
    client = app.test_client()
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    return client


def test_agents_cannot_open_announcements(app: Any, factory: Any) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    agent = factory.user("agent", password="correct horse battery")
    client = app.test_client()
    client.post("/login", data={"email": agent.email, "password": "correct horse battery"})
    assert client.get("/announcements/").status_code == 403


def test_compose_refuses_long_korean_x_text_beside_the_target(marketer: Any, factory: Any) -> None:
    fb, x = factory.account("facebook"), factory.account("x")
    marketer.get("/announcements/?lang=en")  # the English messages (Korean: below)
    page = marketer.get("/announcements/new")
    assert page.status_code == 200
    assert f'data-account="{x.id}"' in page.get_data(as_text=True)
    response = marketer.post(
        "/announcements/new",
        data={"text": LONG_KO, "target": [str(fb.id), str(x.id)], "action": "now"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    x_box = html[html.index(f'data-account="{x.id}"') :]
    x_box = x_box[: x_box.index("</fieldset>")]
    assert re.search(r"X: too long, \d{3}/280", x_box)
    korean = marketer.post(
        "/announcements/new?lang=ko",
        data={"text": LONG_KO, "target": [str(fb.id), str(x.id)], "action": "now"},
    ).get_data(as_text=True)
    assert re.search(r"X: 너무 깁니다, \d{3}/280", korean) and "too long" not in korean
    marketer.get("/announcements/?lang=en")
    fb_box = html[html.index(f'data-account="{fb.id}"') : html.index(f'data-account="{x.id}"')]
    assert "too long" not in fb_box
    assert "Content-Security-Policy" in response.headers
    assert "<script>" not in html and 'style="' not in html


def test_live_check_returns_counts_and_previews(marketer: Any, factory: Any) -> None:
    ig, x = factory.account("instagram"), factory.account("x")
    marketer.get("/announcements/?lang=en")  # the marketer reads English
    verdict = marketer.post(
        "/announcements/check",
        json={
            "text": "가" * 150,
            "link": "https://shop.example/a",
            "targets": {str(ig.id): None, str(x.id): "짧은 글"},
            "images": [{"content_type": "image/png", "size": 1000, "filename": "a.png"}],
        },
    ).get_json()
    assert verdict["targets"][str(x.id)]["count"] == "31/280"
    assert verdict["targets"][str(x.id)]["preview"] == "짧은 글\n\nhttps://shop.example/a"
    assert verdict["targets"][str(ig.id)]["errors"] == ["Instagram: a.png is image/png; only JPEG"]


def test_publish_now_then_detail_shows_statuses_and_comments(
    rt: Runtime, marketer: Any, factory: Any
) -> None:
    fb, ig = factory.account("facebook"), factory.account("instagram")
    response = marketer.post(
        "/announcements/new",
        data={
            "title": "겨울 세일",
            "text": "겨울 세일 시작!",
            "target": [str(fb.id), str(ig.id)],
            "action": "now",
            "images": (io.BytesIO(JPEG), "sale.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    with rt.db.session() as session:
        ann = session.query(Announcement).one()
        post_id = next(t.external_id for t in ann.targets if t.channel_account_id == fb.id)
    factory.inbound(fb, "할인 코드 있나요?", kind=ConversationKind.COMMENT, thread=post_id)
    html = marketer.get(response.headers["Location"]).get_data(as_text=True)
    assert html.count("ann-status-published") == 2
    assert "할인 코드 있나요?" in html
    assert len(FakeConnector.posts) == 2
    listing = marketer.get("/announcements/").get_data(as_text=True)
    assert "겨울 세일" in listing


def test_edit_and_cancel_a_scheduled_announcement(rt: Runtime, marketer: Any, factory: Any) -> None:
    fb = factory.account("facebook")
    response = marketer.post(
        "/announcements/new",
        data={
            "text": "예약",
            "target": [str(fb.id)],
            "action": "schedule",
            "scheduled_local": "2031-05-01T10:00",
            "timezone": "Asia/Seoul",
        },
    )
    assert response.status_code == 302
    with rt.db.session() as session:
        ann = session.query(Announcement).one()
        assert ann.scheduled_at is not None and ann.scheduled_at.hour == 1  # 10:00 KST
        ann_id = ann.id
    response = marketer.post(
        f"/announcements/{ann_id}/edit",
        data={
            "editing": "1",
            "text": "예약 (수정)",
            "target": [str(fb.id)],
            "action": "schedule",
            "scheduled_local": "2031-05-02T10:00",
            "timezone": "Asia/Seoul",
        },
    )
    assert response.status_code == 302
    marketer.post(f"/announcements/{ann_id}/cancel")
    with rt.db.session() as session:
        ann = session.get(Announcement, ann_id)
        assert ann is not None
        assert (ann.text, ann.status, ann.scheduled_at.day) == ("예약 (수정)", "cancelled", 2)  # type: ignore[union-attr]
    assert [f for _, f, _ in rt.jobs.pending()] == ["workers.publish.publish_target"] * 2  # type: ignore[attr-defined]
