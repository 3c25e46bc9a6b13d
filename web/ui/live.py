"""Server-Sent Events: the bus's domain events, filtered to the agent's inboxes.

An event reaches an agent only if it names a channel account the agent can see (admins see
all). Every committed event that names a conversation carries its account (inbox/database.py
`name_accounts`), so the check is a set lookup: the streaming thread never asks the database
per event. The agent's inbox set is read when the stream opens, again when a `user.access`
event names the agent (inboxes, role or active flag changed, inbox/users.py), and every
SWITCHBOARD_SSE_ACCESS_SECONDS in case that event was lost: an agent removed from an inbox
stops hearing of it at once. The page refetches what changed, so events carry ids, never
content.

A commit's events arrive together (switchboard/bus.py) and leave in one chunk: one write to
the socket per commit, not per event, and a line identical to one already in the chunk (the
same topic and ids) is sent once — during a 5,000-message backlog each stream used to write
every event on its own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, stream_with_context

from inbox.access import visible_account_ids
from inbox.models import User
from inbox.users import ACCESS_TOPIC
from switchboard.runtime import Runtime
from web.runtime import current_runtime
from web.security import client_ip
from web.streams import Slot, streams
from web.ui.common import me, roles

bp = Blueprint("live", __name__, url_prefix="/live")

BUSY_RETRY_MS = 10_000
FORWARDED = ("conversation_id", "channel_account_id", "message_id", "status", "user_id")


@bp.get("/stream")
@roles("admin", "agent")
def stream() -> Response:
    rt = current_runtime()
    user_id = me().id
    slot = streams().live.enter(f"agent:{user_id}", client_ip())
    # No slot: a stream that only says "come back later". EventSource gives up for good on an
    # error status, but reconnects after `retry` ms when a 200 stream ends.
    body = _busy() if slot is None else _events(rt, user_id, slot)
    response = Response(
        stream_with_context(body),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    if slot is not None:
        response.call_on_close(slot.leave)  # also when the body was never started
    return response


def _busy() -> Iterator[str]:
    yield f"retry: {BUSY_RETRY_MS}\n\nevent: busy\ndata: {{}}\n\n"


def _events(rt: Runtime, user_id: int, slot: Slot) -> Iterator[str]:
    try:
        yield from _listen(rt, user_id)
    finally:
        slot.leave()  # the client left, the stream ended or the worker is stopping


def _listen(rt: Runtime, user_id: int) -> Iterator[str]:
    keepalive = float(rt.settings.get("SWITCHBOARD_SSE_KEEPALIVE_SECONDS", "15"))
    # Streams end after a while; EventSource reconnects, re-reading the agent's access.
    lifetime = float(rt.settings.get("SWITCHBOARD_SSE_LIFETIME_SECONDS", "300"))
    access = Access(rt, user_id, float(rt.settings.get("SWITCHBOARD_SSE_ACCESS_SECONDS", "30")))
    if not access.listening:
        return
    ends = time.monotonic() + lifetime
    # The bus subscribes on the first wake-up, so the stream opens (first line) only once
    # it is listening: nothing published after the browser's "open" can be missed.
    tick = min(1.0, keepalive)
    quiet = 0.0
    opened = False
    for batch in rt.bus.listen_batches(timeout=tick):
        if not opened:
            opened = True
            yield "retry: 2000\n\n"
        if time.monotonic() > ends:
            return
        access.follow(batch or [])
        if not access.listening:
            return  # deactivated meanwhile
        if batch is None:
            quiet += tick
            if quiet >= keepalive:
                quiet = 0.0
                yield ": keep-alive\n\n"
            continue
        allowed = access.allowed
        lines = (_line(event, allowed, user_id) for event in batch)
        chunk = "".join(dict.fromkeys(line for line in lines if line is not None))
        if chunk:
            yield chunk


class Access:
    """One stream's view of the agent's access: `allowed` is their inbox ids, None for every
    inbox (admins), False when they may no longer listen."""

    def __init__(self, rt: Runtime, user_id: int, every: float) -> None:
        self.rt, self.user_id, self.every = rt, user_id, every
        self.allowed: set[int] | bool | None = False
        self.due = 0.0
        self.refresh()

    @property
    def listening(self) -> bool:
        return self.allowed is not False

    def refresh(self) -> None:
        self.allowed = _allowed(self.rt, self.user_id)
        self.due = time.monotonic() + self.every

    def follow(self, batch: list[dict[str, Any]]) -> None:
        """Read the access again if this commit changed it, or if it is due."""
        changed = any(
            e.get("topic") == ACCESS_TOPIC and e.get("user_id") == self.user_id for e in batch
        )
        if changed or time.monotonic() >= self.due:
            self.refresh()


def _line(
    event: dict[str, Any], allowed: set[int] | bool | None, user_id: int | None = None
) -> str | None:
    """The SSE line for `event`, or None if this agent must not hear of it."""
    topic = str(event.get("topic") or "")
    if topic.startswith("notification."):  # personal: only its addressee hears of it
        if event.get("user_id") != user_id:
            return None
        mine = {"topic": topic, "notification_id": event.get("notification_id")}
        return f"data: {json.dumps(mine)}\n\n"
    account_id = event.get("channel_account_id")
    if not isinstance(account_id, int) or allowed is False:
        return None  # e.g. contact merges: nothing to show in a list or thread
    if allowed is not None and allowed is not True and account_id not in allowed:
        return None
    data = {"topic": event.get("topic")}
    data.update({k: event[k] for k in FORWARDED if k in event})
    if event.get("topic") == "conversation.typing":
        data["user_name"] = str(event.get("user_name", ""))[:100]
        data["mode"] = event.get("mode")
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _allowed(rt: Runtime, user_id: int) -> set[int] | bool | None:
    """The agent's inbox ids, None for every inbox, False if the agent may not listen."""
    with rt.db.session() as db:
        user = db.get(User, user_id)
        if user is None or not user.is_active:
            return False
        return visible_account_ids(db, user)
