"""Issue 14 against the Meta sandbox over loopback, through the API and the real send job.

"Accept, then time out": the sandbox performs the send, then holds its answer longer than our
HTTP timeout. The customer must get the message exactly once, and the reply must end `sent`
with the platform's id, found by asking Graph (or by the echo) instead of sending again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from inbox.models import Conversation
from switchboard.runtime import Runtime
from tests.connectors.facebook.sandbox_support import PAGE, Sandbox, _forget_usage, sandbox
from tests.connectors.facebook.test_flow import World
from tests.support.production import wait_for
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import PASSWORD, csrf_of

__all__ = ["_forget_usage", "sandbox"]
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def settings_overrides(sandbox: Sandbox) -> dict[str, str]:
    # One second is our patience; the sandbox's faults hold their answer for three.
    return sandbox.settings(META_VERIFY_TOKEN="verify-me", META_HTTP_TIMEOUT="1")


@pytest.fixture
def world(rt: Runtime, app: Any, client: Any, factory: Any, sandbox: Sandbox) -> Iterator[World]:
    w = World(rt, sandbox, client, factory)
    agent = factory.user("agent", inboxes=[w.page.id, w.ig.id], email="rely-agent@example.test")
    w.auth = {"Authorization": f"Bearer {factory.token(agent)}"}
    w.agent_email = agent.email  # type: ignore[attr-defined]
    w.rt_app = app  # type: ignore[attr-defined]
    with serve_wsgi(app) as url:
        sandbox.emu("webhooks/config", url=f"{url}/webhooks/meta")
        yield w


def page_messages(sandbox: Sandbox, customer: str) -> list[dict[str, Any]]:
    """What the customer's thread holds on the platform, ours and theirs."""
    (thread,) = [t for t in sandbox.app_threads() if t["customer_id"] == customer]
    return list(thread["messages"])


def _threads(self: Sandbox) -> list[dict[str, Any]]:
    return list(self.http.get(f"{self.url}/_emu/threads", timeout=30).json()["dms"])


Sandbox.app_threads = _threads  # type: ignore[attr-defined]


def signed_in(world: World) -> Any:
    """A browser-like client signed in through the login form, as the thread's agent."""
    browser = world.rt_app.test_client()  # type: ignore[attr-defined]
    token = csrf_of(browser.get("/login").get_data(as_text=True))
    browser.post(
        "/login",
        data={"email": world.agent_email, "password": PASSWORD, "csrf_token": token},  # type: ignore[attr-defined]
    )
    return browser


def settle_reply(world: World, conversation_id: int) -> None:
    """Run jobs until the newest reply is out of pending/sending (retries are scheduled)."""

    def done() -> bool:
        world.settle()
        return world.messages(conversation_id)[-1].status not in ("pending", "sending")

    wait_for(done, timeout=60, what="the reply's outcome")
    world.settle()


def dm_conversation(world: World, text: str = "주문 취소 가능할까요?") -> tuple[Conversation, str]:
    made = world.sandbox.emu("customers/dm", text=text)
    world.settle()
    return world.conversation(world.page, made["customer_id"]), made["customer_id"]


@BOTH
@pytest.mark.parametrize("echo", ["none", "now"], ids=["found-by-lookup", "found-by-echo"])
def test_dm_accepted_then_timed_out_reaches_the_customer_once(world: World, echo: str) -> None:
    conversation, customer = dm_conversation(world)
    world.sandbox.emu("webhooks/config", echo_mode=echo)
    world.sandbox.emu("fault", mode="timeout", path_contains="/messages", hang_seconds=3)
    world.sandbox.clear_requests()
    assert world.reply(conversation.id, "네, 바로 취소해 드릴게요.").status_code == 201
    settle_reply(world, conversation.id)

    ours = [m for m in page_messages(world.sandbox, customer) if m["ours"]]
    assert [m["text"] for m in ours] == ["네, 바로 취소해 드릴게요."]  # once, not twice
    (_, reply) = world.messages(conversation.id)
    assert reply.status in ("sent", "delivered"), reply.failure_reason
    assert reply.external_id == ours[0]["id"]
    assert len(world.sandbox.requests(path="messages", method="POST")) == 1
    if echo == "none":  # nothing came back by itself: the job asked Graph
        (lookup,) = world.sandbox.requests(path="conversations", method="GET")
        assert lookup["query"]["user_id"] == customer


@BOTH
def test_dm_refused_with_5xx_is_looked_for_then_sent_once(world: World) -> None:
    """A 500 that did NOT post: the lookup finds nothing, so the job sends again, once."""
    conversation, customer = dm_conversation(world)
    world.sandbox.emu("webhooks/config", echo_mode="none")
    world.sandbox.emu("fault", mode="5xx", path_contains="/messages", accept=False)
    world.sandbox.clear_requests()
    assert world.reply(conversation.id, "확인했습니다.").status_code == 201
    settle_reply(world, conversation.id)
    ours = [m for m in page_messages(world.sandbox, customer) if m["ours"]]
    assert [m["text"] for m in ours] == ["확인했습니다."]
    (_, reply) = world.messages(conversation.id)
    assert (reply.status, reply.external_id) == ("sent", ours[0]["id"])
    assert len(world.sandbox.requests(path="messages", method="POST")) == 2


