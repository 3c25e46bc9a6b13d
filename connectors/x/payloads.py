"""Turn X API v2 response bodies (mentions pages, DM event pages, tweet lookups) into events.

This is the one place that reads X's JSON. Everything here is pure: a parsed body in, frozen
`InboundEvent`s out, so every corpus file can be checked without a server.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    InboundEvent,
    Participant,
    UnsupportedEvent,
)

TWITTER_EPOCH_MS = 1288834974657
MEDIA_KINDS = {"photo": "image", "video": "video", "animated_gif": "video"}

Json = Mapping[str, Any]


def mention_events(account_external_id: str, body: Json) -> list[InboundEvent]:
    """Map a mentions page (or a tweet lookup) to events, oldest first; missing `data` is empty."""
    data = body.get("data")
    tweets = [data] if isinstance(data, Mapping) else list(data or ())
    includes = _Includes(body.get("includes") or {})
    events = [tweet_event(account_external_id, tweet, includes) for tweet in tweets]
    return sorted(events, key=lambda event: (event.sent_at, int(event.external_id)))


def tweet_event(account_external_id: str, tweet: Json, includes: _Includes) -> InboundEvent:
    """Map one v2 tweet; our own tweets are ECHO, everyone else's a MESSAGE in a MENTION thread.

    An ECHO's customer is the user it replies to, so ingest can file a reply sent from X's own
    apps (not through us) in the right conversation.
    """
    try:
        tweet_id = str(tweet["id"])
        author_id = str(tweet["author_id"])
    except KeyError as exc:
        raise UnsupportedEvent(f"tweet without {exc.args[0]}; request tweet.fields") from exc
    author = includes.user(author_id)
    replied_to = _replied_to(tweet)
    context = {"conversation_id": str(tweet.get("conversation_id") or tweet_id)}
    if replied_to is not None:
        context["in_reply_to_tweet_id"] = replied_to
    ours = author_id == account_external_id
    # Our own tweet: the customer of its thread is whoever it answers (if not ourselves).
    answered = str(tweet.get("in_reply_to_user_id") or "")
    if ours:
        customer = includes.user(answered) if answered and answered != author_id else None
    else:
        customer = author
    return InboundEvent(
        kind=EventKind.ECHO if ours else EventKind.MESSAGE,
        account_external_id=account_external_id,
        external_id=tweet_id,
        thread_key=context["conversation_id"],
        conversation_kind=ConversationKind.MENTION,
        sent_at=_sent_at(tweet.get("created_at"), tweet_id),
        customer=customer,
        text=tweet_text(tweet),
        attachments=includes.media_for(tweet),
        context=context,
        extra=_tweet_extra(tweet, author),
    )


def dm_events(account_external_id: str, body: Json) -> list[InboundEvent]:
    """Map a DM events page to events, oldest first; non-message events are skipped."""
    includes = _Includes(body.get("includes") or {})
    events = [
        dm_event(account_external_id, item, includes)
        for item in body.get("data") or ()
        if item.get("event_type", "MessageCreate") == "MessageCreate"
    ]
    return sorted(events, key=lambda event: (event.sent_at, int(event.external_id)))


def dm_event(account_external_id: str, item: Json, includes: _Includes) -> InboundEvent:
    """Map one MessageCreate; events sent by our account come back as ECHO."""
    try:
        event_id = str(item["id"])
        sender_id = str(item["sender_id"])
    except KeyError as exc:
        raise UnsupportedEvent(f"DM event without {exc.args[0]}; request dm_event.fields") from exc
    ours = sender_id == account_external_id
    conversation = str(item.get("dm_conversation_id") or "")
    other = _other_participant(account_external_id, sender_id, item, conversation)
    if not conversation:
        conversation = one_to_one_conversation_id(account_external_id, other)
    return InboundEvent(
        kind=EventKind.ECHO if ours else EventKind.MESSAGE,
        account_external_id=account_external_id,
        external_id=event_id,
        thread_key=conversation,
        conversation_kind=ConversationKind.DM,
        sent_at=_sent_at(item.get("created_at"), event_id),
        customer=includes.user(other),
        text=html.unescape(str(item.get("text") or "")),
        attachments=includes.media_for(item),
        extra={"sender_id": sender_id},
    )


def partial_errors(body: Json) -> list[str]:
    """Describe the per-item `errors` X returns next to `data` on a 200."""
    return [
        f"{e.get('resource_type', 'item')} {e.get('resource_id') or e.get('value')}: "
        f"{e.get('title') or e.get('message')}"
        for e in body.get("errors") or ()
        if isinstance(e, Mapping)
    ]


def tweet_text(tweet: Json) -> str:
    """Return the text as shown on X: entities unescaped once, t.co links expanded.

    X sends `&`, `<`, `>` HTML-escaped in tweet text. `entities.urls[].start/end` are code-point
    offsets into the text as sent; a link to attached media (it has a `media_key`) is dropped,
    as X's own clients show the media instead.
    """
    text = str(tweet.get("text") or "")
    urls = (tweet.get("entities") or {}).get("urls") or ()
    pieces: list[str] = []
    at = 0
    for start, end, replacement in _url_replacements(text, urls):
        pieces.append(html.unescape(text[at:start]))
        pieces.append(replacement)
        at = end
    pieces.append(html.unescape(text[at:]))
    shown = "".join(pieces)
    return shown.rstrip() if any(e.get("media_key") for e in urls) else shown


def one_to_one_conversation_id(a: str, b: str) -> str:
    """Build X's 1:1 DM conversation id: both user ids, the smaller first, joined by '-'."""
    low, high = sorted((a, b), key=int)
    return f"{low}-{high}"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def snowflake_time(snowflake: str) -> datetime:
    """Read the creation time X encodes in every id (milliseconds since 2010-11-04)."""
    ms = (int(snowflake) >> 22) + TWITTER_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def snowflake_at(epoch_seconds: float) -> str:
    """Return the smallest id X could give an item created at `epoch_seconds`."""
    ms = max(0, int(epoch_seconds * 1000) - TWITTER_EPOCH_MS)
    return str(ms << 22)


