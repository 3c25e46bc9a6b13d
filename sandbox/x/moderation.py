"""PUT /2/tweets/:id/hidden: hide or unhide a reply, as X allows the conversation's author.

Wire facts (docs/platform-apis.md, "Comment moderation"): body `{"hidden": bool}`, answer
`{"data": {"hidden": bool}}`; only replies in a conversation the authenticated user started;
hiding a hidden reply (or unhiding a visible one) succeeds; 50 calls per user per 15 minutes.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify

from sandbox.x.gate import authenticate, json_body, spend, the_world
from sandbox.x.wire import Problem, invalid_request


def register(app: Flask) -> None:
    app.put("/2/tweets/<tweet_id>/hidden")(hide_reply)


def hide_reply(tweet_id: str) -> Response:
    token = authenticate(user_context=True)
    hidden = json_body().get("hidden")
    if not isinstance(hidden, bool):
        raise invalid_request("hidden", str(hidden), "`hidden` must be true or false")
    world = the_world()
    tweet = world.tweets.get(tweet_id)
    if tweet is None:
        raise invalid_request("id", tweet_id, f"Could not find tweet with id: [{tweet_id}].")
    root = world.tweets.get(tweet.conversation_id)
    owner = root.author_id if root is not None else None
    if tweet.id == tweet.conversation_id or owner != str(token.user_id):
        raise Problem(
            403,
            "Forbidden",
            "You cannot hide or unhide replies to a conversation you did not start.",
        )
    spend("hide_replies", token)
    with world.lock:
        if hidden:
            world.hidden_replies.add(tweet_id)
        else:
            world.hidden_replies.discard(tweet_id)
    return jsonify(data={"hidden": hidden})
