"""Bulkheads for requests that wait: chat long-polls and the agents' SSE streams.

A waiting request holds a request thread (gunicorn `gthread`, werkzeug's threads) for as long
as it waits. Left alone, a few dozen free visitor tokens could hold every thread and stall the
UI, the API, /healthz and the webhooks (issue 13). So each kind of waiting request gets a
bounded pool of slots per process, smaller than the thread count, and a cap per client and
per address inside it; a request that finds no slot is answered at once (429 + Retry-After for
the widget, a "retry later" event stream for EventSource) instead of queueing for a thread.
`switchboard web` refuses to start when the pools would leave no thread for everything else.

The counts live in process memory on purpose: threads are a per-process resource, and
counting them needs no round trip. Rates across processes are Flask-Limiter's job
(web/ratelimit.py).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from flask import Flask

from switchboard.metrics import WAITING, WAITING_REFUSED
from switchboard.settings import Settings


@dataclass
class Pool:
    """At most `slots` waiting requests, `per_client` per client and `per_ip` per address."""

    name: str
    slots: int
    per_client: int
    per_ip: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _busy: int = 0
    _clients: Counter[str] = field(default_factory=Counter)
    _ips: Counter[str] = field(default_factory=Counter)

    def enter(self, client: str, ip: str) -> Slot | None:
        """A slot to hold while waiting, or None: answer now, the caller must not wait."""
        with self._lock:
            cap = self._full(client, ip)
            if cap is None:
                self._busy += 1
                self._clients[client] += 1
                self._ips[ip] += 1
        if cap is not None:
            WAITING_REFUSED.labels(self.name, cap).inc()
            return None
        WAITING.labels(self.name).inc()
        return Slot(self, client, ip)

    def _full(self, client: str, ip: str) -> str | None:
        """Which cap a new waiting request would break, if any."""
        if self._busy >= self.slots:
            return "pool"
        if self._clients[client] >= self.per_client:
            return "client"
        if self.per_ip is not None and self._ips[ip] >= self.per_ip:
            return "address"
        return None

    def _leave(self, client: str, ip: str) -> None:
        WAITING.labels(self.name).dec()
        with self._lock:
            self._busy -= 1
            for counter, key in ((self._clients, client), (self._ips, ip)):
                counter[key] -= 1
                if counter[key] <= 0:
                    del counter[key]

    @property
    def busy(self) -> int:
        return self._busy


@dataclass
class Slot:
    pool: Pool
    client: str
    ip: str
    _left: bool = False

    def leave(self) -> None:
        """Give the slot back (idempotent: a generator's finally and a close may both call)."""
        if not self._left:
            self._left = True
            self.pool._leave(self.client, self.ip)

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.leave()


@dataclass(frozen=True)
class Streams:
    chat_polls: Pool
    live: Pool


def pools_for(settings: Settings) -> Streams:
    return Streams(
        chat_polls=Pool(
            name="chat_polls",
            slots=settings.int("CHAT_POLL_SLOTS"),
            per_client=settings.int("CHAT_POLLS_PER_SESSION"),
            per_ip=settings.int("CHAT_POLLS_PER_IP"),
        ),
        live=Pool(
            name="live",
            slots=settings.int("LIVE_STREAM_SLOTS"),
            per_client=settings.int("LIVE_STREAMS_PER_AGENT"),
        ),
    )


def free_threads(settings: Settings) -> int:
    """Threads per process that no waiting request can take (must stay above zero)."""
    waiting = settings.int("CHAT_POLL_SLOTS") + settings.int("LIVE_STREAM_SLOTS")
    return settings.int("WEB_THREADS") - waiting


def install_streams(app: Flask, settings: Settings) -> None:
    app.extensions["switchboard.streams"] = pools_for(settings)


def streams() -> Streams:
    from flask import current_app

    found = current_app.extensions["switchboard.streams"]
    assert isinstance(found, Streams)
    return found
