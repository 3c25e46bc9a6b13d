"""X Account Activity webhooks: the CRC handshake, the signature, and the delivered events.

Optional: most accounts cannot subscribe, so polling is the default path. Deliveries use the
v1.1 object shapes (`tweet_create_events` with v1.1 tweets, `direct_message_events` with
`message_create`), which differ from API v2's; they are mapped to the same events as polling, so
a message seen both ways dedupes on its id. v1.1 tweets carry no `conversation_id`: a tweet is
threaded under the tweet it replies to (or itself), which matches polling for first-level
mentions and replies to them.
https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    InboundEvent,
    Participant,
    UnsupportedEvent,
)
from connectors.x.payloads import MEDIA_KINDS, one_to_one_conversation_id, snowflake_time

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
# Activity types that carry no message for the inbox (likes, follows, typing, read marks, ...).
IGNORED_KEYS = (
    "favorite_events",
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
    "tweet_delete_events",
    "user_event",
)

Json = Mapping[str, Any]


def signature(consumer_secret: str, payload: bytes) -> str:
    """Return `sha256=` + base64 HMAC-SHA256 of `payload`, keyed with the consumer secret."""
    digest = hmac.new(consumer_secret.encode(), payload, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def crc_response(consumer_secret: str, crc_token: str) -> str:
    """Answer X's challenge-response check: `{"response_token": "sha256=..."}` as JSON."""
    return json.dumps({"response_token": signature(consumer_secret, crc_token.encode())})


def activity_events(body: bytes) -> list[InboundEvent]:
    """Map one Account Activity delivery to events; raise UnsupportedEvent if unreadable."""
    try:
        doc = json.loads(body)
        account = str(doc["for_user_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise UnsupportedEvent(f"not an X account-activity delivery: {exc!r}") from exc
    known = {"for_user_id", "users", "apps", "user_has_blocked", *IGNORED_KEYS}
    handled = {"tweet_create_events", "direct_message_events"}
    unknown = sorted(set(doc) - known - handled)
    if unknown and not handled & set(doc):
        raise UnsupportedEvent(f"unhandled X activity: {', '.join(unknown)}")
    users: Json = doc.get("users") or {}
    try:
        events = [_tweet(account, tweet) for tweet in doc.get("tweet_create_events") or ()]
        events += [
            _dm(account, item, users)
            for item in doc.get("direct_message_events") or ()
            if item.get("type") == "message_create"
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise UnsupportedEvent(f"malformed X activity event: {exc!r}") from exc
    return events


def _tweet(account: str, tweet: Json) -> InboundEvent:
    tweet_id = str(tweet["id_str"])
    user = tweet["user"]
    author = Participant(
        external_id=str(user["id_str"]), handle=user.get("screen_name"), name=user.get("name")
    )
    full = tweet.get("extended_tweet") or tweet
    text = str(full.get("full_text") or full.get("text") or "")
    for url in (full.get("entities") or {}).get("urls") or ():
        text = text.replace(str(url["url"]), str(url.get("expanded_url") or url["url"]))
    parent = tweet.get("in_reply_to_status_id_str")
    ours = author.external_id == account
    return InboundEvent(
        kind=EventKind.ECHO if ours else EventKind.MESSAGE,
        account_external_id=account,
        external_id=tweet_id,
        thread_key=str(parent or tweet_id),
        conversation_kind=ConversationKind.MENTION,
        sent_at=_v1_time(tweet.get("created_at"), tweet_id),
        customer=None if ours else author,
        text=html.unescape(text),
        context={"in_reply_to_tweet_id": str(parent)} if parent else {},
    )


def _dm(account: str, item: Json, users: Json) -> InboundEvent:
    create = item["message_create"]
    sender = str(create["sender_id"])
    recipient = str(create["target"]["recipient_id"])
    other = recipient if sender == account else sender
    data = create.get("message_data") or {}
    text = str(data.get("text") or "")
    for url in (data.get("entities") or {}).get("urls") or ():
        text = text.replace(str(url["url"]), str(url.get("expanded_url") or url["url"]))
    profile = users.get(other) or {}
    media = (data.get("attachment") or {}).get("media")
    if media and media.get("url"):
        text = text.replace(str(media["url"]), "").rstrip()
    return InboundEvent(
        kind=EventKind.ECHO if sender == account else EventKind.MESSAGE,
        account_external_id=account,
        external_id=str(item["id"]),
        thread_key=one_to_one_conversation_id(account, other),
        conversation_kind=ConversationKind.DM,
        sent_at=datetime.fromtimestamp(int(item["created_timestamp"]) / 1000, tz=UTC),
        customer=Participant(
            external_id=other, handle=profile.get("screen_name"), name=profile.get("name")
        ),
        text=html.unescape(text),
        attachments=(_media(media),) if media else (),
        extra={"sender_id": sender},
    )


def _media(media: Json) -> Attachment:
    media_type = str(media.get("type") or "photo")
    return Attachment(
        kind=MEDIA_KINDS.get(media_type, "unsupported"),
        url=media.get("media_url_https") or media.get("media_url"),
        extra={"media_type": media_type},
    )


def _v1_time(value: Any, snowflake: str) -> datetime:
    if isinstance(value, str) and value:
        return parsedate_to_datetime(value).astimezone(UTC)
    return snowflake_time(snowflake)
