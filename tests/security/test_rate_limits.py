"""Rate limits on the public doors bite, answer in each door's error format, and reset
(issue 13 §6). Memory storage in the demo's embedded mode; Redis (shared by every web process,
under the deployment's prefix) in production."""

from __future__ import annotations

import json
import uuid

import pytest

from connectors._meta.webhook import sign
from tests.conftest import REDIS_TEST_URL
from tests.support.production import production, wait_for
from tests.web.chat.support import Visitor, widget_account
from tests.web.ui.conftest import PASSWORD, csrf_of


@pytest.fixture
def settings_overrides():
    return {
        "RATE_LIMIT_CHAT_MESSAGES": "3/2second",
        "RATE_LIMIT_CHAT_TYPING": "2/minute",
        "RATE_LIMIT_CHAT_SESSIONS": "3/minute",
        "RATE_LIMIT_LOGIN": "3/minute",
        "RATE_LIMIT_WEBHOOKS": "3/minute",
        "META_APP_SECRET": "meta-app-secret",
    }


def test_chat_messages_are_limited_per_session_and_the_limit_resets(client, factory):
    widget_account(factory, self_service=False)
    visitor, other = Visitor(client), Visitor(client)
    visitor.start()
    other.start()
    for n in range(3):
        assert visitor.send(f"메시지 {n}").status_code == 200
    refused = visitor.send("하나 더")
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["error"] == "rate_limited" and body["retry_after"] >= 1
    assert int(refused.headers["Retry-After"]) >= 1
    # A fresh token for the same session does not reset the count; another session is free.
    visitor.start(name="새 이름")
    assert visitor.send("토큰을 바꿔도").status_code == 429
    assert other.send("다른 방문자").status_code == 200
    # The window moves on: the session may write again (waiting for the outcome, not a time).
    wait_for(lambda: visitor.send(f"다시 {uuid.uuid4()}").status_code == 200, 30, "reset")


def test_a_refusal_in_the_windows_last_second_still_says_wait_a_second(app):
    """Flask-Limiter truncates the seconds left to 0 in a window's last second; "Retry-After: 0"
    would send the client straight back into the refusal (seen once in CI)."""
    from flask import Response

    with app.test_request_context("/"):
        refused = app.process_response(Response("", status=429, headers={"Retry-After": "0"}))
        passed = app.process_response(Response("", status=503, headers={"Retry-After": "0"}))
    assert refused.headers["Retry-After"] == "1"
    assert passed.headers["Retry-After"] == "0"  # only refusals are ours to correct


def test_typing_pings_are_limited_per_session(client, factory):
    widget_account(factory, self_service=False)
    visitor = Visitor(client)
    visitor.start()
    assert visitor.send("안녕하세요").status_code == 200
    codes = [
        client.post(visitor.url("/typing"), headers=visitor.headers()).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_new_chat_sessions_are_limited_per_address(client, factory):
    widget_account(factory)
    for _ in range(3):
        Visitor(client).start()
    refused = client.post("/chat/widget-main/session", json={})
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "rate_limited"
    # Another address (through a trusted proxy it would be the forwarded one) is not affected.
    other = client.post(
        "/chat/widget-main/session", json={}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other.status_code == 200


def test_sign_in_posts_are_limited_per_address(client, factory):
    factory.user("agent", email="mina@example.test", password=PASSWORD)
    token = csrf_of(client.get("/login").get_data(as_text=True))
    for n in range(3):  # different emails: the per-account throttle never sees two of one
        answer = client.post(
            "/login", data={"email": f"x{n}@example.test", "password": "no", "csrf_token": token}
        )
        assert answer.status_code == 401
    refused = client.post(
        "/login", data={"email": "mina@example.test", "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert "csrf_token" in refused.get_data(as_text=True)  # the form again, with a message


def test_forged_webhooks_are_limited_per_address_but_signed_deliveries_never(client):
    body = json.dumps({"object": "page", "entry": []}).encode()
    signed = {"X-Hub-Signature-256": sign("meta-app-secret", body)}
    forged = {"X-Hub-Signature-256": sign("guessed-secret", body)}
    # A platform's burst: far more than the limit, never limited (only refusals count).
    for _ in range(10):
        assert client.post("/webhooks/meta", data=body, headers=signed).status_code == 200
    for _ in range(3):
        assert client.post("/webhooks/meta", data=body, headers=forged).status_code == 403
    refused = client.post("/webhooks/meta", data=body, headers=forged)
    assert refused.status_code == 429  # the address sending forgeries waits out the window
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["status"] == 429
    assert int(refused.headers["Retry-After"]) >= 1
    # A signed delivery from that address is still taken: forgeries from an address the
    # platform shares (a NAT, a proxy) must not shut the platform out, and checking the
    # limit for every delivery would cost a Redis round trip on the acknowledgement path.
    assert client.post("/webhooks/meta", data=body, headers=signed).status_code == 200
    other = client.post(
        "/webhooks/meta", data=body, headers=forged, environ_base={"REMOTE_ADDR": "192.0.2.8"}
    )
    assert other.status_code == 403  # another address has its own count


@pytest.mark.postgres
@pytest.mark.redis
def test_production_counts_in_redis_under_the_prefix_for_every_process(pg_url, tmp_path):
    from web import create_app

    with production(pg_url, tmp_path, REDIS_TEST_URL, RATE_LIMIT_CHAT_SESSIONS="2/minute") as prod:
        from tests.support.factory import Factory

        Factory(prod.rt).account("webchat", connector="webchat", external_id="widget-main")
        one, two = create_app(prod.rt).test_client(), create_app(prod.rt).test_client()
        assert one.post("/chat/widget-main/session", json={}).status_code == 200
        assert two.post("/chat/widget-main/session", json={}).status_code == 200
        # A third from another "process" is over the shared count.
        assert one.post("/chat/widget-main/session", json={}).status_code == 429
        keys = [k.decode() for k in prod.redis.keys("*")]
        limiter_keys = [k for k in keys if "limits" in k]
        assert limiter_keys
        assert all(k.startswith(prod.rt.settings.redis_prefix) for k in limiter_keys)
