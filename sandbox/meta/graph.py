"""The Graph API surface (platform-apis §4 checklist), served under any `/vNN.0/`.

Parameters are read from the query string, a form body or a JSON body, as Graph does; tokens
from `access_token` or `Authorization: Bearer`. Every response carries the three usage headers;
every error is Graph's envelope. Each call is logged exactly as received for tests to inspect.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from sandbox.meta import events
from sandbox.meta.webhooks import Deliverer
from sandbox.meta.world import (
    Comment,
    Container,
    GraphError,
    Message,
    Page,
    Post,
    Thread,
    World,
    graph_time,
)

bp = Blueprint("meta_graph", __name__)
VERSION = re.compile(r"^v\d{1,2}\.\d$")
HASHTAG = re.compile(r"(?<!\w)#\w+")
STANDARD_WINDOW_H = 24
HUMAN_AGENT_WINDOW_H = 24 * 7
OUTSIDE_WINDOW = "(#10) This message is sent outside of allowed window."


def world() -> World:
    return current_app.extensions["meta_sandbox"]  # type: ignore[no-any-return]


def deliverer() -> Deliverer:
    return current_app.extensions["meta_sandbox_webhooks"]  # type: ignore[no-any-return]


@dataclass
class Call:
    world: World
    page: Page
    params: dict[str, Any]
    version: str
    path: str

    def text(self, name: str, default: str = "") -> str:
        value = self.params.get(name, default)
        return value if isinstance(value, str) else json.dumps(value)

    def obj(self, name: str) -> Any:
        value = self.params.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise GraphError(100, f"(#100) param {name} must be JSON") from exc
        return value

    def flag(self, name: str) -> bool | None:
        value = self.params.get(name)
        if value is None:
            return None
        return value is True or str(value).lower() in ("true", "1")


@bp.route("/<version>/<path:path>", methods=["GET", "POST", "DELETE"])
def graph(version: str, path: str) -> Response:
    w = world()
    params = _params()
    with w.lock:
        _log(w, version, path, params)
        throttled: float | None = None  # regain minutes when a forced throttling error fired
        try:
            if not VERSION.match(version):
                raise GraphError(2500, f"Unknown path components: /{version}/{path}")
            forced = _take_forced(w, path)
            if forced is not None:
                if _throttling(forced.error.code):
                    throttled = forced.regain_minutes
                raise forced.error
            page = _authenticate(w, params)
            call = Call(w, page, params, version, path.strip("/"))
            body, status = _dispatch(call, request.method), 200
        except GraphError as exc:
            body, status = exc.body(secrets.token_urlsafe(12)), exc.status
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    _usage_headers(w, response, forced=throttled)
    return response


def _params() -> dict[str, Any]:
    params: dict[str, Any] = dict(request.args.items())
    params.update(request.form.items())
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            params.update(body)
    if request.files:
        params["_files"] = sorted(request.files)
    return params


def _log(w: World, version: str, path: str, params: dict[str, Any]) -> None:
    auth = request.headers.get("Authorization", "")
    w.requests.append(
        {
            "method": request.method,
            "version": version,
            "path": "/" + path.strip("/"),
            "query": dict(request.args.items()),
            "form": dict(request.form.items()),
            "json": request.get_json(silent=True) if request.is_json else None,
            "params": {k: v for k, v in params.items() if k != "access_token"},
            "token": auth[7:] if auth.startswith("Bearer ") else params.get("access_token"),
            "content_type": request.content_type,
            "at": w.now().isoformat(),
        }
    )


def _take_forced(w: World, path: str) -> Any:
    for forced in w.forced:
        if forced.count > 0 and forced.path_contains in path:
            forced.count -= 1
            if forced.count == 0:
                w.forced.remove(forced)
            return forced
    return None


def _authenticate(w: World, params: dict[str, Any]) -> Page:
    auth = request.headers.get("Authorization", "")
    token = auth[7:] if auth.startswith("Bearer ") else str(params.get("access_token") or "")
    if not token:
        raise GraphError(2500, "An active access token must be used to query information.")
    if token != w.page.token:
        raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
    if w.page.revoked_subcode is not None:
        raise GraphError(
            190,
            "Error validating access token: The session has been invalidated because the user "
            "changed their password or Facebook has changed the session for security reasons.",
            subcode=w.page.revoked_subcode,
        )
    secret = str(w.config["APP_SECRET"])
    proof = params.get("appsecret_proof")
    if proof is not None:
        expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(str(proof), expected):
            raise GraphError(
                100,
                "Invalid appsecret_proof provided in the API argument",
                kind="GraphMethodException",
            )
    elif w.config.get("REQUIRE_APPSECRET_PROOF"):
        raise GraphError(
            100,
            "API calls from the server require an appsecret_proof argument",
            kind="GraphMethodException",
        )
    return w.page


def _throttling(code: int) -> bool:
    return code in (4, 17, 32, 613) or 80000 <= code <= 80099


def _usage_headers(w: World, response: Response, *, forced: float | None) -> None:
    u = w.usage
    full = forced is not None
    app = 100.0 if full else u["app"]
    page = 100.0 if full else u["page"]
    buc = 100.0 if full else u["buc"]
    regain = forced if forced else u["regain_minutes"]
    response.headers["X-App-Usage"] = json.dumps(
        {"call_count": app, "total_cputime": app / 2, "total_time": app / 2}
    )
    response.headers["X-Page-Usage"] = json.dumps(
        {
            "call_count": page,
            "total_cputime": page / 2,
            "total_time": page / 2,
            "estimated_time_to_regain_access": regain,
        }
    )
    response.headers["X-Business-Use-Case-Usage"] = json.dumps(
        {
            w.page.id: [
                {
                    "type": "pages",
                    "call_count": buc,
                    "total_cputime": buc / 2,
                    "total_time": buc / 2,
                    "estimated_time_to_regain_access": regain,
                }
            ]
        }
    )


def _dispatch(call: Call, method: str) -> dict[str, Any]:
    parts = call.path.split("/")
    parts[0] = call.page.id if parts[0] == "me" else parts[0]
    if len(parts) == 1:
        handler = _NODE.get(method)
        if handler is None:
            raise GraphError(100, f"Unsupported {method.lower()} request.")
        return handler(call, parts[0])
    if len(parts) == 2:
        edge = _EDGES.get((method, parts[1]))
        if edge is not None:
            return edge(call, parts[0])
    raise GraphError(2500, f"Unknown path components: /{call.path}")


# -- paging ---------------------------------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"sandbox-cursor:{index}".encode()).decode().rstrip("=")


def _index(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(raw.split(":", 1)[1])
    except (ValueError, IndexError) as exc:
        raise GraphError(100, "(#100) Invalid cursor") from exc


def paged(call: Call, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Cursor paging like Graph: `next` only when another page exists."""
    limit = max(1, min(int(call.params.get("limit") or 25), 100))
    start = _index(str(call.params["after"])) if call.params.get("after") else 0
    chunk = items[start : start + limit]
    result: dict[str, Any] = {"data": chunk}
    if not chunk:
        return result
    end = start + len(chunk)
    paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": _cursor(end)}}
    base = f"{request.url_root.rstrip('/')}/{call.version}/{call.path}"
    query = {
        k: v for k, v in request.args.items() if k not in ("after", "before", "appsecret_proof")
    }
    if end < len(items):
        paging["next"] = f"{base}?{urlencode({**query, 'after': _cursor(end)})}"
    if start > 0:
        paging["previous"] = f"{base}?{urlencode({**query, 'before': _cursor(start)})}"
    result["paging"] = paging
    return result


