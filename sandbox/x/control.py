"""Emulator-only controls under `/_emu/`: inject customer activity, revoke tokens, script rate
limits and failures, move the clock, read back received requests, drive webhooks.

`/_emu/webhook` registers an Account Activity webhook URL after a CRC check, as X does;
delivery.py then POSTs every new tweet or DM involving the brand there, signed.
"""

from __future__ import annotations

import secrets
from typing import Any

import requests
from flask import Flask, Response, current_app, jsonify, request

from sandbox.x import simulator
from sandbox.x.delivery import deliver_dm, deliver_tweet, sign
from sandbox.x.wire import Problem
from sandbox.x.world import Fault, Forced, Token, User, World


def register(app: Flask) -> None:
    app.post("/_emu/reset")(reset)
    app.post("/_emu/users")(add_user)
    app.post("/_emu/mentions")(inject_mention)
    app.post("/_emu/tweets")(inject_tweet)
    app.post("/_emu/dms")(inject_dm)
    app.post("/_emu/tokens")(add_token)
    app.post("/_emu/tokens/revoke")(revoke_token)
    app.post("/_emu/rate_limit")(set_rate_limit)
    app.post("/_emu/fail")(set_failure)
    app.post("/_emu/fault")(set_fault)
    app.delete("/_emu/fault")(clear_faults)
    app.post("/_emu/clock")(move_clock)
    app.get("/_emu/requests")(list_requests)
    app.delete("/_emu/requests")(clear_requests)
    app.post("/_emu/webhook")(register_webhook)
    app.get("/_emu/deliveries")(list_deliveries)
    simulator.register(app)


def world() -> World:
    found: World = current_app.extensions["x_world"]
    return found


def _body() -> dict[str, Any]:
    doc = request.get_json(silent=True)
    return doc if isinstance(doc, dict) else {}


def _user(ref: Any, default: str | None = None) -> User:
    found = world().user(str(ref or default or ""))
    if found is None:
        raise Problem(404, "Not Found Error", f"no such user {ref!r}")
    return found


def reset() -> Response:
    world().reset()
    return jsonify(ok=True)


def add_user() -> Response:
    doc = _body()
    user = User(
        id=str(doc["id"]),
        username=str(doc["username"]),
        name=str(doc.get("name") or doc["username"]),
        dm_open=bool(doc.get("dm_open", True)),
    )
    with world().lock:
        world().users[user.id] = user
    return jsonify(data=world().user_json(user))


def inject_mention() -> Response:
    """A customer mentions the brand (`@brand` is prepended unless the text or reply has it)."""
    doc = _body()
    w = world()
    author = _user(doc.get("from"))
    brand = w.users[w.brand_id]
    text = str(doc.get("text") or "")
    parent = doc.get("in_reply_to_tweet_id")
    if not parent and f"@{brand.username}".lower() not in text.lower():
        text = f"@{brand.username} {text}"
    tweet = w.add_tweet(
        author_id=author.id,
        text=text,
        in_reply_to=str(parent) if parent else None,
        media_urls=tuple(doc.get("media_urls") or ()),
    )
    deliver_tweet(w, tweet)
    return jsonify(data=w.tweet_json(tweet))


def inject_tweet() -> Response:
    """Any user (the brand included) tweets `text` verbatim."""
    doc = _body()
    w = world()
    author = _user(doc.get("from"), w.brand_id)
    parent = doc.get("in_reply_to_tweet_id")
    tweet = w.add_tweet(author_id=author.id, text=str(doc["text"]), in_reply_to=parent)
    deliver_tweet(w, tweet)
    return jsonify(data=w.tweet_json(tweet))


def inject_dm() -> Response:
    """A user (a customer by default) DMs another (the brand by default)."""
    doc = _body()
    w = world()
    sender = _user(doc.get("from"))
    recipient = _user(doc.get("to"), w.brand_id)
    event = w.add_dm(
        sender_id=sender.id,
        recipient_id=recipient.id,
        text=str(doc.get("text") or ""),
        media_urls=tuple(doc.get("media_urls") or ()),
    )
    deliver_dm(w, event)
    return jsonify(data=w.dm_json(event))


def add_token() -> Response:
    doc = _body()
    token = Token(
        token=str(doc.get("token") or secrets.token_urlsafe(24)),
        kind=str(doc.get("kind") or "oauth2_user"),
        user_id=str(doc["user_id"]) if doc.get("user_id") else None,
        secret=str(doc.get("secret") or ""),
    )
    world().add_token(token)
    return jsonify(token=token.token, kind=token.kind, user_id=token.user_id)


def revoke_token() -> Response:
    doc = _body()
    w = world()
    with w.lock:
        token = w.tokens.get(str(doc.get("token")))
        if token is None:
            raise Problem(404, "Not Found Error", "no such token")
        token.revoked = True
    return jsonify(revoked=token.token)


