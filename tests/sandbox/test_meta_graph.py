"""The Meta sandbox's Graph surface: tokens, proofs, window rules, errors, usage, paging."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox.meta import create_app
from tests.support.servers import serve_wsgi

SECRET = "graph-test-secret"
TOKEN = "sandbox-page-token"
PAGE = "104857600012345"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Graph:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def get(
        self, path: str, headers: dict[str, str] | None = None, **params: Any
    ) -> requests.Response:
        return self.http.get(
            f"{self.url}/v23.0/{path}",
            params=params,
            headers=AUTH if headers is None else headers,
            timeout=10,
        )

    def post(self, path: str, **body: Any) -> requests.Response:
        return self.http.post(f"{self.url}/v23.0/{path}", json=body, headers=AUTH, timeout=10)

    def emu(self, path: str, **body: Any) -> Any:
        return self.http.post(f"{self.url}/_emu/{path}", json=body, timeout=10).json()

    def send(self, customer: str, **extra: Any) -> requests.Response:
        return self.post(
            f"{PAGE}/messages",
            recipient={"id": customer},
            message={"text": "안녕하세요"},
            **{"messaging_type": "RESPONSE", **extra},
        )


@pytest.fixture
def graph() -> Iterator[Graph]:
    with serve_wsgi(create_app({"APP_SECRET": SECRET})) as url:
        yield Graph(url)


def error_of(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert {"message", "type", "code", "fbtrace_id"} <= set(body["error"])
    return dict(body["error"])


def test_usage_headers_on_every_response(graph: Graph) -> None:
    for response in (graph.get("me"), graph.get("me", headers={"Authorization": "Bearer nope"})):
        assert json.loads(response.headers["X-App-Usage"])["call_count"] >= 0
        assert json.loads(response.headers["X-Page-Usage"])["call_count"] >= 0
        buc = json.loads(response.headers["X-Business-Use-Case-Usage"])
        assert buc[PAGE][0]["type"] == "pages"


def test_any_recent_version_and_token_placements(graph: Graph) -> None:
    assert graph.http.get(f"{graph.url}/v19.0/me", headers=AUTH, timeout=5).json()["id"] == PAGE
    assert graph.http.get(f"{graph.url}/v23.0/me", params={"access_token": TOKEN}, timeout=5).ok
    form = graph.http.post(
        f"{graph.url}/v23.0/{PAGE}/feed",
        data={"access_token": TOKEN, "message": "폼 게시물"},
        timeout=5,
    )
    assert form.ok and form.json()["id"].startswith(f"{PAGE}_")


def test_tokens(graph: Graph) -> None:
    assert error_of(graph.get("me", headers={"Authorization": "Bearer wrong"}))["code"] == 190
    assert error_of(graph.get("me", headers={}))["code"] == 2500
    graph.emu("tokens/revoke", subcode=463)
    revoked = error_of(graph.get("me"))
    assert (revoked["code"], revoked["error_subcode"]) == (190, 463)
    graph.emu("tokens/restore")
    assert graph.get("me").ok


def test_appsecret_proof(graph: Graph) -> None:
    good = hmac.new(SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    assert graph.get("me", appsecret_proof=good).ok
    assert error_of(graph.get("me", appsecret_proof="0" * 64))["code"] == 100


def test_appsecret_proof_can_be_required() -> None:
    with serve_wsgi(create_app({"APP_SECRET": SECRET, "REQUIRE_APPSECRET_PROOF": True})) as url:
        response = requests.get(f"{url}/v23.0/me", headers=AUTH, timeout=5)
        assert "appsecret_proof" in error_of(response)["message"]


def test_24_hour_and_human_agent_windows(graph: Graph) -> None:
    customer = graph.emu("customers/dm", text="문의", deliver="none")["customer_id"]
    assert graph.send(customer).ok
    graph.emu("clock", advance_hours=25)
    late = error_of(graph.send(customer))
    assert (late["code"], late["error_subcode"]) == (10, 2018278)
    assert graph.send(customer, messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT").ok
    graph.emu("clock", advance_hours=24 * 6)
    too_late = error_of(graph.send(customer, messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT"))
    assert (too_late["code"], too_late["error_subcode"]) == (10, 2018278)


def test_unknown_recipient_and_form_encoded_send(graph: Graph) -> None:
    assert error_of(graph.send("123"))["error_subcode"] == 2018001
    customer = graph.emu("customers/dm", text="문의", deliver="none")["customer_id"]
    form = graph.http.post(
        f"{graph.url}/v23.0/me/messages",
        data={
            "access_token": TOKEN,
            "recipient": json.dumps({"id": customer}),
            "message": json.dumps({"text": "폼으로 보냄"}),
            "messaging_type": "RESPONSE",
        },
        timeout=5,
    )
    assert set(form.json()) == {"recipient_id", "message_id"}


def test_private_reply_once_per_comment(graph: Graph) -> None:
    comment = graph.emu("customers/comment", platform="facebook", text="가격?", deliver="none")
    body = {"recipient": {"comment_id": comment["comment_id"]}, "message": {"text": "DM 드려요"}}
    assert graph.post(f"{PAGE}/messages", **body).ok
    assert error_of(graph.post(f"{PAGE}/messages", **body))["code"] == 10900


def test_forced_rate_limit_reports_full_usage(graph: Graph) -> None:
    graph.emu("rate_limit", code=80002, regain_minutes=4, count=1)
    response = graph.get("me")
    assert error_of(response)["code"] == 80002
    buc = json.loads(response.headers["X-Business-Use-Case-Usage"])[PAGE][0]
    assert (buc["call_count"], buc["estimated_time_to_regain_access"]) == (100.0, 4.0)
    assert graph.get("me").ok  # count=1: only the next call


def test_comment_paging_has_no_next_on_the_last_page(graph: Graph) -> None:
    post = None
    for n in range(5):
        post = graph.emu(
            "customers/comment", platform="facebook", text=f"댓글 {n}", deliver="none"
        )["post_id"]
    first = graph.get(f"{post}/comments", limit=3).json()
    assert len(first["data"]) == 3 and first["paging"]["next"].startswith(graph.url)
    second = graph.http.get(first["paging"]["next"], headers=AUTH, timeout=5).json()
    assert [c["message"] for c in second["data"]] == ["댓글 3", "댓글 4"]
    assert "next" not in second["paging"] and "previous" in second["paging"]


def test_hidden_and_deleted_comments(graph: Graph) -> None:
    made = graph.emu("customers/comment", platform="facebook", text="spam", deliver="none")
    assert graph.post(made["comment_id"], is_hidden=True).json() == {"success": True}
    assert graph.get(made["comment_id"]).json()["is_hidden"] is True
    graph.http.delete(f"{graph.url}/v23.0/{made['comment_id']}", headers=AUTH, timeout=5)
    assert error_of(graph.get(made["comment_id"]))["code"] == 100


def test_ig_container_flow(graph: Graph) -> None:
    ig = "17841400000012345"
    assert error_of(graph.post(f"{ig}/media", caption="no image"))["code"] == 100
    assert (
        error_of(graph.post(f"{ig}/media", image_url="https://c/1.jpg", caption="x" * 2201))["code"]
        == 100
    )
    container = graph.post(f"{ig}/media", image_url="https://c/1.jpg", caption="신상").json()["id"]
    early = graph.post(f"{ig}/media_publish", creation_id=container)
    assert error_of(early)["code"] == 9007
    statuses = [graph.get(container, fields="status_code").json()["status_code"] for _ in range(3)]
    assert statuses == ["IN_PROGRESS", "FINISHED", "FINISHED"]
    media = graph.post(f"{ig}/media_publish", creation_id=container).json()["id"]
    assert graph.get(container, fields="status_code").json()["status_code"] == "PUBLISHED"
    assert (
        graph.get(media, fields="permalink")
        .json()["permalink"]
        .startswith("https://www.instagram.com/")
    )


def test_requests_are_logged_as_received(graph: Graph) -> None:
    graph.post(f"{PAGE}/feed", message="로그")
    (logged,) = graph.http.get(
        f"{graph.url}/_emu/requests", params={"method": "POST"}, timeout=5
    ).json()
    assert (logged["path"], logged["json"], logged["token"]) == (
        f"/{PAGE}/feed",
        {"message": "로그"},
        TOKEN,
    )


def test_simulator_page_renders_text_safely(graph: Graph) -> None:
    page = graph.http.get(f"{graph.url}/simulator", timeout=5)
    assert page.ok and "Write as a customer" in page.text
    assert "textContent" in page.text and "innerHTML =" not in page.text
    graph.emu("customers/dm", text="<script>alert(1)</script>", deliver="none")
    state = graph.http.get(f"{graph.url}/_emu/threads", timeout=5).json()
    assert state["dms"][0]["messages"][0]["text"] == "<script>alert(1)</script>"
