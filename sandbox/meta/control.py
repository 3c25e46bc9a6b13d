"""Emulator-only control API under /_emu: act as customers, bend time, break things, inspect.

Customer actions (`/_emu/customers/...`) create the message or comment in the emulated world
and deliver the matching signed webhook. `deliver` chooses how: `now` (default; waits for the
app's answer), `async`, `hold` (kept until `/_emu/webhooks/flush` sends all held events as one
batched POST) or `none` (never delivered: a webhook gap that only polling can fill).
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from sandbox.meta import events
from sandbox.meta.calls import deliverer, world
from sandbox.meta.webhooks import PendingEvent
from sandbox.meta.world import Fault, Forced, GraphError, Message, Thread, World, graph_time

bp = Blueprint("meta_control", __name__, template_folder="templates")

# 1×1 transparent PNG: what the fake CDN serves for every attachment URL.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _emit(items: list[PendingEvent], body: dict[str, Any]) -> list[int]:
    mode = str(body.get("deliver", "now"))
    if mode == "async":
        return deliverer().emit(items, mode="now", wait=False)
    return deliverer().emit(items, mode=mode, wait=mode == "now")


@bp.post("/_emu/reset")
def reset() -> Response:
    world().reset()
    return jsonify(ok=True)


@bp.route("/_emu/clock", methods=["GET", "POST"])
def clock() -> Response:
    body = _body()
    seconds = float(body.get("advance_seconds", 0)) + 3600 * float(body.get("advance_hours", 0))
    now = world().advance(seconds) if seconds else world().now()
    return jsonify(now=now.isoformat())


@bp.post("/_emu/customers/dm")
def customer_dm() -> Response:
    """A customer writes a DM (Messenger or Instagram), optionally with attachments."""
    body = _body()
    w = world()
    platform = "instagram" if body.get("platform") == "instagram" else "messenger"
    with w.lock:
        customer = str(body.get("customer_id") or _new_customer(w))
        thread = w.thread_for(platform, customer, name=body.get("name"))
        message = Message(
            id=w.mid(platform),
            created=w.now(),
            from_id=customer,
            to_id=thread.owner_id,
            text=str(body.get("text") or ""),
            attachments=[_attachment(a) for a in body.get("attachments") or ()],
        )
        thread.messages.append(message)
        thread.updated = thread.last_customer_at = message.created
        extra = {"quick_reply": {"payload": body["quick_reply"]}} if body.get("quick_reply") else {}
        item = events.customer_message(w, thread, message, **extra)
    deliveries = _emit([item], body)
    return jsonify(mid=message.id, thread_id=thread.id, customer_id=customer, deliveries=deliveries)


@bp.post("/_emu/customers/comment")
def customer_comment() -> Response:
    """A customer comments on our post or media (or replies to a comment)."""
    body = _body()
    w = world()
    platform = "instagram" if body.get("platform") == "instagram" else "facebook"
    with w.lock:
        post = w.posts.get(str(body.get("post_id"))) or w.default_post(platform)
        customer = str(body.get("customer_id") or _new_customer(w))
        name = str(body.get("name") or body.get("username") or f"customer_{customer[-4:]}")
        comment = w.add_comment(
            post,
            author_id=customer,
            author_name=name,
            text=str(body.get("text") or ""),
            parent_id=body.get("parent_id"),
        )
        item = events.comment_change(w, comment, post)
    deliveries = _emit([item], body)
    return jsonify(
        comment_id=comment.id, post_id=post.id, customer_id=customer, deliveries=deliveries
    )


@bp.post("/_emu/customers/mention")
def customer_mention() -> Response:
    """A customer @mentions our IG account in a comment on their own media."""
    body = _body()
    w = world()
    with w.lock:
        customer = str(body.get("customer_id") or _new_customer(w))
        username = str(body.get("username") or f"customer_{customer[-4:]}")
        w.names[customer] = username
        post = w.add_post(
            "instagram", str(body.get("caption") or "my daily supplements"), owner=customer
        )
        text = str(body.get("text") or f"@{w.page.ig_username} 안녕하세요!")
        comment = w.add_comment(post, author_id=customer, author_name=username, text=text)
        _reuse_ids(w, post, comment, body)
        item = events.mention(w, comment, post)
    deliveries = _emit([item], body)
    return jsonify(
        comment_id=comment.id, media_id=post.id, customer_id=customer, deliveries=deliveries
    )


@bp.post("/_emu/customers/edit")
def customer_edit() -> Response:
    body = _body()
    w = world()
    with w.lock:
        comment = w.comments[str(body["comment_id"])]
        comment.text = str(body.get("text") or "")
        item = events.comment_change(w, comment, w.posts[comment.object_id], verb="edited")
    return jsonify(deliveries=_emit([item], body))


@bp.post("/_emu/customers/remove")
def customer_remove() -> Response:
    body = _body()
    w = world()
    with w.lock:
        comment = w.comments[str(body["comment_id"])]
        comment.deleted = True
        item = events.comment_change(w, comment, w.posts[comment.object_id], verb="remove")
    return jsonify(deliveries=_emit([item], body))


@bp.post("/_emu/customers/unsend")
def customer_unsend() -> Response:
    body = _body()
    w = world()
    with w.lock:
        thread, message = _find_message(w, str(body["mid"]))
        message.deleted = True
        item = events.unsend(w, thread, message)
    return jsonify(deliveries=_emit([item], body))


@bp.post("/_emu/customers/read")
def customer_read() -> Response:
    body = _body()
    w = world()
    with w.lock:
        platform = "instagram" if body.get("platform") == "instagram" else "messenger"
        thread = w.thread_for(platform, str(body["customer_id"]))
        item = events.read(w, thread)
    return jsonify(deliveries=_emit([item], body))


@bp.post("/_emu/customers/block")
def customer_block() -> Response:
    world().blocked.add(str(_body()["customer_id"]))
    return jsonify(ok=True)


@bp.post("/_emu/posts")
def page_post() -> Response:
    body = _body()
    w = world()
    with w.lock:
        post = w.add_post(
            "instagram" if body.get("platform") == "instagram" else "facebook",
            str(body.get("text") or "Sandbox post"),
        )
    return jsonify(id=post.id, permalink=post.permalink)


@bp.post("/_emu/tokens/revoke")
def revoke() -> Response:
    """Every call with the page token now fails with 190 (subcode 460 by default, 463 = expired)."""
    world().page.revoked_subcode = int(_body().get("subcode", 460))
    return jsonify(ok=True)


@bp.post("/_emu/tokens/restore")
def restore() -> Response:
    world().page.revoked_subcode = None
    return jsonify(ok=True)


@bp.route("/_emu/usage", methods=["GET", "POST"])
def usage() -> Response:
    """Set the percentages the usage headers report (app, page, buc) and regain minutes."""
    w = world()
    for key, value in _body().items():
        if key in w.usage:
            w.usage[key] = float(value)
    return jsonify(w.usage)


@bp.post("/_emu/rate_limit")
def rate_limit() -> Response:
    """The next `count` Graph calls answer a throttling code (4, 17, 32, 613, 80002 ...)."""
    body = _body()
    code = int(body.get("code", 4))
    message = {
        4: "(#4) Application request limit reached",
        17: "(#17) User request limit reached",
        32: "(#32) Page request limit reached",
        613: "(#613) Calls to this api have exceeded the rate limit.",
    }
    error = GraphError(
        code, message.get(code, f"(#{code}) There have been too many calls"), transient=code == 4
    )
    _force(error, body)
    return jsonify(ok=True)


@bp.post("/_emu/fail")
def fail() -> Response:
    """The next `count` Graph calls answer this error envelope (any code/subcode/status)."""
    body = _body()
    error = GraphError(
        int(body.get("code", 1)),
        str(body.get("message", "An unknown error occurred")),
        subcode=body.get("subcode"),
        status=int(body.get("http_status", 400)),
        transient=body.get("is_transient"),
        kind=str(body.get("type", "OAuthException")),
    )
    _force(error, body)
    return jsonify(ok=True)


@bp.route("/_emu/fault", methods=["POST", "DELETE"])
def fault() -> Response:
    """Transport faults for the next `count` matching calls (path_contains, method).

    mode `timeout`: the call takes effect, then the answer is held `hang_seconds` (longer
    than the client's timeout): "accept, then time out". mode `5xx`: answer `http_status`
    (500); with `accept` (default false) the call takes effect first. mode `429`: a
    throttling refusal (code 4, usage headers at 100 %). DELETE clears every fault.
    """
    w = world()
    if request.method == "DELETE":
        with w.lock:
            w.faults.clear()
        return jsonify(ok=True)
    body = _body()
    mode = str(body.get("mode", "timeout"))
    if mode not in ("timeout", "5xx", "429"):
        refused = jsonify(error="mode must be timeout, 5xx or 429")
        refused.status_code = 400
        return refused
    with w.lock:
        w.faults.append(
            Fault(
                mode=mode,
                count=int(body.get("count", 1)),
                path_contains=str(body.get("path_contains", "")),
                method=str(body.get("method", "POST")).upper(),
                accept=bool(body.get("accept", mode == "timeout")),
                hang_seconds=float(body.get("hang_seconds", 3)),
                status=int(body.get("http_status", 500)),
            )
        )
    return jsonify(ok=True, pending=len(w.faults))


def _force(error: GraphError, body: dict[str, Any]) -> None:
    world().forced.append(
        Forced(
            error=error,
            count=int(body.get("count", 1)),
            path_contains=str(body.get("path_contains", "")),
            regain_minutes=float(body.get("regain_minutes", 0)),
        )
    )


@bp.route("/_emu/requests", methods=["GET", "DELETE"])
def requests_log() -> Response:
    """Every Graph call received, oldest first; filter with ?path=<substring>&method=."""
    w = world()
    if request.method == "DELETE":
        w.requests.clear()
        return jsonify(ok=True)
    path = request.args.get("path", "")
    method = request.args.get("method", "").upper()
    found = [r for r in w.requests if path in r["path"] and (not method or r["method"] == method)]
    return jsonify(found)


@bp.get("/_emu/webhooks")
def webhooks() -> Response:
    return jsonify([d.summary() for d in deliverer().deliveries])


@bp.post("/_emu/webhooks/config")
def webhooks_config() -> Response:
    body = _body()
    w = world()
    if "url" in body:
        deliverer().url = body["url"] or None
    for key in ("DELIVERY_RECEIPTS", "ECHO_MODE", "WEBHOOK_MAX_ATTEMPTS", "WEBHOOK_RETRY_DELAY"):
        if key.lower() in body:
            w.config[key] = body[key.lower()]
    return jsonify(url=deliverer().url)


@bp.post("/_emu/webhooks/flush")
def webhooks_flush() -> Response:
    return jsonify(deliveries=deliverer().flush())


@bp.post("/_emu/webhooks/redeliver")
def webhooks_redeliver() -> Response:
    body = _body()
    d = deliverer()
    target = int(body.get("id") or (d.deliveries[-1].id if d.deliveries else 0))
    return jsonify(deliveries=d.redeliver(target, times=int(body.get("times", 1))))


@bp.post("/_emu/webhooks/drain")
def webhooks_drain() -> Response:
    return jsonify(idle=deliverer().drain(float(_body().get("timeout", 10))))


@bp.post("/_emu/webhooks/verify")
def webhooks_verify() -> Response:
    body = _body()
    token = str(body.get("verify_token") or world().config["VERIFY_TOKEN"])
    return jsonify(deliverer().verify_subscription(token, str(body.get("challenge", "1158201444"))))


@bp.get("/_emu/threads")
def threads() -> Response:
    """Transcripts for the simulator: DMs by customer, comments by post, oldest first."""
    w = world()
    customer = request.args.get("customer_id", "")
    with w.lock:
        dms = [
            _transcript(w, t)
            for t in w.threads.values()
            if not customer or t.customer_id == customer
        ]
        posts = [
            {
                "id": p.id,
                "platform": p.platform,
                "text": p.text,
                "comments": [
                    {
                        "id": c.id,
                        "author": c.author_name,
                        "ours": c.author_id in w.owner_ids(),
                        "text": c.text,
                        "parent_id": c.parent_id,
                        "hidden": c.hidden,
                        "at": graph_time(c.created),
                    }
                    for c in sorted(w.comments.values(), key=lambda c: c.created)
                    if c.object_id == p.id and not c.deleted
                ],
            }
            for p in w.posts.values()
            if p.owner_id in w.owner_ids()
        ]
    return jsonify(
        now=w.now().isoformat(), page=w.page.name, ig=w.page.ig_username, dms=dms, posts=posts
    )


@bp.get("/_emu/media/<path:name>")
def media(name: str) -> Response:
    if name.startswith("upload/"):
        kept = world().uploads.get(name.removeprefix("upload/"))
        if kept is not None:
            return Response(kept[1], mimetype=kept[0])
    return Response(PIXEL, mimetype="image/png")


@bp.get("/simulator")
def simulator() -> str:
    w = world()
    return render_template("meta_simulator.html", page=w.page)


def _reuse_ids(w: World, post: Any, comment: Any, body: dict[str, Any]) -> None:
    """Replaying a captured delivery: give the media and comment the ids it names."""
    if body.get("media_id"):
        w.posts[str(body["media_id"])] = w.posts.pop(post.id)
        post.id = comment.object_id = str(body["media_id"])
    if body.get("comment_id"):
        w.comments[str(body["comment_id"])] = w.comments.pop(comment.id)
        comment.id = str(body["comment_id"])


def _transcript(w: World, thread: Thread) -> dict[str, Any]:
    return {
        "platform": thread.platform,
        "customer_id": thread.customer_id,
        "name": thread.customer_name,
        "messages": [
            {
                "id": m.id,
                "ours": m.from_id == thread.owner_id,
                "text": m.text,
                "attachments": len(m.attachments),
                "deleted": m.deleted,
                "at": graph_time(m.created),
                "quick_replies": m.quick_replies,
            }
            for m in thread.messages
        ],
    }


def _find_message(w: World, mid: str) -> tuple[Thread, Message]:
    for thread in w.threads.values():
        for message in thread.messages:
            if message.id == mid:
                return thread, message
    raise KeyError(mid)


def _new_customer(w: World) -> str:
    return f"{7300000000000000 + w.next_number()}"


def _attachment(raw: Any) -> dict[str, Any]:
    kind = str(raw.get("type", "image")) if isinstance(raw, dict) else "image"
    url = raw.get("url") if isinstance(raw, dict) else None
    return {
        "type": kind,
        "payload": {"url": url or f"{request.url_root.rstrip('/')}/_emu/media/{kind}.png"},
    }
