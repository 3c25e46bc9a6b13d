"""The User Profile API: `GET /{PSID}` (Messenger) and `GET /{IGSID}` (Instagram).

Wire facts (docs/platform-apis.md, "Who is writing"): Messenger answers `first_name`,
`last_name`, `profile_pic`; Instagram answers `name`, `username`, `profile_pic` (plus
follower fields we do not ask for). Only people who wrote to the Page / IG account first
may be looked up (user consent); anyone else, e.g. someone who only commented, gets an error.
Every call is in the request log like any Graph call, so tests check the exact request.
"""

from __future__ import annotations

from typing import Any

from flask import request

from sandbox.meta import content
from sandbox.meta.calls import Call
from sandbox.meta.world import GraphError, Thread

CONSENT = "(#100) User consent is required to access user profile"


def read_node(call: Call, node: str) -> dict[str, Any]:
    """A customer's profile when `node` is one; any other node as content.read_node does."""
    w = call.world
    threads = [t for t in w.threads.values() if t.customer_id == node]
    if threads:
        return _profile(call, threads[0])
    if any(c.author_id == node for c in w.comments.values()) and node not in w.owner_ids():
        raise GraphError(100, CONSENT, subcode=2018218)
    return content.read_node(call, node)


def _profile(call: Call, thread: Thread) -> dict[str, Any]:
    fields = [f for f in call.text("fields", "").split(",") if f]
    picture = f"{request.url_root.rstrip('/')}/_emu/media/avatar-{thread.customer_id}.png"
    name = thread.customer_name
    if thread.platform == "instagram":
        known = {
            "name": name,
            "username": call.world.names.get(thread.customer_id) or _username(thread),
            "profile_pic": picture,
        }
    else:
        first, last = _split(name)
        known = {"first_name": first, "last_name": last, "profile_pic": picture}
    for f in fields:
        if f not in known:
            raise GraphError(100, f"(#100) Tried accessing nonexisting field ({f})")
    return {"id": thread.customer_id, **{f: known[f] for f in fields or known}}


def _split(name: str) -> tuple[str, str]:
    """(first, last) the way Messenger splits them: a Korean name's family name comes first."""
    if name and all("\uac00" <= ch <= "\ud7a3" for ch in name) and len(name) > 1:
        return name[1:], name[0]
    first, _, last = name.partition(" ")
    return first, last


def _username(thread: Thread) -> str:
    return f"user_{thread.customer_id[-6:]}"
