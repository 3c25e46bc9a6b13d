"""Each pytest process gets a Redis database number no running process holds
(tests/support/redis_slots.py). The slots here live under a key prefix of this test's own, so
the real ones, which other test runs on this machine hold, are never touched."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import REDIS_TEST_URL
from tests.support import redis_slots

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def slots() -> Iterator[tuple[redis.Redis[bytes], str]]:
    client: redis.Redis[bytes] = redis.Redis(host="127.0.0.1", port=6379, db=0)
    key = f"switchboard:test-db-check:{uuid.uuid4().hex[:8]}:"
    yield client, key
    for n in redis_slots.SLOTS:
        client.delete(f"{key}{n}")


def test_when_running_processes_hold_every_number_none_is_shared(slots) -> None:
    """The claim used to fall back to number 13, shared by every late process: the
    production tests' FLUSHDB then wiped each other's queues and keys mid-test."""
    client, key = slots
    for n in redis_slots.SLOTS:
        assert redis_slots.claim(client, owner=f"running-{n}", key=key, wait=0) == n
    assert redis_slots.claim(client, owner="late", key=key, wait=0, running=lambda _: True) is None


def test_a_number_held_by_a_process_that_is_gone_is_taken_over(slots) -> None:
    client, key = slots
    for n in redis_slots.SLOTS:
        redis_slots.claim(client, owner=f"host:{n}", key=key, wait=0)
    gone = "host:7"
    taken = redis_slots.claim(
        client, owner="new", key=key, wait=0, running=lambda holder: holder != gone
    )
    assert taken == 7 and client.get(f"{key}7") == b"new"
    redis_slots.release(client, 7, owner="someone-else", key=key)  # not theirs: kept
    assert client.get(f"{key}7") == b"new"
    redis_slots.release(client, 7, owner="new", key=key)
    assert client.get(f"{key}7") is None


def test_a_dead_pid_on_this_host_is_seen_as_gone() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert not redis_slots.alive(f"{redis_slots.me().rpartition(':')[0]}:{done.stdout.strip()}")
    assert redis_slots.alive(redis_slots.me())
    assert redis_slots.alive("another-host:1")  # cannot be checked from here: left alone


def test_a_tests_subprocess_uses_its_pytest_processs_number() -> None:
    """It used to claim a number of its own on importing tests.conftest."""
    found = subprocess.run(
        [sys.executable, "-c", "from tests.conftest import REDIS_TEST_URL; print(REDIS_TEST_URL)"],
        cwd=ROOT,
        env=dict(os.environ),
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert found.stdout.strip() == REDIS_TEST_URL
