"""Long-polls and live streams cannot stall the web tier (issue 13 §1).

The real `switchboard web` (gunicorn, PostgreSQL, Redis) with fewer request threads than the
waiting requests opened against it: /healthz and a signed webhook must still be answered while
the admitted long-polls are still waiting.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
import requests

from connectors._meta.webhook import sign
from tests.conftest import ENCRYPTION_KEY, REDIS_TEST_URL, _truncate_all
from tests.support.production import wait_for
from tests.support.servers import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
BIN = Path(sys.executable).parent
WIDGET = "widget-prod"
THREADS = 6
LONG_POLLS = 10
SSE_STREAMS = 4  # 14 waiting requests against 6 threads


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([BIN / "switchboard", *args], env=env, check=True, capture_output=True)


@pytest.fixture
def web(pg_url, tmp_path):
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": REDIS_TEST_URL,
        "SECRET_KEY": "prod-test",
        "SWITCHBOARD_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SWITCHBOARD_INSTANCE": str(tmp_path),
        "SWITCHBOARD_DOTENV": str(tmp_path / "none"),
        "META_APP_SECRET": "meta-app-secret",
        "WEB_THREADS": str(THREADS),
        "CHAT_POLL_SLOTS": "2",
        "LIVE_STREAM_SLOTS": "2",
        # Only the process-wide pools bite here (the many-addresses case); the per-client
        # caps have their own tests.
        "CHAT_POLLS_PER_IP": "100",
        "CHAT_POLLS_PER_SESSION": "100",
        "LIVE_STREAMS_PER_AGENT": "100",
        "RATE_LIMIT_CHAT_SESSIONS": "",
    }
    _run(env, "channel", "add", "webchat", "--name", "Chat", "--external-id", WIDGET)
    _run(env, "user", "create", "boss@example.test", "--role", "admin", "--password", "pw-" * 4)
    port = free_port()
    proc = subprocess.Popen(
        [BIN / "switchboard", "web", "--port", str(port), "--workers", "1"],
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(base + "/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(up, 60, "switchboard web")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # a graceful stop would wait for the long-polls
        proc.wait(timeout=30)
        _truncate_all(pg_url)


def _signed_in(base: str) -> requests.Session:
    agent = requests.Session()
    page = agent.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = agent.post(
        base + "/login",
        data={"email": "boss@example.test", "password": "pw-" * 4, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    return agent


def test_healthz_and_webhooks_answer_while_more_requests_wait_than_there_are_threads(web):
    base = web
    tokens = [
        requests.post(f"{base}/chat/{WIDGET}/session", json={}, timeout=10).json()["token"]
        for _ in range(LONG_POLLS)
    ]
    agent = _signed_in(base)
    polls: list[int] = []
    streams: list[str] = []
    lock = threading.Lock()

    def long_poll(token: str) -> None:
        try:
            answer = requests.get(
                f"{base}/chat/{WIDGET}/messages?after=0&wait=25",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            with lock:
                polls.append(answer.status_code)
        except requests.RequestException:
            pass  # the server is stopped under the admitted ones at the end

    def live() -> None:
        try:
            with agent.get(base + "/live/stream", stream=True, timeout=60) as answer:
                # One iterator for the whole stream: a dropped one closes the connection.
                lines = answer.iter_lines(decode_unicode=True)
                first = next(lines)
                with lock:
                    streams.append(first)
                for _ in lines:
                    pass
        except requests.RequestException:
            pass

    workers = [threading.Thread(target=long_poll, args=(t,), daemon=True) for t in tokens]
    workers += [threading.Thread(target=live, daemon=True) for _ in range(SSE_STREAMS)]
    for worker in workers:
        worker.start()
    # Everything beyond the pools is answered at once: 8 long-polls get 429, 2 streams "retry".
    wait_for(lambda: len(polls) == LONG_POLLS - 2 and len(streams) == SSE_STREAMS, 60, "refusals")
    assert polls == [429] * (LONG_POLLS - 2)
    assert sorted(streams) == ["retry: 10000", "retry: 10000", "retry: 2000", "retry: 2000"]

    health = requests.get(base + "/healthz", timeout=60)
    body = json.dumps({"object": "page", "entry": []}).encode()
    hook = requests.post(
        base + "/webhooks/meta",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign("meta-app-secret", body),
        },
        timeout=60,
    )
    page = agent.get(base + "/", timeout=60)
    assert health.status_code == 200
    assert hook.status_code == 200
    assert page.status_code == 200
    # ... and they were answered while the two admitted long-polls were still waiting.
    with lock:
        assert len(polls) == LONG_POLLS - 2
