"""A Redis database number of its own for each pytest process (tests/conftest.py).

A slot is the key `switchboard:test-db:<n>` in db 0, holding "<host>:<pid>" of its process.
Two processes must never share a number: the production-mode tests FLUSHDB theirs, which wiped
the other one's rq queues and keys mid-test (a job lost, a workflow generation read back as 0):
failures that looked like races under load. The machine runs several suites side by side, and
numbers ran out, after which every late process fell back to the same number 13. So:
- a slot whose process is gone is taken over (a run killed by `timeout` kept it four hours);
- a test's own subprocess (same xdist worker) uses its parent's number, not a new one;
- when live processes hold every number, the claim waits for one to be given back, and after
  `wait` seconds answers None: the caller stops the run rather than share a number.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import redis

SLOTS = range(1, 16)  # db 0 holds the slots themselves
KEY = "switchboard:test-db:"
TTL = 4 * 3600
INHERITED = "SWITCHBOARD_TEST_REDIS_CLAIMED"  # "<xdist worker> <url>", for subprocesses


def me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def alive(holder: str) -> bool:
    """Whether the holder's process still runs; one on another host is taken as running."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim(
    client: redis.Redis[bytes],
    *,
    owner: str | None = None,
    key: str = KEY,
    wait: float = 600.0,
    running: Callable[[str], bool] = alive,
) -> int | None:
    """A free slot's number, claimed for `owner` (this process); None after `wait` seconds."""
    owner = owner or me()
    deadline = time.monotonic() + wait
    while True:
        for n in SLOTS:
            name = f"{key}{n}"
            if client.set(name, owner, nx=True, ex=TTL):
                return n
            holder = client.get(name)
            dead = holder is not None and not running(holder.decode())
            if dead and holder is not None and _take_over(client, name, holder, owner):
                return n
        if time.monotonic() >= deadline:
            return None
        time.sleep(1.0)


def release(client: redis.Redis[bytes], n: int, owner: str | None = None, key: str = KEY) -> None:
    """Give slot `n` back, unless another process has it by now."""
    name = f"{key}{n}"
    if client.get(name) == (owner or me()).encode():
        client.delete(name)


def _take_over(client: redis.Redis[bytes], name: str, holder: bytes, owner: str) -> bool:
    """Replace a dead holder, unless another process did so first."""
    with client.pipeline() as pipe:
        try:
            pipe.watch(name)
            current: object = pipe.get(name)  # immediate while watching
            if current != holder:
                return False
            pipe.multi()
            pipe.set(name, owner, ex=TTL)
            pipe.execute()
            return True
        except redis.WatchError:
            return False
