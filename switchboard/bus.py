"""The event bus that carries domain events to live UIs (SSE).

Embedded mode fans out in-process; production publishes on Redis pub/sub so every web
process hears what any worker did. Subscribers get dicts; a slow subscriber loses old events
rather than slowing publishers (its queue is bounded), and the UI refetches on reconnect.

A commit's events travel together (issue 12, `thru`): one PUBLISH of one JSON array per
commit, not one per event — a 500-delivery batch used to be ~1,500 Redis messages, each
decoded by every listening web thread. `listen_batches` hands a listener a commit's events
at once (the live stream writes them in one chunk); `listen` still yields them one by one.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Iterator
from typing import Any, Protocol

import redis

CHANNEL = "events"  # under the deployment's prefix (Settings.redis_prefix)


Events = list[dict[str, Any]]


class Bus(Protocol):
    def publish(self, events: Events) -> None: ...

    def listen(self, timeout: float) -> Iterator[dict[str, Any] | None]:
        """Yield events as they come; None after `timeout` seconds of silence (keep-alive)."""
        ...

    def listen_batches(self, timeout: float) -> Iterator[Events | None]:
        """Yield each commit's events together; None after `timeout` seconds of silence."""
        ...


def _one_by_one(batches: Iterator[Events | None]) -> Iterator[dict[str, Any] | None]:
    for batch in batches:
        if batch is None:
            yield None
        else:
            yield from batch


class LocalBus:
    def __init__(self, max_backlog: int = 1000) -> None:
        self._subscribers: set[queue.Queue[Events]] = set()
        self._lock = threading.Lock()
        self.max_backlog = max_backlog  # commits a slow subscriber may fall behind by

    def publish(self, events: Events) -> None:
        if not events:
            return
        with self._lock:
            subscribers = list(self._subscribers)
        batch = list(events)
        for subscriber in subscribers:
            with contextlib.suppress(queue.Full):
                subscriber.put_nowait(batch)

    def listen(self, timeout: float) -> Iterator[dict[str, Any] | None]:
        return _one_by_one(self.listen_batches(timeout))

    def listen_batches(self, timeout: float) -> Iterator[Events | None]:
        mine: queue.Queue[Events] = queue.Queue(self.max_backlog)
        with self._lock:
            self._subscribers.add(mine)
        try:
            while True:
                try:
                    yield mine.get(timeout=timeout)
                except queue.Empty:
                    yield None
        finally:
            with self._lock:
                self._subscribers.discard(mine)


class RedisBus:
    def __init__(self, url: str, prefix: str = "switchboard:") -> None:
        self.client = redis.Redis.from_url(url)
        # Pub/sub ignores database numbers: the prefix keeps deployments sharing a server apart.
        self.channel = prefix + CHANNEL

    def publish(self, events: Events) -> None:
        if not events:
            return
        # Live updates are best effort: the state is committed and a reload shows it.
        with contextlib.suppress(redis.RedisError):
            self.client.publish(self.channel, json.dumps(events, default=str))

    def listen(self, timeout: float) -> Iterator[dict[str, Any] | None]:
        return _one_by_one(self.listen_batches(timeout))

    def listen_batches(self, timeout: float) -> Iterator[Events | None]:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.channel)
        try:
            while True:
                message = pubsub.get_message(timeout=timeout)
                if message is None:
                    yield None
                    continue
                data = json.loads(message["data"])
                # One object: a process of the previous release, during a rolling upgrade.
                yield data if isinstance(data, list) else [data]
        finally:
            pubsub.close()
