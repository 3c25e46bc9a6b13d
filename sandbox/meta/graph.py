"""The Graph API surface (docs/platform-apis.md §4 checklist), served under any `/vNN.0/`.

Parameters are read from the query string, a form body or a JSON body, as Graph does; tokens
from `access_token` or `Authorization: Bearer`. Every response carries the three usage headers;
every error is Graph's envelope. Each call is logged exactly as received for tests to inspect.
Handlers live in messaging.py (Send API, conversations) and content.py (everything else).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request

from sandbox.meta import content, messaging, profiles, whatsapp
from sandbox.meta.calls import Call, world
from sandbox.meta.world import Fault, GraphError, Page, World

bp = Blueprint("meta_graph", __name__)
VERSION = re.compile(r"^v\d{1,2}\.\d$")


@bp.route("/<version>/<path:path>", methods=["GET", "POST", "DELETE"])
def graph(version: str, path: str) -> Response:
    w = world()
    params = _params()
    hang = 0.0
    with w.lock:
        _log(w, version, path, params)
        throttled: float | None = None  # regain minutes when a forced throttling error fired
        fault = _take_fault(w, path)
        try:
            if not VERSION.match(version):
                raise GraphError(2500, f"Unknown path components: /{version}/{path}")
            forced = _take_forced(w, path)
            if forced is not None:
                if _throttling(forced.error.code):
                    throttled = forced.regain_minutes
                raise forced.error
            if fault is not None and fault.mode == "429":
                throttled = 1.0
                raise GraphError(4, "(#4) Application request limit reached", transient=True)
            if fault is not None and fault.mode == "5xx" and not fault.accept:
                raise _server_error(fault.status)
            page = _authenticate(w, params)
            call = Call(w, page, params, version, path.strip("/"))
            body, status = _dispatch(call, request.method), 200
            if fault is not None and fault.mode == "5xx":
                raise _server_error(fault.status)  # it happened, but we say it failed
            if fault is not None and fault.mode == "timeout":
                hang = fault.hang_seconds
        except GraphError as exc:
            body, status = exc.body(secrets.token_urlsafe(12)), exc.status
    if hang:
        time.sleep(hang)  # the call took effect; the client gives up before this answer
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    _usage_headers(w, response, forced=throttled)
    return response


def _take_fault(w: World, path: str) -> Fault | None:
    for fault in w.faults:
        if (
            fault.count > 0
            and fault.path_contains in path
            and fault.method in (request.method, "*")
        ):
            fault.count -= 1
            if fault.count == 0:
                w.faults.remove(fault)
            return fault
    return None


def _server_error(status: int) -> GraphError:
    return GraphError(1, "An unknown error has occurred.", status=status, transient=True)


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
            "files": _files(),
            "at": w.now().isoformat(),
        }
    )


def _files() -> dict[str, dict[str, Any]]:
    """Each multipart file part as received: its name, declared type, size and digest."""
    found: dict[str, dict[str, Any]] = {}
    for field_name, upload in request.files.items():
        data = upload.read()
        upload.seek(0)
        found[field_name] = {
            "filename": upload.filename,
            "content_type": upload.mimetype,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    return found


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
    if token != w.page.token and not whatsapp.accepts(token):
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
    found = whatsapp.dispatch(call, method, parts)
    if found is not None:
        return found
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


Handler = Callable[[Call, str], dict[str, Any]]
_NODE: dict[str, Handler] = {
    "GET": profiles.read_node,  # customers' profiles, else content.read_node
    "POST": content.moderate,
    "DELETE": content.delete_node,
}
_EDGES: dict[tuple[str, str], Handler] = {
    ("POST", "messages"): messaging.send_api,
    ("GET", "conversations"): messaging.list_conversations,
    ("GET", "messages"): messaging.list_messages,
    ("GET", "feed"): content.list_feed,
    ("POST", "feed"): content.publish_feed,
    ("POST", "photos"): content.publish_photo,
    ("GET", "comments"): content.list_comments,
    ("POST", "comments"): content.add_comment,
    ("GET", "replies"): content.list_replies,
    ("POST", "replies"): content.add_comment,
    ("GET", "media"): content.list_media,
    ("POST", "media"): content.create_container,
    ("POST", "media_publish"): content.media_publish,
    ("POST", "mentions"): content.reply_to_mention,
}
