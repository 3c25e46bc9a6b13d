"""Waiting requests stay inside their pools, with caps per client and per address (issue 13 §1).

Served by werkzeug's threaded server, as `switchboard demo` does; the gunicorn side is
tests/security/test_streams_production.py.
"""

from __future__ import annotations

import re
import threading
import uuid

import pytest
import requests
from prometheus_client import REGISTRY

from tests.support.production import wait_for
from tests.support.servers import serve_wsgi
from tests.web.chat.support import WIDGET, widget_account
from tests.web.ui.conftest import PASSWORD


@pytest.fixture
def settings_overrides():
    return {
        "CHAT_POLL_SLOTS": "10",
        "CHAT_POLLS_PER_SESSION": "1",
        "CHAT_POLLS_PER_IP": "2",
        "LIVE_STREAM_SLOTS": "10",
        "LIVE_STREAMS_PER_AGENT": "1",
        "SWITCHBOARD_SSE_KEEPALIVE_SECONDS": "0.2",
        # A stream admitted by mistake must end the test quickly, not after the default 300 s.
        "SWITCHBOARD_SSE_LIFETIME_SECONDS": "20",
    }


@pytest.fixture
def server(app):
    with serve_wsgi(app) as base:
        yield base


def _session(base: str) -> str:
    answer = requests.post(f"{base}/chat/{WIDGET}/session", json={}, timeout=10)
    assert answer.status_code == 200
    return answer.json()["token"]


def _poll(base: str, token: str, wait: int = 25) -> requests.Response:
    return requests.get(
        f"{base}/chat/{WIDGET}/messages?after=0&wait={wait}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def _send(base: str, token: str, text: str) -> None:
    answer = requests.post(
        f"{base}/chat/{WIDGET}/messages",
        json={"client_msg_id": f"m-{uuid.uuid4()}", "text": text},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


def _in_background(call, out: list) -> threading.Thread:
    thread = threading.Thread(target=lambda: out.append(call()), daemon=True)
    thread.start()
    return thread


def _waiting() -> float:
    return REGISTRY.get_sample_value("switchboard_waiting_requests", {"pool": "chat_polls"}) or 0


def test_long_polls_are_capped_per_session_and_per_address(app, server, factory):
    widget_account(factory, self_service=False)
    pool = app.extensions["switchboard.streams"].chat_polls
    one, two, three = _session(server), _session(server), _session(server)
    waiting_before = _waiting()
    done: list[requests.Response] = []
    _in_background(lambda: _poll(server, one), done)
    wait_for(lambda: pool.busy == 1, 30, "the first long-poll waiting")

    refused = {"pool": "chat_polls", "cap": "client"}
    before = REGISTRY.get_sample_value("switchboard_waiting_refused_total", refused) or 0
    second_tab = _poll(server, one)  # the same session again: over its cap of 1
    assert second_tab.status_code == 429
    assert REGISTRY.get_sample_value("switchboard_waiting_refused_total", refused) == before + 1
    assert second_tab.json()["error"] == "busy"
    assert int(second_tab.headers["Retry-After"]) > 0

    _in_background(lambda: _poll(server, two), done)
    wait_for(lambda: pool.busy == 2, 30, "the second session waiting")
    assert _waiting() == waiting_before + 2  # /metrics shows the pool's use
    third = _poll(server, three)  # a third session from the same address: over its cap of 2
    assert third.status_code == 429 and third.json()["error"] == "busy"
    assert _poll(server, three, wait=0).status_code == 200  # a poll that does not wait is fine

    # A waiting poll answered gives its slot back: the session may wait again.
    _send(server, one, "hello")
    wait_for(lambda: len(done) == 1 and pool.busy == 1, 30, "the first poll answered")
    assert done[0].status_code == 200
    _in_background(lambda: _poll(server, three), done)
    wait_for(lambda: pool.busy == 2, 30, "the third session admitted")
    _send(server, two, "bye")
    _send(server, three, "bye")
    wait_for(lambda: pool.busy == 0, 30, "every poll answered")


def _agent(base: str) -> requests.Session:
    agent = requests.Session()
    page = agent.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = agent.post(
        base + "/login",
        data={"email": "mina@example.test", "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return agent


def test_live_streams_are_capped_per_agent_and_a_full_pool_says_retry(app, server, factory):
    account = factory.account(external_id="page-1")
    factory.user("agent", email="mina@example.test", password=PASSWORD, inboxes=[account.id])
    pool = app.extensions["switchboard.streams"].live
    agent = _agent(server)
    first = agent.get(server + "/live/stream", stream=True, timeout=30)
    # Keep the line iterator: dropping it closes urllib3's chunked reader and with it the
    # connection, so the server would free the first slot before the second request arrives.
    first_lines = first.iter_lines(decode_unicode=True)
    assert next(first_lines) == "retry: 2000"
    assert pool.busy == 1

    second = agent.get(server + "/live/stream", stream=True, timeout=30)
    assert second.status_code == 200  # EventSource would give up for good on an error status
    lines = second.iter_lines(decode_unicode=True)
    head = [next(lines), next(lines), next(lines), next(lines)]
    second.close()
    assert head == ["retry: 10000", "", "event: busy", "data: {}"], (head, pool.busy)

    first.close()  # the tab closes: the next keep-alive finds no reader, the slot is freed
    wait_for(lambda: pool.busy == 0, 30, "the closed stream's slot back")
    third = agent.get(server + "/live/stream", stream=True, timeout=30)
    assert next(third.iter_lines(decode_unicode=True)) == "retry: 2000"
    third.close()
