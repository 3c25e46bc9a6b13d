"""Server-Sent Events: the bus's domain events, filtered to the agent's inboxes.

An event reaches an agent only if it names a conversation or channel account the agent can
see (admins see all). Events that name only a conversation are resolved to its account once
and remembered. The page refetches what changed, so events carry ids, never content.

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
from sqlalchemy import select

from inbox.access import visible_account_ids
from inbox.models import Conversation, User
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
    found = _allowed(rt, user_id)
    if found is False:
        return
    allowed = None if found is None or found is True else found
    accounts: dict[int, int] = {}
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
        if batch is None:
            quiet += tick
            if quiet >= keepalive:
                quiet = 0.0
                yield ": keep-alive\n\n"
            continue
        lines = (_line(rt, event, accounts, allowed, user_id) for event in batch)
        chunk = "".join(dict.fromkeys(line for line in lines if line is not None))
        if chunk:
            yield chunk


def _line(
    rt: Runtime,
    event: dict[str, Any],
    accounts: dict[int, int],
    allowed: set[int] | None,
    user_id: int | None = None,
) -> str | None:
    """The SSE line for `event`, or None if this agent must not hear of it."""
    topic = str(event.get("topic") or "")
    if topic.startswith("notification."):  # personal: only its addressee hears of it
        if event.get("user_id") != user_id:
            return None
        mine = {"topic": topic, "notification_id": event.get("notification_id")}
        return f"data: {json.dumps(mine)}\n\n"
    account_id = _account_of(rt, event, accounts)
    if account_id is None or (allowed is not None and account_id not in allowed):
        return None
    data = {"topic": event.get("topic")}
    data.update({k: event[k] for k in FORWARDED if k in event})
    data["channel_account_id"] = account_id
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


def _account_of(rt: Runtime, event: dict[str, Any], known: dict[int, int]) -> int | None:
    account_id = event.get("channel_account_id")
    if isinstance(account_id, int):
        return account_id
    conversation_id = event.get("conversation_id")
    if not isinstance(conversation_id, int):
        return None  # e.g. contact merges: nothing to show in a list or thread
    if conversation_id not in known:
        with rt.db.session() as db:
            found = db.scalar(
                select(Conversation.channel_account_id).where(Conversation.id == conversation_id)
            )
        if found is None:
            return None
        known[conversation_id] = found
    return known[conversation_id]
