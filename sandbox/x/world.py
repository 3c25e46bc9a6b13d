"""The X emulator's in-memory world: users, tokens, tweets, DM events, budgets, a fake clock.

One `World` per app; every mutation holds its lock, because the test server is threaded.
Ids are snowflakes made from the (fake) clock, so they grow with time as X's do and the
connector's `since_id` arithmetic is exercised for real.
"""

from __future__ import annotations

import html
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.x.weighted_length import url_spans

TWITTER_EPOCH_MS = 1288834974657
WINDOW_SECONDS = 900
# Per-15-minute budgets; X's real numbers depend on the tier, so these are only defaults.
DEFAULT_LIMITS = {
    "mentions": 180,
    "dm_events": 300,
    "dm_send": 200,
    "media_upload": 500,
    "tweets_create": 200,
    "tweets_lookup": 900,
    "user_tweets": 900,
    "users_me": 75,
    "users_lookup": 900,
    "likes": 50,
    "hide_replies": 50,  # PUT /2/tweets/:id/hidden, per user per 15 minutes
}
BRAND = ("1580012345678901248", "seoulsupps_kr", "서울서플 고객센터")
CUSTOMERS = (
    ("1402233445566778899", "yuna_jj", "정유나"),
    ("987654321012345678", "markt_runs", "Mark T."),
    ("1722334455667788990", "daily_health_kr", "오늘도건강🌿"),
)
CONSUMER_KEY = "sandbox-consumer-key"
CONSUMER_SECRET = "sandbox-consumer-secret"
# The brand's tokens in a fresh world: what `switchboard demo` stores for its sandbox X account.
DEMO_CREDENTIALS = {
    "access_token": "brand-access-token",
    "access_token_secret": "brand-access-secret",
}
OAUTH2_USER_TOKEN = "brand-user-bearer"
APP_ONLY_TOKEN = "app-only-bearer"


