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
