"""REST API /api/v1/announcements: roles, per-target refusals, scheduling, reading back."""

from __future__ import annotations

import base64
from typing import Any

from connectors.base import ConversationKind
from connectors.fake import FakeConnector
from switchboard.runtime import Runtime

JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 64).decode()
LONG_KO = "연말 감사 세일! 비타민과 유산균 전 품목 최대 40% 할인합니다. " * 5


def auth(factory: Any, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {factory.token(factory.user(role))}"}


def test_agents_may_not_publish(client: Any, factory: Any) -> None:
    response = client.get("/api/v1/announcements", headers=auth(factory, "agent"))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_refusal_names_each_target(client: Any, factory: Any) -> None:
    fb, ig, x = factory.account("facebook"), factory.account("instagram"), factory.account("x")
    body = {
        "text": LONG_KO,
        "targets": [{"channel_account_id": a.id} for a in (fb, ig, x)],
    }
    response = client.post("/api/v1/announcements", json=body, headers=auth(factory, "marketer"))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["targets"][str(fb.id)]["errors"] == []
    assert problem["targets"][str(ig.id)]["errors"] == [
        "Instagram: a post needs at least one image"
    ]
    (x_error,) = problem["targets"][str(x.id)]["errors"]
    assert x_error.startswith(f"X: too long, {problem['targets'][str(x.id)]['count']}")


def test_create_publish_now_and_read_back_with_comments(
    rt: Runtime, client: Any, factory: Any
) -> None:
    fb, ig = factory.account("facebook"), factory.account("instagram")
    headers = auth(factory, "marketer")
    body = {
        "text": "겨울 한정 홍삼 세트 출시 #홍삼",
        "link": "https://shop.example/winter",
        "targets": [
            {"channel_account_id": fb.id},
            {"channel_account_id": ig.id, "text": "IG 전용"},
        ],
        "images": [{"data": JPEG, "filename": "winter.jpg"}],
        "publish": "now",
    }
    response = client.post("/api/v1/announcements", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "scheduled"
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    shown = client.get(f"/api/v1/announcements/{created['id']}", headers=headers).get_json()
    assert shown["status"] == "done"
    by_account = {t["channel_account_id"]: t for t in shown["targets"]}
    assert {t["status"] for t in by_account.values()} == {"published"}
    ig_post = FakeConnector.posts[ig.external_id][0]["request"]
    assert ig_post.text == "IG 전용" and len(ig_post.image_urls) == 1
    fb_post = FakeConnector.posts[fb.external_id][0]["request"]
    assert fb_post.text == "겨울 한정 홍삼 세트 출시 #홍삼\n\nhttps://shop.example/winter"
    image = client.get(ig_post.image_urls[0].split("127.0.0.1:5000")[-1])  # public, no auth
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    factory.inbound(
        fb,
        "세트 구성이 궁금해요",
        kind=ConversationKind.COMMENT,
        thread=by_account[fb.id]["external_id"],
    )
    shown = client.get(f"/api/v1/announcements/{created['id']}", headers=headers).get_json()
    assert [c["channel_account_id"] for c in shown["comments"]] == [fb.id]
    listed = client.get("/api/v1/announcements?status=done", headers=headers).get_json()
    assert [a["id"] for a in listed["data"]] == [created["id"]]


def test_schedule_in_the_marketers_zone(client: Any, factory: Any) -> None:
    fb = factory.account("facebook")
    body = {
        "text": "새해 인사",
        "targets": [{"channel_account_id": fb.id}],
        "publish": "schedule",
        "scheduled_at": "2031-01-01T09:00",
        "timezone": "Asia/Seoul",
    }
    response = client.post("/api/v1/announcements", json=body, headers=auth(factory, "admin"))
    assert response.status_code == 201
    assert response.get_json()["scheduled_at"] == "2031-01-01T00:00:00Z"


def test_openapi_lists_announcements(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/announcements"])
    assert "Announcement" in spec["components"]["schemas"]
