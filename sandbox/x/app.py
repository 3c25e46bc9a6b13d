"""The X API v2 emulator: `create_app()` serves `/2/...` like api.x.com, plus `/_emu/...`.

Faithful where the connector depends on it: response shapes (data / includes / meta / errors),
default fields vs requested fields, since_id / until_id / pagination tokens, auth modes
(OAuth 1.0a signatures are verified against the URL actually called; app-only bearer tokens
cannot write or read DMs), per-endpoint 15-minute rate-limit windows with X's header names,
problem JSON for 4xx, and scripted 429/5xx. Never used by production code paths.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request

from connectors.x.weighted_length import MAX_WEIGHTED_LENGTH, weighted_length
from sandbox.x import control
from sandbox.x.delivery import deliver_dm, deliver_tweet
from sandbox.x.wire import (
    DM_DEFAULT,
    MEDIA_DEFAULT,
    TWEET_DEFAULT,
    USER_DEFAULT,
    Problem,
    invalid_request,
    max_results,
    oauth1_params,
    oauth1_valid,
    paginate,
    pick,
    snowflake_param,
    unauthorized,
    unsupported_authentication,
)
from sandbox.x.world import WINDOW_SECONDS, DmEvent, Token, Tweet, World


def create_app(world: World | None = None) -> Flask:
    """Build the emulator around `world` (a fresh seeded one by default)."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["x_world"] = world or World()
    app.before_request(_log_request)
    app.after_request(_finish)
    app.register_error_handler(Problem, lambda exc: exc.response())
    _routes(app)
    control.register(app)
    return app


def _world() -> World:
    world: World = current_app.extensions["x_world"]
    return world


# Plumbing: request log, auth, budgets.


def _log_request() -> None:
    if not request.path.startswith("/2/"):
        return
    entry = {
        "method": request.method,
        "path": request.path,
        "query": dict(request.args.items()),
        "auth": (request.headers.get("Authorization") or "").split(" ", 1)[0],
        "content_type": request.headers.get("Content-Type"),
        "body": request.get_data(as_text=True),
        "json": request.get_json(silent=True),
    }
    g.log_entry = entry
    with _world().lock:
        _world().requests.append(entry)


def _finish(response: Response) -> Response:
    for name, value in (getattr(g, "rate_headers", None) or {}).items():
        response.headers[name] = value
    entry = getattr(g, "log_entry", None)
    if entry is not None:
        entry["status"] = response.status_code
    return response


def _auth(*, user_context: bool) -> Token:
    """Authenticate the request; app-only bearer tokens only pass where `user_context` is False."""
    world = _world()
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


def _spend(endpoint: str, token: Token) -> None:
    """Charge one call to the token's window for `endpoint`; raise 429/5xx when due."""
    world = _world()
    with world.lock:
        now = world.clock.now()
        limit = world.limits.get(endpoint, 900)
        reset, used = world.windows.get((token.token, endpoint), (now + WINDOW_SECONDS, 0))
        if now >= reset:
            reset, used = now + WINDOW_SECONDS, 0
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


# Views.


def _routes(app: Flask) -> None:
    app.get("/2/users/me")(users_me)
    app.get("/2/users/<user_id>")(user_by_id)
    app.get("/2/users/by/username/<username>")(user_by_username)
    app.get("/2/users/<user_id>/mentions")(mentions)
    app.get("/2/tweets")(tweets_lookup)
    app.get("/2/tweets/<tweet_id>")(tweet_lookup)
    app.post("/2/tweets")(create_tweet)
    app.get("/2/dm_events")(dm_events)
    app.get("/2/dm_conversations/with/<participant_id>/dm_events")(dm_events_with)
    app.get("/2/dm_conversations/<conversation_id>/dm_events")(dm_events_in)
    app.post("/2/dm_conversations/with/<participant_id>/messages")(send_dm_with)
    app.post("/2/dm_conversations/<conversation_id>/messages")(send_dm_in)
    app.post("/2/users/<user_id>/likes")(like)


def users_me() -> Response:
    token = _auth(user_context=True)
    _spend("users_me", token)
    user = _world().users[str(token.user_id)]
    return jsonify(
        data=pick(_world().user_json(user), request.args.get("user.fields"), USER_DEFAULT)
    )


def user_by_id(user_id: str) -> Response:
    _spend("users_lookup", _auth(user_context=False))
    return _user_response(_world().users.get(user_id), user_id, "id")


def user_by_username(username: str) -> Response:
    _spend("users_lookup", _auth(user_context=False))
    return _user_response(_world().user(username), username, "username")


