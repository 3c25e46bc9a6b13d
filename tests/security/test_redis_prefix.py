"""Two deployments on one Redis server: each hears only its own live events (issue 13 §7)."""

from __future__ import annotations

import threading

import pytest

from switchboard.runtime import build_runtime
from switchboard.settings import Settings
from tests.conftest import REDIS_TEST_URL, make_settings

pytestmark = pytest.mark.redis


def _listen(bus, ready: threading.Event, out: list, stop: threading.Event) -> None:
    stream = bus.listen(timeout=0.1)
    next(stream)  # subscribed
    ready.set()
    for item in stream:
        if item is not None:
            out.append(item)
        if stop.is_set():
            return


def test_two_deployments_on_one_redis_do_not_hear_each_other(tmp_path):
    # Different database numbers would not help: Redis pub/sub ignores them.
    one = build_runtime(
        make_settings(f"sqlite:///{tmp_path}/a.db", tmp_path / "a", REDIS_URL=REDIS_TEST_URL)
    )
    two = build_runtime(
        make_settings(f"sqlite:///{tmp_path}/b.db", tmp_path / "b", REDIS_URL=REDIS_TEST_URL)
    )
    assert one.settings.redis_prefix != two.settings.redis_prefix
    heard: dict[str, list] = {"one": [], "two": []}
    ready = {k: threading.Event() for k in heard}
    stop = threading.Event()
    threads = [
        threading.Thread(target=_listen, args=(rt.bus, ready[k], heard[k], stop), daemon=True)
        for k, rt in (("one", one), ("two", two))
    ]
    for t in threads:
        t.start()
    for event in ready.values():
        assert event.wait(10)
    one.bus.publish([{"topic": "message.created", "conversation_id": 1, "from": "one"}])
    two.bus.publish([{"topic": "message.created", "conversation_id": 1, "from": "two"}])
    # A marker last on each: once it arrived, anything the other deployment sent came before it.
    one.bus.publish([{"topic": "marker"}])
    two.bus.publish([{"topic": "marker"}])
    from tests.support.production import wait_for

    wait_for(lambda: all(any(e["topic"] == "marker" for e in v) for v in heard.values()), 20)
    stop.set()
    assert [e.get("from") for e in heard["one"] if e["topic"] != "marker"] == ["one"]
    assert [e.get("from") for e in heard["two"] if e["topic"] != "marker"] == ["two"]


def test_the_prefix_is_stable_per_database_and_can_be_set():
    a = Settings(env={"DATABASE_URL": "postgresql://u:pw1@db:5432/shop"})
    b = Settings(env={"DATABASE_URL": "postgresql+psycopg://other:pw2@db:5432/shop"})
    c = Settings(env={"DATABASE_URL": "postgresql://u:pw1@db:5432/other_shop"})
    assert a.redis_prefix == b.redis_prefix  # same database: one deployment
    assert a.redis_prefix != c.redis_prefix
    assert Settings(env={"DATABASE_URL": "x", "REDIS_PREFIX": "acme"}).redis_prefix == "acme:"