@BOTH
def test_dm_accepted_then_5xx_is_not_sent_twice(world: World) -> None:
    conversation, customer = dm_conversation(world)
    world.sandbox.emu("webhooks/config", echo_mode="none")
    world.sandbox.emu("fault", mode="5xx", path_contains="/messages", accept=True)
    assert world.reply(conversation.id, "처리 완료!").status_code == 201
    settle_reply(world, conversation.id)
    ours = [m for m in page_messages(world.sandbox, customer) if m["ours"]]
    assert [m["text"] for m in ours] == ["처리 완료!"]
    (_, reply) = world.messages(conversation.id)
    assert (reply.status, reply.external_id) == ("sent", ours[0]["id"])


def test_a_known_earlier_reply_with_the_same_text_is_not_mistaken_for_this_one(
    world: World,
) -> None:
    """The agent sent "감사합니다" a minute ago; this one timed out before Graph got it."""
    conversation, customer = dm_conversation(world)
    world.sandbox.emu("webhooks/config", echo_mode="none")
    assert world.reply(conversation.id, "감사합니다").status_code == 201
    world.settle()
    world.sandbox.emu("fault", mode="5xx", path_contains="/messages", accept=False)
    assert world.reply(conversation.id, "감사합니다").status_code == 201
    settle_reply(world, conversation.id)
    ours = [m for m in page_messages(world.sandbox, customer) if m["ours"]]
    assert [m["text"] for m in ours] == ["감사합니다", "감사합니다"]
    (_, first, second) = world.messages(conversation.id)
    assert {first.external_id, second.external_id} == {m["id"] for m in ours}


@BOTH
def test_comment_reply_accepted_then_timed_out_is_posted_once(world: World) -> None:
    made = world.sandbox.emu("customers/comment", platform="facebook", text="재입고 언제요?")
    world.settle()
    conversation = world.conversation(world.page, made["customer_id"])
    world.sandbox.emu("webhooks/config", echo_mode="none")
    world.sandbox.emu("fault", mode="timeout", path_contains="/comments", hang_seconds=3)
    assert world.reply(conversation.id, "다음 주 월요일 입고됩니다!").status_code == 201
    settle_reply(world, conversation.id)
    posts = world.sandbox.http.get(f"{world.sandbox.url}/_emu/threads", timeout=30).json()
    (post,) = [p for p in posts["posts"] if p["id"] == made["post_id"]]
    ours = [c for c in post["comments"] if c["ours"]]
    assert [c["text"] for c in ours] == ["다음 주 월요일 입고됩니다!"]
    reply = world.messages(conversation.id)[-1]
    assert (reply.status, reply.external_id) == ("sent", ours[0]["id"])


def test_instagram_mention_reply_that_cannot_be_checked_is_unknown_not_resent(
    world: World,
) -> None:
    """No way to look an IG mention reply up: "unknown — check", shown in API and thread."""
    made = world.sandbox.emu("customers/mention", text="@seoul_supps_official 추천해주세요")
    world.settle()
    conversation = world.conversation(world.ig, made["customer_id"])
    world.sandbox.emu("fault", mode="timeout", path_contains="/mentions", hang_seconds=3)
    assert world.reply(conversation.id, "오메가3를 추천드려요!").status_code == 201
    settle_reply(world, conversation.id)
    assert len(world.sandbox.requests(path="mentions", method="POST")) == 1
    reply = world.messages(conversation.id)[-1]
    assert reply.status == "unknown"
    assert "check the channel" in (reply.failure_reason or "")
    shown = world.client.get(
        f"/api/v1/conversations/{conversation.id}/messages", headers=world.auth
    ).get_json()["data"]
    assert shown[-1]["status"] == "unknown"
    html = signed_in(world).get(f"/inbox/c/{conversation.id}").get_data(as_text=True)
    assert 'data-delivery="unknown"' in html and "확인 필요" in html  # the agent reads Korean


@BOTH
def test_window_closed_by_meta_closes_the_reply_window(world: World) -> None:
    """10/2018278 on send: failed as window_closed, and the conversation shows it closed."""
    conversation, _ = dm_conversation(world)
    world.sandbox.emu(
        "fail",
        code=10,
        subcode=2018278,
        message="(#10) This message is sent outside of allowed window.",
        path_contains="/messages",
    )
    assert world.reply(conversation.id, "늦은 답변입니다").status_code == 201
    settle_reply(world, conversation.id)
    reply = world.messages(conversation.id)[-1]
    assert reply.status == "failed"
    assert (reply.failure_reason or "").startswith("window_closed")
    shown = world.client.get(f"/api/v1/conversations/{conversation.id}", headers=world.auth)
    window = shown.get_json()["reply_window"]
    assert window["open"] is False and "window has closed" in window["reason"]
    refused = world.reply(conversation.id, "한 번 더")
    assert refused.status_code == 422  # refused before storing, with the reason
    html = signed_in(world).get(f"/inbox/c/{conversation.id}").get_data(as_text=True)
    assert 'data-window-open="false"' in html and "window has closed" in html
    world.sandbox.emu("clock", advance_seconds=60)  # the customer writes again, later
    world.sandbox.emu("customers/dm", text="아직 계세요?", customer_id=conversation.participant_key)
    world.settle()
    reopened = world.client.get(f"/api/v1/conversations/{conversation.id}", headers=world.auth)
    assert reopened.get_json()["reply_window"]["open"] is True


def test_page_is_named_in_the_pause_scopes(world: World) -> None:
    from connectors.facebook import FacebookConnector

    connector = world.rt.connector_by_slug("facebook")
    assert isinstance(connector, FacebookConnector)
    config = world.rt.account_config(world.account(world.page.id))
    assert f"meta:account:{PAGE}" in connector.pause_scopes(config, "send")
