"""Tweet and user endpoints: users/me, user lookups, the mentions timeline, tweet lookups,
POST /2/tweets, the user's own timeline, likes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, Response, jsonify, request

from connectors.x.weighted_length import MAX_WEIGHTED_LENGTH, weighted_length
from sandbox.x.delivery import deliver_tweet
from sandbox.x.gate import authenticate, json_body, spend, the_world
from sandbox.x.wire import (
    MEDIA_DEFAULT,
    TWEET_DEFAULT,
    USER_DEFAULT,
    Problem,
    invalid_request,
    max_results,
    paginate,
    pick,
    snowflake_param,
)
from sandbox.x.world import Tweet


def register(app: Flask) -> None:
    app.get("/2/users/me")(users_me)
    app.get("/2/users/<user_id>")(user_by_id)
    app.get("/2/users/by/username/<username>")(user_by_username)
    app.get("/2/users/<user_id>/mentions")(mentions)
    app.get("/2/users/<user_id>/tweets")(user_tweets)
    app.get("/2/tweets")(tweets_lookup)
    app.get("/2/tweets/<tweet_id>")(tweet_lookup)
    app.post("/2/tweets")(create_tweet)
    app.post("/2/users/<user_id>/likes")(like)


def users_me() -> Response:
    token = authenticate(user_context=True)
    spend("users_me", token)
    user = the_world().users[str(token.user_id)]
    return jsonify(
        data=pick(the_world().user_json(user), request.args.get("user.fields"), USER_DEFAULT)
    )


def user_by_id(user_id: str) -> Response:
    spend("users_lookup", authenticate(user_context=False))
    return _user_response(the_world().users.get(user_id), user_id, "id")


def user_by_username(username: str) -> Response:
    spend("users_lookup", authenticate(user_context=False))
    return _user_response(the_world().user(username), username, "username")


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
        data=pick(the_world().user_json(user), request.args.get("user.fields"), USER_DEFAULT)
    )


def mentions(user_id: str) -> Response:
    token = authenticate(user_context=False)
    size = max_results(request.args.get("max_results"), 5, 100, 10)
    since = snowflake_param("since_id", request.args.get("since_id"))
    until = snowflake_param("until_id", request.args.get("until_id"))
    spend("mentions", token)
    world = the_world()
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


def user_tweets(user_id: str) -> Response:
    """The user's own timeline, newest first (`exclude=replies` drops their replies)."""
    token = authenticate(user_context=False)
    size = max_results(request.args.get("max_results"), 5, 100, 10)
    since = snowflake_param("since_id", request.args.get("since_id"))
    start = _time_param("start_time")
    spend("user_tweets", token)
    world = the_world()
    exclude = set((request.args.get("exclude") or "").split(","))
    with world.lock:
        items = sorted(
            (
                t
                for t in world.tweets.values()
                if t.author_id == user_id
                and (since is None or int(t.id) > since)
                and (start is None or t.created_at >= start)
                and not ("replies" in exclude and t.replied_to)
            ),
            key=lambda t: int(t.id),
            reverse=True,
        )
    page, next_token, previous = paginate(
        items, lambda t: t.id, size, request.args.get("pagination_token")
    )
    return _tweets_page(page, next_token, previous)


def _time_param(name: str) -> float | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise invalid_request(
            name, raw, f"The `{name}` query parameter value [{raw}] is not a valid RFC 3339 time"
        ) from exc


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
    return pick(the_world().tweet_json(tweet), request.args.get("tweet.fields"), TWEET_DEFAULT)


def expansions() -> set[str]:
    return {e for e in (request.args.get("expansions") or "").split(",") if e}


def _tweet_includes(tweets: list[Tweet]) -> dict[str, Any]:
    world, wanted = the_world(), expansions()
    user_ids: list[str] = []
    if "author_id" in wanted:
        user_ids += [t.author_id for t in tweets]
    if "in_reply_to_user_id" in wanted:
        user_ids += [t.in_reply_to_user_id for t in tweets if t.in_reply_to_user_id]
    includes: dict[str, Any] = {}
    users = users_out(user_ids)
    if users:
        includes["users"] = users
    if "attachments.media_keys" in wanted:
        media = media_out([k for t in tweets for k in t.media_keys])
        if media:
            includes["media"] = media
    if "referenced_tweets.id" in wanted:
        refs = [world.tweets[t.replied_to] for t in tweets if t.replied_to in world.tweets]
        if refs:
            includes["tweets"] = [_tweet_out(t) for t in refs]
    return includes


def users_out(user_ids: list[str]) -> list[dict[str, Any]]:
    world, seen, out = the_world(), set(), []
    for uid in user_ids:
        if uid in seen or uid not in world.users:
            continue
        seen.add(uid)
        out.append(
            pick(world.user_json(world.users[uid]), request.args.get("user.fields"), USER_DEFAULT)
        )
    return out


def media_out(keys: list[str]) -> list[dict[str, Any]]:
    world = the_world()
    fields = request.args.get("media.fields")
    return [
        pick(world.media[k], fields, MEDIA_DEFAULT) for k in dict.fromkeys(keys) if k in world.media
    ]


def tweets_lookup() -> Response:
    spend("tweets_lookup", authenticate(user_context=False))
    ids = [i for i in (request.args.get("ids") or "").split(",") if i]
    if not ids or len(ids) > 100:
        raise invalid_request("ids", request.args.get("ids", ""), "`ids` must list 1 to 100 ids")
    return _lookup(ids, "ids")


def tweet_lookup(tweet_id: str) -> Response:
    spend("tweets_lookup", authenticate(user_context=False))
    response = _lookup([tweet_id], "id")
    doc = response.get_json()
    if isinstance(doc.get("data"), list):
        doc["data"] = doc["data"][0]
    return jsonify(doc)


def _lookup(ids: list[str], parameter: str) -> Response:
    world = the_world()
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
    token = authenticate(user_context=True)
    body = json_body()
    text = body.get("text")
    if not isinstance(text, str) or not text:
        raise invalid_request("text", str(text), "`text` is required")
    reply = body.get("reply") or {}
    parent_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    world = the_world()
    if parent_id is not None and str(parent_id) not in world.tweets:
        raise invalid_request(
            "reply.in_reply_to_tweet_id",
            str(parent_id),
            "The Tweet you are replying to does not exist or has been deleted.",
        )
    spend("tweets_create", token)
    if weighted_length(text) > MAX_WEIGHTED_LENGTH:
        # API v2 refuses over-long text as an invalid request (400; exact message unverified).
        raise invalid_request("text", text[:40], "Your Tweet text is too long.")
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


def like(user_id: str) -> Response:
    token = authenticate(user_context=True)
    if token.user_id != user_id:
        raise Problem(403, "Forbidden", "You are not allowed to like on behalf of this user.")
    tweet_id = str(json_body().get("tweet_id") or "")
    world = the_world()
    if tweet_id not in world.tweets:
        raise invalid_request("tweet_id", tweet_id, f"Could not find tweet with id: [{tweet_id}].")
    spend("likes", token)
    with world.lock:
        world.likes.append((user_id, tweet_id))
    return jsonify(data={"liked": True})
