"""Account Activity webhook deliveries from the emulator, signed like X's (v1.1 shapes)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import requests

from sandbox.x.world import DmEvent, Tweet, World


def deliver_tweet(w: World, tweet: Tweet) -> None:
    brand = w.users[w.brand_id]
    involved = tweet.author_id == brand.id or tweet.in_reply_to_user_id == brand.id
    if w.webhook_url is None or not (involved or f"@{brand.username}" in tweet.raw_text):
        return
    author = w.users[tweet.author_id]
    v1 = {
        "id_str": tweet.id,
        "created_at": datetime.fromtimestamp(tweet.created_at, tz=UTC).strftime(
            "%a %b %d %H:%M:%S +0000 %Y"
        ),
        "text": tweet.raw_text,
        "in_reply_to_status_id_str": tweet.replied_to,
        "user": {"id_str": author.id, "screen_name": author.username, "name": author.name},
        "entities": {
            "urls": [{"url": short, "expanded_url": url} for short, url in tweet.links.items()]
        },
    }
    _post(w, {"for_user_id": brand.id, "tweet_create_events": [v1]})


def deliver_dm(w: World, event: DmEvent) -> None:
    if w.webhook_url is None or w.brand_id not in event.participant_ids:
        return
    recipient = next((p for p in event.participant_ids if p != event.sender_id), event.sender_id)
    item = {
        "type": "message_create",
        "id": event.id,
        "created_timestamp": str(int(event.created_at * 1000)),
        "message_create": {
            "target": {"recipient_id": recipient},
            "sender_id": event.sender_id,
            "message_data": {"text": event.text, "entities": {"urls": []}},
        },
    }
    users = {
        uid: {"id": uid, "screen_name": w.users[uid].username, "name": w.users[uid].name}
        for uid in event.participant_ids
        if uid in w.users
    }
    _post(w, {"for_user_id": w.brand_id, "direct_message_events": [item], "users": users})


def _post(w: World, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "x-twitter-webhooks-signature": sign(w.consumer_secret, body),
    }
    try:
        answer = requests.post(str(w.webhook_url), data=body, headers=headers, timeout=10)
        status: int | str = answer.status_code
    except requests.RequestException as exc:
        status = repr(exc)
    with w.lock:
        w.deliveries.append({"payload": payload, "status": status})


def sign(secret: str, payload: bytes) -> str:
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()
