"""The Meta sandbox's webhook driver: signed, ASCII-escaped, batched, retried, redelivered."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, Response, request

from connectors.facebook import FacebookConnector
from sandbox.meta import create_app
from tests.support.servers import serve_wsgi

SECRET = "webhook-test-secret"


class Receiver:
    """A stand-in app: records every delivery; answers with queued statuses, then 200."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.gets: list[dict[str, str]] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        self.app = Flask("receiver")
        self.app.add_url_rule("/hook", "hook", self.hook, methods=["GET", "POST"])

    def hook(self) -> Response:
        if request.method == "GET":
            self.gets.append(request.args.to_dict())
            return Response(request.args.get("hub.challenge", ""), mimetype="text/plain")
        with self.lock:
            self.posts.append({"headers": dict(request.headers), "body": request.get_data()})
            status = self.statuses.pop(0) if self.statuses else 200
        return Response("ok", status=status)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    r = Receiver()
    with serve_wsgi(r.app) as url:
        yield r, f"{url}/hook"


@pytest.fixture
def emu(receiver: tuple[Receiver, str]) -> Iterator[Any]:
    app = create_app({"APP_SECRET": SECRET, "WEBHOOK_URL": receiver[1], "WEBHOOK_RETRY_DELAY": 0})
    with serve_wsgi(app) as url:
        session = requests.Session()

        def call(path: str, **body: Any) -> Any:
            response = session.post(f"{url}/{path}", json=body, timeout=30)
            response.raise_for_status()
            return response.json()

        call.url = url  # type: ignore[attr-defined]
        yield call


def test_dm_is_delivered_signed_over_ascii_escaped_bytes(
    receiver: tuple[Receiver, str], emu: Any
) -> None:
    r, _ = receiver
    made = emu(
        "_emu/customers/dm",
        platform="messenger",
        text="배송 언제 되나요?",
        customer_id="7316448201953377",
    )
    (post,) = r.posts
    body: bytes = post["body"]
    assert body.isascii() and b"\\ubc30\\uc1a1" in body
    connector = FacebookConnector({"META_APP_SECRET": SECRET})
    connector.verify(post["headers"], body)
    (event,) = connector.parse(post["headers"], body)
    assert (event.external_id, event.text, event.thread_key) == (
        made["mid"],
        "배송 언제 되나요?",
        "7316448201953377",
    )
    doc = json.loads(body)
    assert doc["entry"][0]["time"] > 10**12  # messaging entry.time in milliseconds


def test_held_events_flush_as_one_batched_delivery(
    receiver: tuple[Receiver, str], emu: Any
) -> None:
    r, _ = receiver
    emu("_emu/customers/dm", text="하나", customer_id="1", deliver="hold")
    emu("_emu/customers/dm", text="둘", customer_id="2", deliver="hold")
    emu("_emu/customers/comment", platform="facebook", text="셋", customer_id="3", deliver="hold")
    assert r.posts == []
    emu("_emu/webhooks/flush")
    (post,) = r.posts
    doc = json.loads(post["body"])
    assert [list(e) for e in doc["entry"]] == [
        ["id", "time", "messaging"],
        ["id", "time", "changes"],
    ]
    assert len(doc["entry"][0]["messaging"]) == 2
    assert doc["entry"][1]["time"] < 10**11  # changes entry.time in seconds
    events = FacebookConnector({"META_APP_SECRET": SECRET}).parse({}, post["body"])
    assert [e.text for e in events] == ["하나", "둘", "셋"]


def test_non_200_is_retried_and_redelivery_repeats_the_same_bytes(
    receiver: tuple[Receiver, str], emu: Any
) -> None:
    r, _ = receiver
    r.statuses = [500, 503]
    emu("_emu/customers/dm", text="재시도", customer_id="1")
    assert len(r.posts) == 3
    assert r.posts[0]["body"] == r.posts[2]["body"]
    log = requests.get(f"{emu.url}/_emu/webhooks", timeout=10).json()
    assert log[-1]["attempts"] == [500, 503, 200]
    emu("_emu/webhooks/redeliver", times=2)
    assert len(r.posts) == 5
    assert {p["body"] for p in r.posts} == {r.posts[0]["body"]}
    assert {p["headers"]["X-Hub-Signature-256"] for p in r.posts} == {
        r.posts[0]["headers"]["X-Hub-Signature-256"]
    }


def test_send_api_emits_echo_with_metadata_and_a_delivery_receipt(
    receiver: tuple[Receiver, str], emu: Any
) -> None:
    r, _ = receiver
    made = emu(
        "_emu/customers/dm", text="안녕하세요", customer_id="7316448201953377", deliver="none"
    )
    response = requests.post(
        f"{emu.url}/v23.0/me/messages",
        json={
            "recipient": {"id": made["customer_id"]},
            "messaging_type": "RESPONSE",
            "message": {"text": "네, 확인해 드릴게요", "metadata": "inbox:outbound:abc"},
        },
        headers={"Authorization": "Bearer sandbox-page-token"},
        timeout=10,
    ).json()
    emu("_emu/webhooks/drain")
    events = [
        e
        for p in r.posts
        for e in FacebookConnector({"META_APP_SECRET": SECRET}).parse({}, p["body"])
    ]
    echo, delivered = events
    assert (echo.kind.value, echo.external_id, echo.outbound_ref) == (
        "echo",
        response["message_id"],
        "abc",
    )
    assert echo.extra["app_id"] == "880011223344556"
    assert (delivered.kind.value, delivered.targets) == ("delivered", (response["message_id"],))


def test_other_customer_actions_produce_the_corpus_shapes(
    receiver: tuple[Receiver, str], emu: Any
) -> None:
    r, _ = receiver
    fb = FacebookConnector({"META_APP_SECRET": SECRET})
    comment = emu("_emu/customers/comment", platform="facebook", text="원문", customer_id="9")
    emu("_emu/customers/edit", comment_id=comment["comment_id"], text="수정됨")
    emu("_emu/customers/remove", comment_id=comment["comment_id"])
    dm = emu("_emu/customers/dm", platform="instagram", text="삭제할 메시지", customer_id="5")
    emu("_emu/customers/unsend", mid=dm["mid"])
    emu("_emu/customers/read", customer_id="5", platform="instagram")
    emu("_emu/customers/mention", username="daily_health_kr")
    kinds = [(e.kind.value, e.channel) for p in r.posts for e in fb.parse({}, p["body"])]
    assert kinds == [
        ("message", "facebook"),
        ("edited", "facebook"),
        ("deleted", "facebook"),
        ("message", "instagram"),
        ("deleted", "instagram"),
        ("read", "instagram"),
        ("message", "instagram"),
    ]


def test_subscription_handshake_driver(receiver: tuple[Receiver, str], emu: Any) -> None:
    r, _ = receiver
    result = emu("_emu/webhooks/verify", verify_token="tok", challenge="424242")
    assert result["ok"] is True
    assert r.gets == [
        {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "424242"}
    ]