class _Includes:
    """Look up `includes.users` and `includes.media` by id."""

    def __init__(self, includes: Json) -> None:
        self.users = {str(u["id"]): u for u in includes.get("users") or () if "id" in u}
        media = includes.get("media") or ()
        self.media = {str(m["media_key"]): m for m in media if "media_key" in m}

    def user(self, user_id: str) -> Participant:
        user = self.users.get(user_id) or {}
        return Participant(external_id=user_id, handle=user.get("username"), name=user.get("name"))

    def media_for(self, item: Json) -> tuple[Attachment, ...]:
        keys = (item.get("attachments") or {}).get("media_keys") or ()
        return tuple(_attachment(key, self.media.get(str(key)) or {}) for key in keys)


def _attachment(key: str, media: Json) -> Attachment:
    media_type = str(media.get("type") or "unknown")
    return Attachment(
        kind=MEDIA_KINDS.get(media_type, "unsupported"),
        url=media.get("url") or media.get("preview_image_url"),
        extra={
            "media_key": key,
            "media_type": media_type,
            **{k: media[k] for k in ("width", "height", "alt_text") if k in media},
        },
    )


def _url_replacements(text: str, urls: Sequence[Json]) -> list[tuple[int, int, str]]:
    """Locate each t.co link (trusting offsets only when they point at it) and its expansion."""
    found: list[tuple[int, int, str]] = []
    for entity in urls:
        short = str(entity.get("url") or "")
        if not short:
            continue
        start = int(entity.get("start", -1))
        if text[start : start + len(short)] != short:
            start = text.find(short)
        if start < 0:
            continue
        replacement = "" if entity.get("media_key") else str(entity.get("expanded_url") or short)
        found.append((start, start + len(short), replacement))
    found.sort()
    return [r for i, r in enumerate(found) if i == 0 or r[0] >= found[i - 1][1]]


def _replied_to(tweet: Json) -> str | None:
    for ref in tweet.get("referenced_tweets") or ():
        if ref.get("type") == "replied_to":
            return str(ref["id"])
    return None


def _tweet_extra(tweet: Json, author: Participant) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if tweet.get("lang"):
        extra["lang"] = tweet["lang"]
    if author.handle:
        extra["url"] = f"https://x.com/{author.handle}/status/{tweet['id']}"
    return extra


def _other_participant(account: str, sender: str, item: Json, conversation: str) -> str:
    if sender != account:
        return sender
    others = [str(p) for p in item.get("participant_ids") or () if str(p) != account]
    if not others:
        others = [p for p in conversation.split("-") if p and p != account]
    return others[0] if others else sender


def _sent_at(created_at: Any, snowflake: str) -> datetime:
    if isinstance(created_at, str) and created_at:
        return parse_time(created_at)
    return snowflake_time(snowflake)
