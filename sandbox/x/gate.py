"""Request plumbing shared by the emulator's views: the world, the request log, auth, budgets."""

from __future__ import annotations

import hashlib
import json
import math
import time
from typing import Any

from flask import Response, current_app, g, request

from sandbox.x import control
from sandbox.x.wire import (
    Problem,
    oauth1_params,
    oauth1_valid,
    unauthorized,
    unsupported_authentication,
)
from sandbox.x.world import WINDOW_SECONDS, Token, World


def the_world() -> World:
    world: World = current_app.extensions["x_world"]
    return world


def log_request() -> None:
    if not request.path.startswith("/2/"):
        return
    entry = {
        "method": request.method,
        "path": request.path,
        "query": dict(request.args.items()),
        "auth": (request.headers.get("Authorization") or "").split(" ", 1)[0],
        "content_type": request.headers.get("Content-Type"),
        "body": "" if request.files else request.get_data(as_text=True),
        "json": request.get_json(silent=True),
        "form": dict(request.form.items()),
        "files": {
            name: _file_entry(upload.filename, upload.mimetype, upload.stream.read())
            for name, upload in request.files.items()
        },
    }
    for upload in request.files.values():
        upload.stream.seek(0)
    g.log_entry = entry
    with the_world().lock:
        the_world().requests.append(entry)


def _file_entry(filename: str | None, content_type: str, data: bytes) -> dict[str, Any]:
    """A multipart file part as received: name, declared type, size and digest."""
    return {
        "filename": filename,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def finish(response: Response) -> Response:
    fault = getattr(g, "fault", None)
    if fault is not None and fault.mode == "5xx":
        response = Problem(fault.status, "Service Unavailable", "Service Unavailable").response()
    elif fault is not None and fault.mode == "timeout":
        time.sleep(fault.hang_seconds)  # it happened; the client gives up before this answer
    for name, value in (getattr(g, "rate_headers", None) or {}).items():
        response.headers[name] = value
    entry = getattr(g, "log_entry", None)
    if entry is not None:
        entry["status"] = response.status_code
    return response


def authenticate(*, user_context: bool) -> Token:
    """Authenticate the request; app-only bearer tokens only pass where `user_context` is False."""
    world = the_world()
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme == "Bearer":
        token = world.tokens.get(value.strip())
    elif scheme == "OAuth":
        token = _oauth1_token(world, header)
    else:
        token = None
    if token is None or token.revoked:
        raise unauthorized()
    if token.expires_at is not None and world.clock.now() >= token.expires_at:
        raise unauthorized()
    if user_context and token.kind == "app":
        raise unsupported_authentication()
    return token


def _oauth1_token(world: World, header: str) -> Token | None:
    params = oauth1_params(header)
    token = world.tokens.get(params.get("oauth_token", ""))
    if token is None or token.kind != "oauth1":
        return None
    if params.get("oauth_consumer_key") != world.consumer_key:
        return None
    valid = oauth1_valid(
        header,
        method=request.method,
        url=request.url,
        query=list(request.args.items(multi=True)),
        consumer_secret=world.consumer_secret,
        token_secret=token.secret,
    )
    return token if valid else None


def spend(endpoint: str, token: Token) -> None:
    """Charge one call to the token's window for `endpoint`; raise 429/5xx when due."""
    world = the_world()
    with world.lock:
        now = world.clock.now()
        limit = world.limits.get(endpoint, 900)
        reset, used = world.windows.get((token.token, endpoint), (now + WINDOW_SECONDS, 0))
        if now >= reset:
            reset, used = now + WINDOW_SECONDS, 0
        fault = control.take_fault(world, endpoint)
        if fault is not None and not fault.accept:
            raise Problem(fault.status, "Service Unavailable", "Service Unavailable")
        g.fault = fault
        forced = control.due(world, endpoint, now)
        if forced is not None and forced.status == 429:
            _set_rate(limit, 0, forced.until or reset)
            raise _too_many(forced.body)
        if forced is not None:
            raise Problem(forced.status, "Service Unavailable", "Service Unavailable")
        if used >= limit:
            _set_rate(limit, 0, reset)
            raise _too_many("problem")
        used += 1
        world.windows[(token.token, endpoint)] = (reset, used)
        _set_rate(limit, limit - used, reset)


def _set_rate(limit: int, remaining: int, reset: float) -> None:
    g.rate_headers = {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(math.ceil(reset)),
    }


def _too_many(shape: str) -> Problem:
    if shape == "code88":
        problem = Problem(429, "Too Many Requests", "Rate limit exceeded")
        problem.extra = {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
        return problem
    return Problem(429, "Too Many Requests", "Too Many Requests")


def json_body() -> dict[str, Any]:
    try:
        doc = json.loads(request.get_data(as_text=True) or "null")
    except ValueError as exc:
        raise Problem(400, "Invalid Request", "Request body is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise Problem(400, "Invalid Request", "Request body must be a JSON object")
    return doc
