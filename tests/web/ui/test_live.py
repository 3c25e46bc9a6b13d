"""/live/stream over a real server: per-inbox filtering, in-process and over Redis pub/sub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import event

from inbox.models import User
from inbox.users import set_inboxes
from switchboard.runtime import Runtime
from tests.conftest import REDIS_TEST_URL
from tests.support.servers import serve_wsgi
from tests.web.ui.conftest import PASSWORD, csrf_of, inbound


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.redis)])
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, str]:
    extra = {"SWITCHBOARD_SSE_KEEPALIVE_SECONDS": "1"}
    if request.param == "redis":
        extra["REDIS_URL"] = REDIS_TEST_URL  # the bus only; jobs stay embedded
    return extra


@pytest.fixture
def base_url(app: Any) -> Iterator[str]:
    with serve_wsgi(app) as url:
        yield url


def signed_in(base_url: str, email: str) -> requests.Session:
    session = requests.Session()
    token = csrf_of(session.get(f"{base_url}/login").text)
    response = session.post(
        f"{base_url}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302
    return session


def events_until(lines: Iterator[str], conversation_id: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    for line in lines:
        if line.startswith("data: "):
            seen.append(json.loads(line[6:]))
            if seen[-1].get("conversation_id") == conversation_id:
                return seen
    raise AssertionError("stream ended early")


def test_stream_carries_only_the_agents_inboxes(
    base_url: str, rt: Runtime, team_setup: dict[str, Any], settings_overrides: dict[str, str]
) -> None:
    secret = inbound(rt, team_setup["a"], "A 인박스", customer="c1")
    outsider = signed_in(base_url, "joon@example.test")
    with outsider.get(f"{base_url}/live/stream", stream=True, timeout=(5, 15)) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        lines = response.iter_lines(decode_unicode=True)
        assert next(lines) == "retry: 2000"  # listening from here on
        inbound(rt, team_setup["a"], "A 인박스 두 번째", customer="c1")
        theirs = inbound(rt, team_setup["b"], "B 인박스", customer="c2")
        seen = events_until(lines, theirs.id)
    assert seen[-1]["topic"].startswith(("conversation.", "message."))
    if "REDIS_URL" not in settings_overrides:  # Redis pub/sub is shared with other test runs
        assert all(e["channel_account_id"] == team_setup["b"].id for e in seen)
        assert not any(e.get("conversation_id") == secret.id for e in seen)


def test_stream_needs_a_signed_in_agent(base_url: str, team_setup: dict[str, Any]) -> None:
    anonymous = requests.get(f"{base_url}/live/stream", allow_redirects=False, timeout=5)
    assert anonymous.status_code == 401


# The in-process bus only: Redis pub/sub is shared with other test runs, whose commits could
# arrive between ours (the Redis bus's batches are tested in tests/test_bus.py).
@pytest.mark.parametrize("settings_overrides", [{"SWITCHBOARD_SSE_KEEPALIVE_SECONDS": "1"}])
def test_a_commits_events_come_in_one_chunk_without_repeats(
    base_url: str, rt: Runtime, team_setup: dict[str, Any], settings_overrides: dict[str, str]
) -> None:
    """Issue 12 (`thru`): a commit's events are written together, an identical line once."""
    admin = signed_in(base_url, "admin@example.test")
    account_id = team_setup["a"].id
    event = {
        "topic": "conversation.updated",
        "conversation_id": 1,
        "channel_account_id": account_id,
    }
    other = {**event, "conversation_id": 2}
    with admin.get(f"{base_url}/live/stream", stream=True, timeout=(5, 15)) as response:
        chunks = response.iter_content(chunk_size=None, decode_unicode=True)
        assert next(chunks) == "retry: 2000\n\n"
        rt.bus.publish([event, other, dict(event)])
        chunk = next(c for c in chunks if not c.startswith(":"))
    sent = [json.loads(line[6:]) for line in chunk.split("\n\n") if line.startswith("data: ")]
    assert [e["conversation_id"] for e in sent] == [1, 2]


@pytest.mark.parametrize("settings_overrides", [{"SWITCHBOARD_SSE_KEEPALIVE_SECONDS": "1"}])
def test_an_agent_removed_from_an_inbox_stops_hearing_of_it_inside_an_open_stream(
    base_url: str, rt: Runtime, team_setup: dict[str, Any], settings_overrides: dict[str, str]
) -> None:
    """The stream used to keep the inbox set it opened with for its whole lifetime (five
    minutes by default): the removal's `user.access` event makes it read the set again."""
    a, b = team_setup["a"], team_setup["b"]
    agent_id = team_setup["agent"].id

    def member_of(*inboxes: int) -> None:
        with rt.db.session() as s:
            agent = s.get(User, agent_id)
            assert agent is not None
            set_inboxes(s, agent, set(inboxes))

    member_of(a.id, b.id)
    mina = signed_in(base_url, "mina@example.test")
    with mina.get(f"{base_url}/live/stream", stream=True, timeout=(5, 15)) as response:
        lines = response.iter_lines(decode_unicode=True)
        assert next(lines) == "retry: 2000"
        heard = inbound(rt, a, "A 인박스", customer="c1")
        events_until(lines, heard.id)  # inbox A is hers
        member_of(b.id)
        hidden = inbound(rt, a, "A 인박스, 이제 남의 것", customer="c3")
        theirs = inbound(rt, b, "B 인박스", customer="c2")
        seen = events_until(lines, theirs.id)
    assert not any(e.get("conversation_id") == hidden.id for e in seen)


@pytest.mark.parametrize("settings_overrides", [{"SWITCHBOARD_SSE_KEEPALIVE_SECONDS": "1"}])
def test_the_stream_does_not_ask_the_database_per_event(
    base_url: str, rt: Runtime, team_setup: dict[str, Any], settings_overrides: dict[str, str]
) -> None:
    """Committed events name their account (inbox/database.py `name_accounts`); the stream
    decides from the event alone, whatever the number of conversations it hears of."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            statements.append(str(args[2]))

    mina = signed_in(base_url, "mina@example.test")
    a = team_setup["a"].id
    unknown = [{"topic": "conversation.updated", "conversation_id": 900 + n} for n in range(20)]
    last = {"topic": "conversation.updated", "conversation_id": 1, "channel_account_id": a}
    with mina.get(f"{base_url}/live/stream", stream=True, timeout=(5, 15)) as response:
        lines = response.iter_lines(decode_unicode=True)
        assert next(lines) == "retry: 2000"
        event.listen(rt.db.engine, "before_cursor_execute", count)
        try:
            for one in unknown:
                rt.bus.publish([one])
            rt.bus.publish([last])
            seen = events_until(lines, 1)
        finally:
            event.remove(rt.db.engine, "before_cursor_execute", count)
    assert [e["conversation_id"] for e in seen] == [1]
    assert statements == []
