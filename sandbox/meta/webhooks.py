"""Deliver signed webhooks to the app the way Meta does.

Bodies are ASCII-escaped JSON (`ensure_ascii=True`), signed with X-Hub-Signature-256 over the
exact bytes sent. Events go out one delivery each, or are held and flushed as one batched POST
(several entries, several events per entry). A non-200 answer is retried a few times; any
delivery can be redelivered verbatim on request. A background thread does the POSTs so that a
Send API call emitting an echo never waits on the app.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests


@dataclass
class PendingEvent:
    object: str  # page | instagram
    entry_id: str
    key: str  # messaging | changes
    item: dict[str, Any]
    at: datetime


@dataclass
class Delivery:
    id: int
    body: bytes
    events: int
    attempts: list[int | str] = field(default_factory=list)  # HTTP status or error name
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def ok(self) -> bool:
        return bool(self.attempts) and self.attempts[-1] == 200

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "events": self.events,
            "attempts": list(self.attempts),
            "ok": self.ok,
            "body": json.loads(self.body),
        }


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def build_body(events: list[PendingEvent]) -> tuple[str, bytes]:
    """One envelope: entries grouped by (account, messaging|changes), in arrival order."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        slot = (event.entry_id, event.key)
        if slot not in entries:
            seconds = event.at.timestamp()
            entries[slot] = {
                "id": event.entry_id,
                "time": int(seconds * 1000) if event.key == "messaging" else int(seconds),
                event.key: [],
            }
        entries[slot][event.key].append(event.item)
    doc = {"object": events[0].object, "entry": list(entries.values())}
    return events[0].object, json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode()


class Deliverer:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.url: str | None = config.get("WEBHOOK_URL") or None
        self.deliveries: list[Delivery] = []
        self.held: list[PendingEvent] = []
        self._queue: list[Delivery] = []
        self._cond = threading.Condition()
        self._busy = False
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._run, name="meta-sandbox-webhooks", daemon=True)
        self._thread.start()

    def emit(
        self, events: list[PendingEvent], *, mode: str = "now", wait: bool = False
    ) -> list[int]:
        """mode now: one delivery per object now; hold: keep for flush(); none: never send."""
        if not events or mode == "none":
            return []
        if mode == "hold":
            with self._cond:
                self.held.extend(events)
            return []
        return self._send_grouped(events, wait=wait)

    def flush(self, *, wait: bool = True) -> list[int]:
        with self._cond:
            events, self.held = self.held, []
        return self._send_grouped(events, wait=wait) if events else []

    def redeliver(self, delivery_id: int, *, times: int = 1, wait: bool = True) -> list[int]:
        original = next((d for d in self.deliveries if d.id == delivery_id), None)
        if original is None:
            return []
        return [self._enqueue(original.body, original.events, wait=wait) for _ in range(times)]

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery has been attempted (True) or the timeout passes."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _send_grouped(self, events: list[PendingEvent], *, wait: bool) -> list[int]:
        by_object: dict[str, list[PendingEvent]] = {}
        for event in events:
            by_object.setdefault(event.object, []).append(event)
        ids = []
        for group in by_object.values():
            _, body = build_body(group)
            ids.append(self._enqueue(body, len(group), wait=wait))
        return ids

    def _enqueue(self, body: bytes, count: int, *, wait: bool) -> int:
        with self._cond:
            delivery = Delivery(id=len(self.deliveries) + 1, body=body, events=count)
            self.deliveries.append(delivery)
            self._queue.append(delivery)
            self._cond.notify_all()
        if wait:
            delivery.done.wait(timeout=30)
        return delivery.id

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                delivery = self._queue.pop(0)
                self._busy = True
            try:
                self._deliver(delivery)
            finally:
                delivery.done.set()
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        attempts = int(self.config.get("WEBHOOK_MAX_ATTEMPTS", 3))
        pause = float(self.config.get("WEBHOOK_RETRY_DELAY", 0.2))
        secret = str(self.config["APP_SECRET"])
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature(secret, delivery.body),
            "X-Hub-Signature": "sha1="
            + hmac.new(secret.encode(), delivery.body, "sha1").hexdigest(),
            "User-Agent": "facebookexternalua",
        }
        for attempt in range(attempts):
            if not self.url:
                delivery.attempts.append("no webhook url configured")
                return
            try:
                response = self._session.post(
                    self.url, data=delivery.body, headers=headers, timeout=30
                )
                delivery.attempts.append(response.status_code)
                if response.status_code == 200:
                    return
            except requests.RequestException as exc:
                delivery.attempts.append(exc.__class__.__name__)
            if attempt + 1 < attempts:
                time.sleep(pause * (2**attempt))

    def verify_subscription(self, verify_token: str, challenge: str) -> dict[str, Any]:
        """Drive Meta's GET handshake against the configured callback URL."""
        if not self.url:
            return {"ok": False, "detail": "no webhook url configured"}
        params = {
            "hub.mode": "subscribe",
            "hub.verify_token": verify_token,
            "hub.challenge": challenge,
        }
        response = self._session.get(self.url, params=params, timeout=30)
        return {
            "ok": response.status_code == 200 and response.text == challenge,
            "status": response.status_code,
            "body": response.text[:200],
        }
