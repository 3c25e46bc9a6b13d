"""A small customer-simulator page: be a customer, mention or DM the brand, see its replies.

`GET /_emu/simulator?as=<username>` shows the customer's public threads with the brand and their
DM conversation (refreshing every 5 seconds); the two forms post a mention or a DM.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, redirect, render_template_string, request, url_for

from sandbox.x.delivery import deliver_dm, deliver_tweet
from sandbox.x.world import World, iso

PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>X sandbox: customer simulator</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:46rem;margin:1.5rem auto;padding:0 1rem}
.t{border:1px solid #ddd;border-radius:8px;padding:.5rem .75rem;margin:.4rem 0}
.brand{background:#eef6ff}.meta{color:#666;font-size:12px}
textarea{width:100%;min-height:4rem}form{margin:.75rem 0}
</style></head><body>
<h1>X sandbox · customer simulator</h1>
<form method="get">I am
<select name="as" onchange="this.form.submit()">
{% for u in customers %}
<option value="{{ u.username }}" {{ 'selected' if u.username == me.username }}>
@{{ u.username }} ({{ u.name }})</option>{% endfor %}
</select></form>
<form method="post" action="{{ url_for('sim_mention') }}">
<input type="hidden" name="as" value="{{ me.username }}">
<textarea name="text" placeholder="@{{ brand.username }} ..."></textarea>
<input type="hidden" name="reply_to" value="{{ reply_to or '' }}">
<button>Mention @{{ brand.username }}{{ ' (reply in thread)' if reply_to }}</button>
</form>
<form method="post" action="{{ url_for('sim_dm') }}">
<input type="hidden" name="as" value="{{ me.username }}">
<textarea name="text" placeholder="DM to @{{ brand.username }}"></textarea>
<button>Send DM</button>
</form>
<h2>Public threads</h2>
{% for t in tweets %}<div class="t {{ 'brand' if t.author == brand.username }}">
<div class="meta">@{{ t.author }} · {{ t.at }} · conversation {{ t.conversation }}
· <a href="?as={{ me.username }}&reply_to={{ t.id }}">reply</a></div>{{ t.text }}</div>
{% else %}<p>No tweets yet.</p>{% endfor %}
<h2>Direct messages</h2>
{% for d in dms %}<div class="t {{ 'brand' if d.author == brand.username }}">
<div class="meta">@{{ d.author }} · {{ d.at }}</div>{{ d.text }}</div>
{% else %}<p>No DMs yet.</p>{% endfor %}
</body></html>"""


def register(app: Flask) -> None:
    app.get("/_emu/simulator")(page)
    app.post("/_emu/simulator/mention", endpoint="sim_mention")(post_mention)
    app.post("/_emu/simulator/dm", endpoint="sim_dm")(post_dm)


def _world() -> World:
    found: World = current_app.extensions["x_world"]
    return found


def page() -> str:
    w = _world()
    brand = w.users[w.brand_id]
    customers = [u for u in w.users.values() if u.id != brand.id]
    me = w.user(request.args.get("as") or "") or customers[0]
    return render_template_string(
        PAGE,
        brand=brand,
        customers=customers,
        me=me,
        reply_to=request.args.get("reply_to"),
        tweets=_threads(w, me.id),
        dms=_dms(w, me.id),
    )


def _threads(w: World, customer_id: str) -> list[dict[str, Any]]:
    with w.lock:
        mine = {t.conversation_id for t in w.tweets.values() if t.author_id == customer_id}
        tweets = sorted(
            (t for t in w.tweets.values() if t.conversation_id in mine), key=lambda t: int(t.id)
        )
    return [
        {
            "id": t.id,
            "author": w.users[t.author_id].username,
            "at": iso(t.created_at),
            "conversation": t.conversation_id,
            "text": t.raw_text,
        }
        for t in tweets
    ]


def _dms(w: World, customer_id: str) -> list[dict[str, Any]]:
    events = [e for e in reversed(w.dm_events_of(customer_id)) if w.brand_id in e.participant_ids]
    return [
        {"author": w.users[e.sender_id].username, "at": iso(e.created_at), "text": e.text}
        for e in events
    ]


def post_mention() -> Response:
    w = _world()
    me = w.user(request.form["as"])
    text = request.form.get("text", "").strip()
    if me is not None and text:
        brand = w.users[w.brand_id]
        reply_to = request.form.get("reply_to") or None
        if reply_to is None and f"@{brand.username}".lower() not in text.lower():
            text = f"@{brand.username} {text}"
        deliver_tweet(w, w.add_tweet(author_id=me.id, text=text, in_reply_to=reply_to))
    return _back(request.form["as"])


def post_dm() -> Response:
    w = _world()
    me = w.user(request.form["as"])
    text = request.form.get("text", "").strip()
    if me is not None and text:
        deliver_dm(w, w.add_dm(sender_id=me.id, recipient_id=w.brand_id, text=text))
    return _back(request.form["as"])


def _back(username: str) -> Response:
    response: Response = redirect(url_for("page") + "?as=" + quote(username))  # type: ignore[assignment]
    return response