def set_rate_limit() -> Response:
    """Set a window size (`limit`) and/or force 429 after `after` more calls for `reset_in` s."""
    doc = _body()
    endpoint = str(doc["endpoint"])
    w = world()
    with w.lock:
        if "limit" in doc:
            w.limits[endpoint] = int(doc["limit"])
        if "after" in doc:
            w.forced[endpoint] = Forced(
                status=429,
                after=int(doc["after"]),
                reset_in=float(doc.get("reset_in", 900)),
                body=str(doc.get("body") or "problem"),
            )
        if doc.get("clear"):
            w.forced.pop(endpoint, None)
            w.windows = {k: v for k, v in w.windows.items() if k[1] != endpoint}
    return jsonify(endpoint=endpoint, limit=w.limits.get(endpoint))


def set_failure() -> Response:
    """Answer `status` (default 503) `times` times, after `after` more good calls."""
    doc = _body()
    with world().lock:
        world().forced[str(doc["endpoint"])] = Forced(
            status=int(doc.get("status", 503)),
            after=int(doc.get("after", 0)),
            reset_in=0,
            times=int(doc.get("times", 1)),
        )
    return jsonify(ok=True)


def set_fault() -> Response:
    """Transport faults on `endpoint` (tweets_create, dm_send, mentions, ...) for `count` calls.

    mode `timeout`: the call takes effect, then the answer is held `hang_seconds` (longer
    than the client's timeout): "accept, then time out". mode `5xx`: answer `http_status`
    (503); with `accept` (default false) the tweet or DM is created first. mode `429`: the
    endpoint's window is exhausted for `reset_in` seconds (as /_emu/rate_limit).
    """
    doc = _body()
    endpoint, mode = str(doc["endpoint"]), str(doc.get("mode", "timeout"))
    w = world()
    with w.lock:
        if mode == "429":
            w.forced[endpoint] = Forced(
                status=429, after=0, reset_in=float(doc.get("reset_in", 60))
            )
        elif mode in ("timeout", "5xx"):
            w.faults[endpoint] = Fault(
                mode=mode,
                count=int(doc.get("count", 1)),
                accept=bool(doc.get("accept", mode == "timeout")),
                hang_seconds=float(doc.get("hang_seconds", 3)),
                status=int(doc.get("http_status", 503)),
            )
        else:
            raise Problem(400, "Invalid Request", "mode must be timeout, 5xx or 429")
    return jsonify(ok=True)


def clear_faults() -> Response:
    with world().lock:
        world().faults.clear()
        world().forced.clear()
    return jsonify(ok=True)


def take_fault(w: World, endpoint: str) -> Fault | None:
    """The transport fault to apply to this call, if any (called under the world lock)."""
    fault = w.faults.get(endpoint)
    if fault is None:
        return None
    fault.count -= 1
    if fault.count <= 0:
        del w.faults[endpoint]
    return fault


def due(w: World, endpoint: str, now: float) -> Forced | None:
    """Return the scripted failure to answer now, if any (called under the world lock)."""
    forced = w.forced.get(endpoint)
    if forced is None:
        return None
    if forced.until is not None:
        if now < forced.until:
            return forced
        del w.forced[endpoint]
        return None
    if forced.after > 0:
        forced.after -= 1
        return None
    if forced.status == 429:
        forced.until = now + forced.reset_in
        return forced
    forced.times = (forced.times or 1) - 1
    if forced.times <= 0:
        del w.forced[endpoint]
    return forced


def move_clock() -> Response:
    seconds = float(_body().get("advance", 0))
    return jsonify(now=world().clock.advance(seconds))


def list_requests() -> Response:
    """Every `/2/` request received, oldest first, with its exact body; filter by method/path."""
    method, path = request.args.get("method"), request.args.get("path")
    with world().lock:
        found = [
            r
            for r in world().requests
            if (method is None or r["method"] == method) and (path is None or r["path"] == path)
        ]
    return jsonify(requests=found)


def clear_requests() -> Response:
    with world().lock:
        world().requests.clear()
    return jsonify(ok=True)


# Account Activity webhook driver.


def register_webhook() -> Response:
    """Register the app's webhook URL after checking its CRC answer, as X does."""
    url = str(_body()["url"])
    w = world()
    crc_token = secrets.token_urlsafe(16)
    answer = requests.get(url, params={"crc_token": crc_token}, timeout=10)
    expected = _sign(w.consumer_secret, crc_token.encode())
    try:
        valid = answer.json().get("response_token") == expected
    except ValueError:
        valid = False
    if answer.status_code != 200 or not valid:
        raise Problem(
            400, "CRC Failed", f"webhook answered {answer.status_code} {answer.text[:100]}"
        )
    w.webhook_url = url
    return jsonify(url=url, valid=True)


def list_deliveries() -> Response:
    with world().lock:
        return jsonify(deliveries=list(world().deliveries))


def _sign(secret: str, payload: bytes) -> str:
    return sign(secret, payload)
