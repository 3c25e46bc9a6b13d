"""Announcements on X: post a tweet, and find one posted by an interrupted earlier attempt.

XConnector.publish / find_published call these with the account's client. Images are not
attached yet: X needs a media upload first (`POST /2/media/upload`), which neither the connector
nor the sandbox offers; announcements warn the marketer and post the text.

X has no idempotency key for `POST /2/tweets`. Two things keep a retried announcement single:
X itself refuses a duplicate text from the same account (403), and before any retry we read
the account's recent tweets (`GET /2/users/:id/tweets`) for the same text. X returns tweet text
HTML-escaped and with links rewritten to t.co, so both sides are compared without their links.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import datetime

from connectors.base import AccountConfig, PermanentSendError, PublishRequest, PublishResult
from connectors.x.client import XClient
from connectors.x.weighted_length import (
    MAX_WEIGHTED_LENGTH,
    has_invalid_characters,
    url_spans,
    weighted_length,
)

LOOKUP_PAGE = 100


def publish(client: XClient, account: AccountConfig, request: PublishRequest) -> PublishResult:
    """Post `request.text` as a new tweet (the link is already in the text)."""
    if has_invalid_characters(request.text):
        raise PermanentSendError("contains a character X refuses (U+FEFF, U+FFFE or U+FFFF)")
    length = weighted_length(request.text)
    if length > MAX_WEIGHTED_LENGTH:
        raise PermanentSendError(f"too long for X: {length}/{MAX_WEIGHTED_LENGTH}")
    data = client.post("/2/tweets", {"text": request.text}).body.get("data") or {}
    if "id" not in data:
        raise PermanentSendError("X accepted the post but returned no tweet id")
    tweet_id = str(data["id"])
    return PublishResult(external_id=tweet_id, permalink=permalink(account, tweet_id))


def find_published(
    client: XClient, account: AccountConfig, request: PublishRequest, since: datetime
) -> PublishResult | None:
    """Return the account's tweet with this text posted since `since`, if there is one."""
    params = {
        "max_results": str(LOOKUP_PAGE),
        "start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tweet.fields": "created_at",
        "exclude": "replies,retweets",
    }
    body = client.get(f"/2/users/{account.external_id}/tweets", params).body
    wanted = comparable(request.text)
    for tweet in body.get("data") or ():
        if comparable(html.unescape(str(tweet.get("text", "")))) == wanted:
            tweet_id = str(tweet["id"])
            return PublishResult(external_id=tweet_id, permalink=permalink(account, tweet_id))
    return None


def permalink(account: AccountConfig, tweet_id: str) -> str:
    handle = str(account.options.get("username") or "").lstrip("@")
    if handle:
        return f"https://x.com/{handle}/status/{tweet_id}"
    return f"https://x.com/i/web/status/{tweet_id}"


def comparable(text: str) -> str:
    """Text as X shows it back, for comparing: NFC, links removed, spaces collapsed."""
    normalized = unicodedata.normalize("NFC", text)
    for start, end in sorted(url_spans(normalized), reverse=True):
        normalized = normalized[:start] + normalized[end:]
    return re.sub(r"\s+", " ", normalized).strip()