class Clock:
    """Real time plus an offset that `/_emu/clock` moves forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        self.offset += seconds
        return self.now()


@dataclass
class User:
    id: str
    username: str
    name: str
    dm_open: bool = True


@dataclass
class Token:
    token: str
    kind: str  # oauth1 | oauth2_user | app
    user_id: str | None
    secret: str = ""
    revoked: bool = False
    expires_at: float | None = None  # OAuth 2.0 user tokens from sandbox/x/oauth.py expire


@dataclass
class Tweet:
    id: str
    raw_text: str
    author_id: str
    created_at: float
    conversation_id: str
    in_reply_to_user_id: str | None = None
    replied_to: str | None = None
    media_keys: tuple[str, ...] = ()
    lang: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # t.co url -> expanded url


@dataclass
class DmEvent:
    id: str
    sender_id: str
    dm_conversation_id: str
    participant_ids: tuple[str, str]
    text: str
    created_at: float
    media_keys: tuple[str, ...] = ()
    event_type: str = "MessageCreate"


@dataclass
class Forced:
    """A scripted failure: after `after` more good calls, answer `status` until `until`."""

    status: int
    after: int
    reset_in: float
    times: int | None = None
    until: float | None = None
    body: str = "problem"


@dataclass
class Fault:
    """A transport fault on an endpoint for `count` calls; `accept`: the call takes effect
    first (a tweet or DM is created), so the client cannot tell it went through."""

    mode: str  # timeout | 5xx
    count: int = 1
    accept: bool = True
    hang_seconds: float = 3.0
    status: int = 503


class World:
    def __init__(
        self, consumer_key: str = CONSUMER_KEY, consumer_secret: str = CONSUMER_SECRET
    ) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.users: dict[str, User] = {}
            self.tokens: dict[str, Token] = {}
            self.tweets: dict[str, Tweet] = {}
            self.dms: list[DmEvent] = []
            self.media: dict[str, dict[str, Any]] = {}
            self.uploads: dict[str, dict[str, Any]] = {}  # media id -> what was uploaded
            self.likes: list[tuple[str, str]] = []
            self.hidden_replies: set[str] = set()  # tweet ids hidden by their thread's author
            self.requests: list[dict[str, Any]] = []
            self.limits = dict(DEFAULT_LIMITS)
            self.windows: dict[tuple[str, str], tuple[float, int]] = {}
            self.forced: dict[str, Forced] = {}
            self.faults: dict[str, Fault] = {}
            self.webhook_url: str | None = None
            self.deliveries: list[dict[str, Any]] = []
            self._sequence = 0
            self.brand_id = BRAND[0]
            for uid, username, name in (BRAND, *CUSTOMERS):
                self.users[uid] = User(uid, username, name)
            token, secret = (
                DEMO_CREDENTIALS["access_token"],
                DEMO_CREDENTIALS["access_token_secret"],
            )
            self.add_token(Token(token, "oauth1", BRAND[0], secret))
            self.add_token(Token(OAUTH2_USER_TOKEN, "oauth2_user", BRAND[0]))
            self.add_token(Token(APP_ONLY_TOKEN, "app", None))

    # Identity.

    def add_token(self, token: Token) -> None:
        with self.lock:
            self.tokens[token.token] = token

    def user(self, ref: str) -> User | None:
        """Find a user by id, username or @username."""
        ref = ref.lstrip("@")
        with self.lock:
            if ref in self.users:
                return self.users[ref]
            return next((u for u in self.users.values() if u.username.lower() == ref.lower()), None)

    def next_id(self) -> str:
        with self.lock:
            self._sequence = (self._sequence + 1) % 4096
            ms = int(self.clock.now() * 1000) - TWITTER_EPOCH_MS
            candidate = (ms << 22) | (1 << 12) | self._sequence
            latest = max((int(i) for i in self._all_ids()), default=0)
            return str(max(candidate, latest + 1))

    def _all_ids(self) -> list[str]:
        return [*self.tweets, *(d.id for d in self.dms)]

    # Content.

    def add_tweet(
        self,
        *,
        author_id: str,
        text: str,
        in_reply_to: str | None = None,
        media_urls: tuple[str, ...] = (),
    ) -> Tweet:
        with self.lock:
            tweet_id = self.next_id()
            parent = self.tweets.get(in_reply_to) if in_reply_to else None
            wrapped, links = self._wrap_links(text)
            tweet = Tweet(
                id=tweet_id,
                raw_text=wrapped,
                author_id=author_id,
                created_at=self.clock.now(),
                conversation_id=parent.conversation_id if parent else tweet_id,
                in_reply_to_user_id=parent.author_id if parent else None,
                replied_to=parent.id if parent else None,
                media_keys=tuple(self._add_media(url) for url in media_urls),
                lang="ko" if re.search("[가-힣]", text) else "en",
                links=links,
            )
            self.tweets[tweet_id] = tweet
            return tweet

    def add_dm(
        self,
        *,
        sender_id: str,
        recipient_id: str,
        text: str,
        media_urls: tuple[str, ...] = (),
        media_keys: tuple[str, ...] = (),
    ) -> DmEvent:
        with self.lock:
            low, high = sorted((sender_id, recipient_id), key=int)
            event = DmEvent(
                id=self.next_id(),
                sender_id=sender_id,
                dm_conversation_id=f"{low}-{high}",
                participant_ids=(sender_id, recipient_id),
                text=text,
                created_at=self.clock.now(),
                media_keys=media_keys + tuple(self._add_media(url) for url in media_urls),
            )
            self.dms.append(event)
            return event

    def _add_media(self, url: str) -> str:
        key = f"3_{self.next_id()}"
        self.media[key] = {"media_key": key, "type": "photo", "url": url}
        return key

    def _wrap_links(self, text: str) -> tuple[str, dict[str, str]]:
        """Replace every link with a t.co link, as X does to every tweet it stores."""
        links: dict[str, str] = {}
        pieces: list[str] = []
        at = 0
        for start, end in url_spans(text):
            slug = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))
            short = f"https://t.co/{slug}"
            url = text[start:end]
            links[short] = url if "://" in url else f"http://{url}"
            pieces += [text[at:start], short]
            at = end
        pieces.append(text[at:])
        return "".join(pieces), links

    def mentions_of(self, user: User) -> list[Tweet]:
        """Tweets that mention `user` or reply to one of their tweets, newest first."""
        handle = re.compile(rf"(?<![\w@])@{re.escape(user.username)}\b", re.IGNORECASE)
        with self.lock:
            found = [
                t
                for t in self.tweets.values()
                if handle.search(t.raw_text)
                or (t.in_reply_to_user_id == user.id and t.author_id != user.id)
            ]
        return sorted(found, key=lambda t: int(t.id), reverse=True)

    def dm_events_of(self, user_id: str) -> list[DmEvent]:
        """DM events in the user's conversations from the last 30 days, newest first."""
        horizon = self.clock.now() - 30 * 86400
        with self.lock:
            found = [
                d
                for d in self.dms
                if user_id in d.dm_conversation_id.split("-") and d.created_at >= horizon
            ]
        return sorted(found, key=lambda d: int(d.id), reverse=True)

    # Wire shapes.

    def tweet_json(self, tweet: Tweet) -> dict[str, Any]:
        """Every field X can return for a tweet; the view keeps the requested ones."""
        text = html.escape(tweet.raw_text, quote=False)
        doc: dict[str, Any] = {
            "id": tweet.id,
            "text": text,
            "edit_history_tweet_ids": [tweet.id],
            "author_id": tweet.author_id,
            "created_at": iso(tweet.created_at),
            "conversation_id": tweet.conversation_id,
            "lang": tweet.lang,
            "entities": self._entities(text, tweet),
        }
        if tweet.in_reply_to_user_id:
            doc["in_reply_to_user_id"] = tweet.in_reply_to_user_id
        if tweet.replied_to:
            doc["referenced_tweets"] = [{"type": "replied_to", "id": tweet.replied_to}]
        if tweet.media_keys:
            doc["attachments"] = {"media_keys": list(tweet.media_keys)}
        return doc

    def _entities(self, text: str, tweet: Tweet) -> dict[str, Any]:
        mentions = []
        for match in re.finditer(r"(?<![\w@])@(\w{1,15})", text):
            mentioned = self.user(match.group(1))
            if mentioned is not None:
                mentions.append(
                    {
                        "start": match.start(),
                        "end": match.end(),
                        "username": mentioned.username,
                        "id": mentioned.id,
                    }
                )
        urls = []
        for short, expanded in tweet.links.items():
            start = text.find(short)
            if start >= 0:
                urls.append(
                    {
                        "start": start,
                        "end": start + len(short),
                        "url": short,
                        "expanded_url": expanded,
                        "display_url": expanded.split("://", 1)[-1][:26],
                    }
                )
        doc: dict[str, Any] = {}
        if mentions:
            doc["mentions"] = mentions
        if urls:
            doc["urls"] = urls
        return doc

    def dm_json(self, event: DmEvent) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": event.id,
            "event_type": event.event_type,
            "text": event.text,
            "sender_id": event.sender_id,
            "participant_ids": list(event.participant_ids),
            "dm_conversation_id": event.dm_conversation_id,
            "created_at": iso(event.created_at),
        }
        if event.media_keys:
            doc["attachments"] = {"media_keys": list(event.media_keys)}
        return doc

    def user_json(self, user: User) -> dict[str, Any]:
        return {
            "id": user.id,
            "username": user.username,
            "name": user.name,
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{user.id}/normal.jpg",
            "verified": False,
        }


def iso(epoch: float) -> str:
    """Format a time as X does: UTC, milliseconds, `Z`."""
    stamp = datetime.fromtimestamp(epoch, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
