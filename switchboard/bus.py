"""The event bus that carries domain events to live UIs (SSE).

Embedded mode fans out in-process; production publishes on Redis pub/sub so every web
process hears what any worker did. Subscribers get dicts; a slow subscriber loses old events
rather than slowing publishers (its queue is bounded), and the UI refetches on reconnect.
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


class Bus(Protocol):
    def publish(self, events: list[dict[str, Any]]) -> None: ...

    def listen(self, timeout: float) -> Iterator[dict[str, Any] | None]:
        """Yield events as they come; None after `timeout` seconds of silence (keep-alive)."""
        ...


class LocalBus:
    def __init__(self, max_backlog: int = 1000) -> None:
        self._subscribers: set[queue.Queue[dict[str, Any]]] = set()
        self._lock = threading.Lock()
        self.max_backlog = max_backlog

    def publish(self, events: list[dict[str, Any]]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            for item in events:
                with contextlib.suppress(queue.Full):
                    subscriber.put_nowait(item)

    def listen(self, timeout: float) -> Iterator[dict[str, Any] | None]:
        mine: queue.Queue[dict[str, Any]] = queue.Queue(self.max_backlog)
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

    def publish(self, events: list[dict[str, Any]]) -> None:
        try:
            pipe = self.client.pipeline(transaction=False)
            for item in events:
                pipe.publish(self.channel, json.dumps(item, default=str))
            pipe.execute()
        except redis.RedisError:
            # Live updates are best effort: the state is committed and a reload shows it.
            pass

    def listen(self, timeout: float) -> Iterator[dict[str, Any] | None]:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.channel)
        try:
            while True:
                message = pubsub.get_message(timeout=timeout)
                if message is None:
                    yield None
                    continue
                yield json.loads(message["data"])
        finally:
            pubsub.close()