def _user_response(user: Any, value: str, parameter: str) -> Response:
    if user is None:
        return jsonify(
            errors=[
                {
                    "value": value,
                    "detail": f"Could not find user with {parameter}: [{value}].",
                    "title": "Not Found Error",
                    "resource_type": "user",
                    "parameter": parameter,
                    "resource_id": value,
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
            ]
        )
    return jsonify(
        data=pick(_world().user_json(user), request.args.get("user.fields"), USER_DEFAULT)
    )


def mentions(user_id: str) -> Response:
    token = _auth(user_context=False)
    size = max_results(request.args.get("max_results"), 5, 100, 10)
    since = snowflake_param("since_id", request.args.get("since_id"))
    until = snowflake_param("until_id", request.args.get("until_id"))
    _spend("mentions", token)
    world = _world()
    user = world.users.get(user_id)
    if user is None:
        raise invalid_request(
            "id", user_id, f"The `id` query parameter value [{user_id}] is not valid"
        )
    items = [
        t
        for t in world.mentions_of(user)
        if (since is None or int(t.id) > since) and (until is None or int(t.id) < until)
    ]
    page, next_token, previous = paginate(
        items, lambda t: t.id, size, request.args.get("pagination_token")
    )
    return _tweets_page(page, next_token, previous)


def _tweets_page(page: list[Tweet], next_token: str | None, previous: str | None) -> Response:
    if not page:
        return jsonify(meta={"result_count": 0})
    doc: dict[str, Any] = {"data": [_tweet_out(t) for t in page]}
    includes = _tweet_includes(page)
    if includes:
        doc["includes"] = includes
    meta: dict[str, Any] = {
        "result_count": len(page),
        "newest_id": page[0].id,
        "oldest_id": page[-1].id,
    }
    if next_token:
        meta["next_token"] = next_token
    if previous:
        meta["previous_token"] = previous
    doc["meta"] = meta
    return jsonify(doc)


def _tweet_out(tweet: Tweet) -> dict[str, Any]:
    return pick(_world().tweet_json(tweet), request.args.get("tweet.fields"), TWEET_DEFAULT)


def _expansions() -> set[str]:
    return {e for e in (request.args.get("expansions") or "").split(",") if e}


def _tweet_includes(tweets: list[Tweet]) -> dict[str, Any]:
    world, wanted = _world(), _expansions()
    user_ids: list[str] = []
    if "author_id" in wanted:
        user_ids += [t.author_id for t in tweets]
    if "in_reply_to_user_id" in wanted:
        user_ids += [t.in_reply_to_user_id for t in tweets if t.in_reply_to_user_id]
    includes: dict[str, Any] = {}
    users = _users_out(user_ids)
    if users:
        includes["users"] = users
    if "attachments.media_keys" in wanted:
        media = _media_out([k for t in tweets for k in t.media_keys])
        if media:
            includes["media"] = media
    if "referenced_tweets.id" in wanted:
        refs = [world.tweets[t.replied_to] for t in tweets if t.replied_to in world.tweets]
        if refs:
            includes["tweets"] = [_tweet_out(t) for t in refs]
    return includes


def _users_out(user_ids: list[str]) -> list[dict[str, Any]]:
    world, seen, out = _world(), set(), []
    for uid in user_ids:
        if uid in seen or uid not in world.users:
            continue
        seen.add(uid)
        out.append(
            pick(world.user_json(world.users[uid]), request.args.get("user.fields"), USER_DEFAULT)
        )
    return out


def _media_out(keys: list[str]) -> list[dict[str, Any]]:
    world = _world()
    fields = request.args.get("media.fields")
    return [
        pick(world.media[k], fields, MEDIA_DEFAULT) for k in dict.fromkeys(keys) if k in world.media
    ]


def tweets_lookup() -> Response:
    _spend("tweets_lookup", _auth(user_context=False))
    ids = [i for i in (request.args.get("ids") or "").split(",") if i]
    if not ids or len(ids) > 100:
        raise invalid_request("ids", request.args.get("ids", ""), "`ids` must list 1 to 100 ids")
    return _lookup(ids, "ids")


def tweet_lookup(tweet_id: str) -> Response:
    _spend("tweets_lookup", _auth(user_context=False))
    response = _lookup([tweet_id], "id")
    doc = response.get_json()
    if isinstance(doc.get("data"), list):
        doc["data"] = doc["data"][0]
    return jsonify(doc)


def _lookup(ids: list[str], parameter: str) -> Response:
    world = _world()
    found = [world.tweets[i] for i in ids if i in world.tweets]
    doc: dict[str, Any] = {}
    if found:
        doc["data"] = [_tweet_out(t) for t in found]
        includes = _tweet_includes(found)
        if includes:
            doc["includes"] = includes
    missing = [i for i in ids if i not in world.tweets]
    if missing:
        doc["errors"] = [
            {
                "value": i,
                "detail": f"Could not find tweet with {parameter}: [{i}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": parameter,
                "resource_id": i,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
            for i in missing
        ]
    return jsonify(doc)


def create_tweet() -> tuple[Response, int]:
    token = _auth(user_context=True)
    body = _json_body()
    text = body.get("text")
    if not isinstance(text, str) or not text:
        raise invalid_request("text", str(text), "`text` is required")
    reply = body.get("reply") or {}
    parent_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    world = _world()
    if parent_id is not None and str(parent_id) not in world.tweets:
        raise invalid_request(
            "reply.in_reply_to_tweet_id",
            str(parent_id),
            "The Tweet you are replying to does not exist or has been deleted.",
        )
    _spend("tweets_create", token)
    if weighted_length(text) > MAX_WEIGHTED_LENGTH:
        raise Problem(403, "Forbidden", "Your Tweet text is too long.")
    author = str(token.user_id)
    if any(t.author_id == author and t.raw_text == text for t in world.tweets.values()):
        raise Problem(
            403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
        )
    tweet = world.add_tweet(
        author_id=author, text=text, in_reply_to=str(parent_id) if parent_id else None
    )
    deliver_tweet(world, tweet)
    data = {"id": tweet.id, "text": tweet.raw_text, "edit_history_tweet_ids": [tweet.id]}
    return jsonify(data=data), 201


def _json_body() -> dict[str, Any]:
    try:
        doc = json.loads(request.get_data(as_text=True) or "null")
    except ValueError as exc:
        raise Problem(400, "Invalid Request", "Request body is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise Problem(400, "Invalid Request", "Request body must be a JSON object")
    return doc


def dm_events() -> Response:
    token = _auth(user_context=True)
    return _dm_page(token, lambda event: True)


def dm_events_with(participant_id: str) -> Response:
    token = _auth(user_context=True)
    return _dm_page(token, lambda event: participant_id in event.dm_conversation_id.split("-"))


def dm_events_in(conversation_id: str) -> Response:
    token = _auth(user_context=True)
    return _dm_page(token, lambda event: event.dm_conversation_id == conversation_id)


def _dm_page(token: Token, keep: Any) -> Response:
    size = max_results(request.args.get("max_results"), 1, 100, 100)
    _spend("dm_events", token)
    world = _world()
    types = set(
        (
            request.args.get("event_types") or "MessageCreate,ParticipantsJoin,ParticipantsLeave"
        ).split(",")
    )
    items: list[DmEvent] = [
        e for e in world.dm_events_of(str(token.user_id)) if keep(e) and e.event_type in types
    ]
    page, next_token, previous = paginate(
        items, lambda e: e.id, size, request.args.get("pagination_token")
    )
    if not page:
        return jsonify(meta={"result_count": 0})
    fields = request.args.get("dm_event.fields")
    doc: dict[str, Any] = {"data": [pick(world.dm_json(e), fields, DM_DEFAULT) for e in page]}
    wanted = _expansions()
    user_ids: list[str] = []
    if "sender_id" in wanted:
        user_ids += [e.sender_id for e in page]
    if "participant_ids" in wanted:
        user_ids += [p for e in page for p in e.participant_ids]
    includes: dict[str, Any] = {}
    if user_ids:
        includes["users"] = _users_out(user_ids)
    if "attachments.media_keys" in wanted:
        media = _media_out([k for e in page for k in e.media_keys])
        if media:
            includes["media"] = media
    if includes:
        doc["includes"] = includes
    meta: dict[str, Any] = {"result_count": len(page)}
    if next_token:
        meta["next_token"] = next_token
    if previous:
        meta["previous_token"] = previous
    doc["meta"] = meta
    return jsonify(doc)


def send_dm_with(participant_id: str) -> tuple[Response, int]:
    return _send_dm(participant_id)


def send_dm_in(conversation_id: str) -> tuple[Response, int]:
    token = _auth(user_context=True)
    others = [p for p in conversation_id.split("-") if p != token.user_id]
    if not others:
        raise Problem(
            404, "Not Found Error", f"Could not find DM conversation: [{conversation_id}]."
        )
    return _send_dm(others[0])


def _send_dm(participant_id: str) -> tuple[Response, int]:
    token = _auth(user_context=True)
    body = _json_body()
    text = body.get("text")
    if not isinstance(text, str) or not text:
        raise invalid_request("text", str(text), "`text` is required when no attachment is given")
    world = _world()
    recipient = world.users.get(participant_id)
    if recipient is None:
        raise invalid_request(
            "participant_id", participant_id, f"Could not find user with id: [{participant_id}]."
        )
    _spend("dm_send", token)
    if not recipient.dm_open:
        raise Problem(
            403, "Forbidden", "You are not permitted to send Direct Messages to this user."
        )
    if len(text) > 10_000:
        raise invalid_request("text", text[:20], "Text is longer than 10000 characters")
    event = world.add_dm(sender_id=str(token.user_id), recipient_id=participant_id, text=text)
    deliver_dm(world, event)
    data = {"dm_conversation_id": event.dm_conversation_id, "dm_event_id": event.id}
    return jsonify(data=data), 201


def like(user_id: str) -> Response:
    token = _auth(user_context=True)
    if token.user_id != user_id:
        raise Problem(403, "Forbidden", "You are not allowed to like on behalf of this user.")
    tweet_id = str(_json_body().get("tweet_id") or "")
    world = _world()
    if tweet_id not in world.tweets:
        raise invalid_request("tweet_id", tweet_id, f"Could not find tweet with id: [{tweet_id}].")
    _spend("likes", token)
    with world.lock:
        world.likes.append((user_id, tweet_id))
    return jsonify(data={"liked": True})