# -- Send API ---------------------------------------------------------------------------------


def send_api(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner not in w.owner_ids():
        raise GraphError(
            100, f"(#100) Unsupported post request. Object with ID '{owner}' does not exist"
        )
    recipient = call.obj("recipient") or {}
    message = call.obj("message") or {}
    if not isinstance(recipient, dict) or not isinstance(message, dict):
        raise GraphError(100, "(#100) param recipient and message must be objects")
    if recipient.get("comment_id"):
        return _private_reply(call, str(recipient["comment_id"]), message)
    customer = str(recipient.get("id") or "")
    thread = w.find_thread(customer)
    if thread is None:
        raise GraphError(100, "(#100) No matching user found", subcode=2018001)
    if customer in w.blocked:
        raise GraphError(551, "This person isn't available right now.", subcode=1545041)
    _check_window(call, thread)
    sent = _append_page_message(call, thread, message)
    return {"recipient_id": customer, "message_id": sent.id}


def _check_window(call: Call, thread: Thread) -> None:
    kind = call.text("messaging_type", "RESPONSE")
    if thread.last_customer_at is None:
        raise GraphError(10, OUTSIDE_WINDOW, subcode=2018278)
    age_h = (call.world.now() - thread.last_customer_at).total_seconds() / 3600
    if kind in ("RESPONSE", "UPDATE"):
        if age_h > STANDARD_WINDOW_H:
            raise GraphError(10, OUTSIDE_WINDOW, subcode=2018278)
        return
    if kind != "MESSAGE_TAG":
        raise GraphError(
            100, "(#100) Param messaging_type must be one of RESPONSE, UPDATE, MESSAGE_TAG"
        )
    if call.text("tag") != "HUMAN_AGENT":
        raise GraphError(100, "(#100) Only the HUMAN_AGENT tag is available to this app")
    if age_h > HUMAN_AGENT_WINDOW_H:
        raise GraphError(10, OUTSIDE_WINDOW, subcode=2018278)


def _append_page_message(call: Call, thread: Thread, message: dict[str, Any]) -> Message:
    w = call.world
    text = str(message.get("text") or "")
    attachments: list[dict[str, Any]] = []
    attachment = message.get("attachment")
    if isinstance(attachment, dict):
        payload = attachment.get("payload") or {}
        url = payload.get("url")
        if not url and not call.params.get("_files"):
            raise GraphError(100, "(#100) Attachment payload must have a url or a file")
        attachments.append(
            {
                "type": attachment.get("type", "file"),
                "payload": {"url": url or _cdn(w, "upload.png")},
            }
        )
    if not text and not attachments:
        raise GraphError(100, "(#100) The parameter message must be non-empty (text or attachment)")
    limit = 1000 if thread.platform == "instagram" else 2000
    size = len(text.encode()) if thread.platform == "instagram" else len(text)
    if size > limit:
        raise GraphError(
            100, f"(#100) Length of param message[text] must be less than or equal to {limit}"
        )
    sent = Message(
        id=w.mid(thread.platform),
        created=w.now(),
        from_id=thread.owner_id,
        to_id=thread.customer_id,
        text=text,
        attachments=attachments,
        metadata=message.get("metadata"),
    )
    thread.messages.append(sent)
    thread.updated = sent.created
    emitted = [events.echo(w, thread, sent)]
    if thread.platform == "messenger" and w.config.get("DELIVERY_RECEIPTS", True):
        emitted.append(events.delivery(w, thread, sent))
    deliverer().emit(emitted, mode=w.config.get("ECHO_MODE", "now"))
    return sent


def _private_reply(call: Call, comment_id: str, message: dict[str, Any]) -> dict[str, Any]:
    w = call.world
    comment = _own_comment(call, comment_id)
    if comment.private_replied:
        raise GraphError(10900, "Activity already replied to")
    if (w.now() - comment.created).total_seconds() > HUMAN_AGENT_WINDOW_H * 3600:
        raise GraphError(10, OUTSIDE_WINDOW, subcode=2018278)
    platform = "instagram" if comment.platform == "instagram" else "messenger"
    thread = w.thread_for(platform, comment.author_id, name=comment.author_name)
    sent = _append_page_message(call, thread, message)
    comment.private_replied = True
    return {"recipient_id": comment.author_id, "message_id": sent.id}


# -- conversations ----------------------------------------------------------------------------


def list_conversations(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.id:
        raise GraphError(100, "(#100) conversations are read on the Page")
    platform = call.text("platform", "messenger")
    threads = sorted(
        (t for t in w.threads.values() if t.platform == platform and t.messages),
        key=lambda t: t.updated,
        reverse=True,
    )
    return paged(call, [_thread_json(w, t) for t in threads])


def _thread_json(w: World, thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "updated_time": graph_time(thread.updated),
        "message_count": len(thread.messages),
        "participants": {
            "data": [_person(w, thread, thread.customer_id), _person(w, thread, thread.owner_id)]
        },
    }


def _person(w: World, thread: Thread, person: str) -> dict[str, Any]:
    ours = person == thread.owner_id
    if thread.platform == "instagram":
        return {"username": w.page.ig_username if ours else thread.customer_name, "id": person}
    name = w.page.name if ours else thread.customer_name
    return {"name": name, "email": f"{person}@facebook.com", "id": person}


def list_messages(call: Call, thread_id: str) -> dict[str, Any]:
    w = call.world
    thread = w.threads.get(thread_id)
    if thread is None:
        raise _missing(thread_id)
    items = []
    for m in sorted(thread.messages, key=lambda m: m.created, reverse=True):
        if m.deleted:
            continue
        item: dict[str, Any] = {
            "id": m.id,
            "created_time": graph_time(m.created),
            "from": _person(w, thread, m.from_id),
            "to": {"data": [_person(w, thread, m.to_id)]},
            "message": m.text,
        }
        if m.attachments:
            item["attachments"] = {
                "data": [_graph_attachment(a, n) for n, a in enumerate(m.attachments)]
            }
        items.append(item)
    return paged(call, items)


def _graph_attachment(raw: dict[str, Any], n: int) -> dict[str, Any]:
    url = (raw.get("payload") or {}).get("url")
    kind = raw.get("type")
    if kind == "image":
        return {
            "id": f"att{n}",
            "mime_type": "image/png",
            "name": f"image-{n}.png",
            "image_data": {"url": url, "preview_url": url, "render_as_sticker": False},
        }
    if kind == "video":
        return {
            "id": f"att{n}",
            "mime_type": "video/mp4",
            "name": f"video-{n}.mp4",
            "video_data": {"url": url},
        }
    return {
        "id": f"att{n}",
        "mime_type": "application/octet-stream",
        "name": f"file-{n}",
        "file_url": url,
    }


# -- posts, comments, moderation --------------------------------------------------------------


def read_node(call: Call, node: str) -> dict[str, Any]:
    w = call.world
    fields = call.text("fields")
    if node == w.page.id:
        return {
            "id": w.page.id,
            "name": w.page.name,
            "instagram_business_account": {"id": w.page.ig_id},
        }
    if node == w.page.ig_id:
        return _ig_user(call, fields)
    if node in w.posts:
        return _post_json(w.posts[node])
    if node in w.comments and not w.comments[node].deleted:
        return _comment_json(w, w.comments[node])
    if node in w.containers:
        return _container_status(w.containers[node])
    raise _missing(node)


def _ig_user(call: Call, fields: str) -> dict[str, Any]:
    w = call.world
    match = re.match(r"mentioned_comment\.comment_id\((\w+)\)", fields)
    if match:
        comment = w.comments.get(match.group(1))
        if comment is None:
            raise _missing(match.group(1))
        post = w.posts[comment.object_id]
        return {
            "id": w.page.ig_id,
            "mentioned_comment": {
                "id": comment.id,
                "text": comment.text,
                "timestamp": graph_time(comment.created),
                "username": comment.author_name,
                "from": {"id": comment.author_id, "username": comment.author_name},
                "media": {"id": post.id, "permalink": post.permalink, "caption": post.text},
            },
        }
    match = re.match(r"mentioned_media\.media_id\((\w+)\)", fields)
    if match:
        media = w.posts.get(match.group(1))
        if media is None:
            raise _missing(match.group(1))
        return {
            "id": w.page.ig_id,
            "mentioned_media": {
                "id": media.id,
                "caption": media.text,
                "username": w.names.get(media.owner_id, "someone"),
                "permalink": media.permalink,
                "timestamp": graph_time(media.created),
            },
        }
    return {"id": w.page.ig_id, "username": w.page.ig_username}


def _post_json(post: Post) -> dict[str, Any]:
    if post.platform == "instagram":
        return {
            "id": post.id,
            "caption": post.text,
            "timestamp": graph_time(post.created),
            "permalink": post.permalink,
            "media_type": "IMAGE",
        }
    return {
        "id": post.id,
        "message": post.text,
        "created_time": graph_time(post.created),
        "updated_time": graph_time(post.updated),
        "permalink_url": post.permalink,
    }


def _comment_json(w: World, c: Comment, *, with_replies: bool = False) -> dict[str, Any]:
    if c.platform == "instagram":
        item: dict[str, Any] = {
            "id": c.id,
            "text": c.text,
            "username": c.author_name,
            "timestamp": graph_time(c.created),
            "hidden": c.hidden,
            "from": {"id": c.author_id, "username": c.author_name},
        }
        if c.parent_id:
            item["parent_id"] = c.parent_id
        if with_replies:
            replies = [_comment_json(w, r) for r in _children(w, c.id)]
            if replies:
                item["replies"] = {"data": replies}
        return item
    item = {
        "id": c.id,
        "message": c.text,
        "from": {"id": c.author_id, "name": c.author_name},
        "created_time": graph_time(c.created),
        "is_hidden": c.hidden,
    }
    if c.parent_id:
        item["parent"] = {"id": c.parent_id}
    return item


def _children(w: World, parent_id: str) -> list[Comment]:
    return sorted(
        (c for c in w.comments.values() if c.parent_id == parent_id and not c.deleted),
        key=lambda c: c.created,
    )


def list_comments(call: Call, node: str) -> dict[str, Any]:
    """FB posts: `filter=stream` flattens replies; `order=reverse_chronological` newest first."""
    w = call.world
    if node in w.comments:  # FB replies to a comment
        return paged(call, [_comment_json(w, c) for c in _children(w, node)])
    post = w.posts.get(node)
    if post is None:
        raise _missing(node)
    found = [c for c in w.comments.values() if c.object_id == post.id and not c.deleted]
    if post.platform == "instagram" or call.text("filter") != "stream":
        found = [c for c in found if c.parent_id is None]
    found.sort(
        key=lambda c: c.created,
        reverse=call.text("order") == "reverse_chronological" or post.platform == "instagram",
    )
    with_replies = "replies" in call.text("fields")
    return paged(call, [_comment_json(w, c, with_replies=with_replies) for c in found])


def list_replies(call: Call, node: str) -> dict[str, Any]:
    if node not in call.world.comments:
        raise _missing(node)
    return paged(call, [_comment_json(call.world, c) for c in _children(call.world, node)])


def add_comment(call: Call, node: str) -> dict[str, Any]:
    """POST /{post}/comments, /{fb-comment}/comments, /{ig-comment}/replies as the Page."""
    w = call.world
    text = call.text("message")
    if not text:
        raise GraphError(100, "(#100) The parameter message is required")
    if node in w.comments:
        target = _own_comment(call, node)
        post = w.posts[target.object_id]
        parent = target.parent_id or target.id  # one level deep: replies attach to the top
    elif node in w.posts and w.posts[node].owner_id in w.owner_ids():
        post, parent = w.posts[node], None
    else:
        raise _missing(node)
    ours = post.platform == "instagram"
    comment = w.add_comment(
        post,
        author_id=w.page.ig_id if ours else w.page.id,
        author_name=w.page.ig_username if ours else w.page.name,
        text=text,
        parent_id=parent,
    )
    deliverer().emit(
        [events.comment_change(w, comment, post)], mode=w.config.get("ECHO_MODE", "now")
    )
    return {"id": comment.id}


def reply_to_mention(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.ig_id:
        raise _missing(owner)
    media_id = call.text("media_id")
    post = w.posts.get(media_id)
    if post is None:
        raise GraphError(100, "(#100) media_id is required and must be a media we are mentioned on")
    parent = call.text("comment_id") or None
    if parent is not None and parent not in w.comments:
        raise _missing(parent)
    comment = w.add_comment(
        post,
        author_id=w.page.ig_id,
        author_name=w.page.ig_username,
        text=call.text("message"),
        parent_id=parent,
    )
    return {"id": comment.id}


def moderate(call: Call, node: str) -> dict[str, Any]:
    comment = _own_comment(call, node)
    hide = call.flag("is_hidden") if comment.platform == "facebook" else call.flag("hide")
    if hide is None:
        raise GraphError(100, "(#100) is_hidden (Facebook) or hide (Instagram) is required")
    comment.hidden = hide
    return {"success": True}


def delete_node(call: Call, node: str) -> dict[str, Any]:
    comment = _own_comment(call, node)
    comment.deleted = True
    return {"success": True}


def _own_comment(call: Call, comment_id: str) -> Comment:
    w = call.world
    comment = w.comments.get(comment_id)
    if comment is None or comment.deleted:
        raise _missing(comment_id)
    post = w.posts[comment.object_id]
    if post.owner_id not in w.owner_ids() and comment.author_id not in w.owner_ids():
        raise GraphError(200, "(#200) Requires permission on the media this comment belongs to")
    return comment


# -- feed and publishing ----------------------------------------------------------------------


def list_feed(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    posts = sorted(
        (
            p
            for p in w.posts.values()
            if p.owner_id == owner and p.platform == "facebook" and p.published
        ),
        key=lambda p: p.created,
        reverse=True,
    )
    return paged(call, [_post_json(p) for p in posts])


def publish_feed(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.id:
        raise _missing(owner)
    text = call.text("message")
    attached = call.obj("attached_media") or []
    if not text and not call.params.get("link") and not attached:
        raise GraphError(100, "(#100) Post must have message, link or attached_media")
    post = w.add_post("facebook", text)
    post.image_urls = [w.photos.pop(str(a.get("media_fbid")), "") for a in attached]
    return {"id": post.id}


def publish_photo(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.id:
        raise _missing(owner)
    url = call.text("url")
    if not url:
        raise GraphError(100, "(#100) url or source is required")
    photo_id = w.numeric_id("55")
    if call.flag("published") is False:
        w.photos[photo_id] = url
        return {"id": photo_id}
    post = w.add_post("facebook", call.text("caption") or call.text("message"))
    post.image_urls = [url]
    return {"id": photo_id, "post_id": post.id}


def list_media(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    posts = sorted(
        (p for p in w.posts.values() if p.owner_id == owner and p.platform == "instagram"),
        key=lambda p: p.created,
        reverse=True,
    )
    return paged(call, [_post_json(p) for p in posts])


def create_container(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.ig_id:
        raise _missing(owner)
    caption = call.text("caption")
    carousel = call.text("media_type") == "CAROUSEL"
    image_url = call.text("image_url") or None
    if not carousel and not image_url:
        raise GraphError(100, "(#100) The parameter image_url is required.")
    if len(caption) > 2200:
        raise GraphError(
            100, "(#100) The caption is too long (2,200 characters at most).", subcode=2207035
        )
    if len(HASHTAG.findall(caption)) > int(w.config.get("MAX_HASHTAGS", 30)):
        raise GraphError(100, "(#100) The caption has too many hashtags.", subcode=2207034)
    children = [c for c in call.text("children").split(",") if c] if carousel else []
    if carousel and any(c not in w.containers for c in children):
        raise GraphError(100, "(#100) children must be carousel item containers")
    container = Container(
        id=w.numeric_id("17"),
        owner_id=owner,
        caption=caption,
        image_url=image_url,
        checks_left=int(w.config.get("CONTAINER_CHECKS", 1)),
        children=children,
        is_carousel_item=bool(call.flag("is_carousel_item")),
    )
    w.containers[container.id] = container
    return {"id": container.id}


def _container_status(container: Container) -> dict[str, Any]:
    if container.status == "IN_PROGRESS":
        if container.checks_left <= 0:
            failed = container.image_url is not None and "error" in container.image_url
            container.status = "ERROR" if failed else "FINISHED"
        container.checks_left -= 1
    return {"id": container.id, "status_code": container.status}


def media_publish(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    container = w.containers.get(call.text("creation_id"))
    if owner != w.page.ig_id or container is None:
        raise GraphError(100, "(#100) creation_id is not a container of this account")
    if container.status != "FINISHED":
        raise GraphError(9007, "Media ID is not available", subcode=2207027, kind="OAuthException")
    post = w.add_post("instagram", container.caption)
    post.image_urls = (
        [container.image_url]
        if container.image_url
        else [w.containers[c].image_url or "" for c in container.children]
    )
    container.status, container.media_id = "PUBLISHED", post.id
    return {"id": post.id}


def _missing(node: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation.",
        subcode=33,
        kind="GraphMethodException",
    )


def _cdn(w: World, name: str) -> str:
    return f"{str(w.config.get('PUBLIC_URL') or request.url_root).rstrip('/')}/_emu/media/{name}"


Handler = Callable[[Call, str], dict[str, Any]]
_NODE: dict[str, Handler] = {"GET": read_node, "POST": moderate, "DELETE": delete_node}
_EDGES: dict[tuple[str, str], Handler] = {
    ("POST", "messages"): send_api,
    ("GET", "conversations"): list_conversations,
    ("GET", "messages"): list_messages,
    ("GET", "feed"): list_feed,
    ("POST", "feed"): publish_feed,
    ("POST", "photos"): publish_photo,
    ("GET", "comments"): list_comments,
    ("POST", "comments"): add_comment,
    ("GET", "replies"): list_replies,
    ("POST", "replies"): add_comment,
    ("GET", "media"): list_media,
    ("POST", "media"): create_container,
    ("POST", "media_publish"): media_publish,
    ("POST", "mentions"): reply_to_mention,
}
