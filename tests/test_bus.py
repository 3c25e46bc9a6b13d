"""The live-event bus: in-process and Redis pub/sub carry committed events only."""

from __future__ import annotations

import threading

import pytest

from switchboard.bus import LocalBus, RedisBus
from tests.conftest import REDIS_TEST_URL


def collect(bus, n: int, ready: threading.Event, out: list) -> None:
    stream = bus.listen(timeout=0.1)
    next(stream)  # subscribed (first keep-alive)
    ready.set()
    for item in stream:
        if item is not None:
            out.append(item)
        if len(out) >= n:
            return


@pytest.mark.parametrize(
    "make", [LocalBus, lambda: RedisBus(REDIS_TEST_URL)], ids=["local", "redis"]
)
def test_every_listener_gets_every_event_in_order(make):
    bus = make()
    results: list[list] = [[], []]
    ready = [threading.Event(), threading.Event()]
    threads = [
        threading.Thread(target=collect, args=(bus, 3, ready[i], results[i])) for i in (0, 1)
    ]
    for t in threads:
        t.start()
    for r in ready:
        assert r.wait(10)
    bus.publish([{"topic": "message.created", "conversation_id": 1}, {"topic": "x", "n": 2}])
    bus.publish([{"topic": "conversation.updated", "conversation_id": 1}])
    for t in threads:
        t.join(10)
    for got in results:
        assert [e["topic"] for e in got] == ["message.created", "x", "conversation.updated"]


def test_events_of_a_rolled_back_session_are_never_published(rt, factory):
    account = factory.account(external_id="page-1")
    seen: list = []
    original = rt.db.on_events
    rt.db.on_events = lambda events: seen.extend(events)
    try:
        factory.inbound(account, "커밋된 메시지")
        assert any(e["topic"] == "message.created" for e in seen)
        seen.clear()
        with pytest.raises(RuntimeError), rt.db.session() as session:
            from inbox.events import emit

            emit(session, "message.created", conversation_id=99)
            raise RuntimeError("rolled back")
        assert seen == []
    finally:
        rt.db.on_events = original


@pytest.mark.redis
def test_a_commits_events_travel_as_one_redis_message() -> None:
    """One PUBLISH per commit (issue 12, `thru`), and listeners get the commit's events at once."""
    import redis

    bus = RedisBus(REDIS_TEST_URL, prefix="test-bus-batch:")
    raw = redis.Redis.from_url(REDIS_TEST_URL).pubsub(ignore_subscribe_messages=True)
    raw.subscribe(bus.channel)
    batches = bus.listen_batches(timeout=0.1)
    assert next(batches) is None  # subscribed
    events = [{"topic": "message.created", "message_id": n} for n in range(3)]
    bus.publish(events)
    bus.publish([])  # nothing committed: nothing sent
    assert next(b for b in batches if b is not None) == events
    messages = []
    for _ in range(10):  # None also stands for the (ignored) subscribe confirmation
        message = raw.get_message(timeout=0.1)
        if message is not None:
            messages.append(message)
    assert len(messages) == 1
    raw.close()


def test_a_local_listener_gets_a_commit_together_and_one_by_one() -> None:
    bus = LocalBus()
    batches, singles = bus.listen_batches(timeout=0.05), bus.listen(timeout=0.05)
    assert next(batches) is None and next(singles) is None
    bus.publish([{"topic": "a"}, {"topic": "b"}])
    assert next(b for b in batches if b is not None) == [{"topic": "a"}, {"topic": "b"}]
    assert [next(singles), next(singles)] == [{"topic": "a"}, {"topic": "b"}]
