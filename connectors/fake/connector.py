"""An in-memory connector that implements the whole contract.

It is the example to copy when adding a channel and the connector the core tests drive.
Deliveries are JSON signed with HMAC-SHA256 like Meta's; sends land in an in-process outbox
that dedupes on the message uuid, as a provider with idempotency keys would.

It is registered only when SWITCHBOARD_FAKE_CONNECTOR=1 (tests, benchmarks), and has no
default secret: without FAKE_WEBHOOK_SECRET every delivery is refused. The demo's sample
history uses `DemoHistoryConnector` instead (SWITCHBOARD_FAKE_CONNECTOR=demo), which receives
nothing at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from connectors.base import (
    AccountConfig,
    Attachment,
    Capability,
    ConversationKind,
    EventKind,
    Headers,
    InboundEvent,
    InvalidSignature,
    OutboundReply,
    OutsideReplyWindow,
    Participant,
    PermanentSendError,
    PollResult,
    PublishRequest,
    PublishResult,
    ReauthRequired,
    ReplyWindow,
    RetryableSendError,
    SendResult,
    UnsupportedEvent,
)

SIGNATURE_HEADER = "X-Fake-Signature"
PAGE_SIZE = 50


def sign(secret: str, body: bytes) -> str:
    """Return the signature header value a delivery of `body` must carry."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FakePlatform:
    """What the fake connector and the demo's history share: an in-memory outbox and feed."""

    slug: ClassVar[str] = "fake"
    capabilities: ClassVar[frozenset[Capability]]

    # Process-wide state, like a provider's servers; tests reset it with `reset()`.
    outbox: ClassVar[dict[str, OutboundReply]] = {}
    feeds: ClassVar[dict[str, list[InboundEvent]]] = {}
    posts: ClassVar[dict[str, list[dict[str, Any]]]] = {}  # account external id -> its posts
    _publish_calls: ClassVar[dict[tuple[str, str], int]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.secret = settings.get("FAKE_WEBHOOK_SECRET", "")

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.outbox.clear()
            cls.feeds.clear()
            cls.posts.clear()
            cls._publish_calls.clear()

    def verify(self, headers: Headers, body: bytes) -> None:
        given = _header(headers, SIGNATURE_HEADER)
        if not self.secret:
            raise InvalidSignature("FAKE_WEBHOOK_SECRET is not set: fake deliveries are refused")
        if given is None or not hmac.compare_digest(given, sign(self.secret, body)):
            raise InvalidSignature("missing or wrong X-Fake-Signature")

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        try:
            doc = json.loads(body)
            # A slow provider payload, so tests can kill a worker in the middle of a job. Only
            # signed deliveries get here, and only where the switch registers this class.
            if doc.get("parse_delay"):  # no sleep(0) per delivery: it shows in ingest benches
                time.sleep(min(float(doc["parse_delay"]), 60.0))
            account = str(doc["account"])
            return [_to_event(account, item) for item in doc["events"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UnsupportedEvent(f"malformed fake delivery: {exc!r}") from exc

    def send(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        text = reply.text
        if "[reauth]" in text:
            raise ReauthRequired("token revoked (simulated)")
        if "[permanent]" in text:
            raise PermanentSendError("recipient unavailable (simulated)")
        transient_failures = _marker_count(text, "[transient:")
        if reply.attempt <= transient_failures:
            raise RetryableSendError("provider busy (simulated)", retry_after=0.2)
        window = self.reply_window(
            account, reply.conversation_kind, reply.last_customer_message_at, datetime.now(UTC)
        )
        if not window.open:
            raise OutsideReplyWindow(window.reason or "reply window closed")
        with self._lock:
            self.outbox.setdefault(reply.message_uuid, reply)
        return SendResult(external_id=f"fake-out-{reply.message_uuid}")

    def publish(self, account: AccountConfig, request: PublishRequest) -> PublishResult:
        """Post to the account's in-memory feed; markers in the text simulate failures."""
        key = (account.external_id, request.announcement_uuid)
        with self._lock:
            self._publish_calls[key] = calls = self._publish_calls.get(key, 0) + 1
        if "[publish-permanent]" in request.text:
            raise PermanentSendError("the platform refused the post (simulated)")
        if calls <= _marker_count(request.text, "[publish-transient:"):
            raise RetryableSendError("platform busy (simulated)", retry_after=0.1)
        with self._lock:
            feed = self.posts.setdefault(account.external_id, [])
            post_id = f"fake-post-{account.external_id}-{len(feed) + 1}"
            feed.append({"id": post_id, "request": request, "at": datetime.now(UTC)})
        return PublishResult(external_id=post_id, permalink=f"https://fake.test/{post_id}")

    def find_published(
        self, account: AccountConfig, request: PublishRequest, since: datetime
    ) -> PublishResult | None:
        """Find a post with the same text made since `since` (as Meta's feed lookups do)."""
        with self._lock:
            feed = list(self.posts.get(account.external_id, []))
        for post in feed:
            if post["at"] >= since and post["request"].text == request.text:
                return PublishResult(post["id"], permalink=f"https://fake.test/{post['id']}")
        return None

    def reply_window(
        self,
        account: AccountConfig,
        kind: ConversationKind,
        last_customer_message_at: datetime | None,
        now: datetime,
    ) -> ReplyWindow:
        hours = account.options.get("window_hours")
        if hours is None or last_customer_message_at is None:
            return ReplyWindow(open=True)
        closes_at = last_customer_message_at + timedelta(hours=float(hours))
        if now < closes_at:
            return ReplyWindow(open=True, closes_at=closes_at)
        return ReplyWindow(open=False, reason=f"no customer message in the last {hours} hours")


class FakeConnector(FakePlatform):
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.WEBHOOK,
            Capability.POLLING,
            Capability.REPLY_WINDOW,
            Capability.IDEMPOTENT_SEND,
            Capability.PUBLISH,
            Capability.FIND_PUBLISHED,
        }
    )
    streams: ClassVar[tuple[str, ...]] = ("messages",)

    def poll(self, account: AccountConfig, stream: str, cursor: str | None) -> PollResult:
        start = int(cursor or 0)
        with self._lock:
            feed = list(self.feeds.get(account.external_id, []))
        page = feed[start : start + PAGE_SIZE]
        end = start + len(page)
        return PollResult(
            events=tuple(page), cursor=str(end), more=end < len(feed), remaining=len(feed) - end
        )

    def streams_for(self, account: AccountConfig) -> tuple[str, ...]:
        return self.streams


class DemoHistoryConnector(FakePlatform):
    """The demo's sample-history accounts (SWITCHBOARD_FAKE_CONNECTOR=demo).

    The seeded conversations live on accounts no platform knows, so replies to them land in
    the in-process outbox like the fake connector's, but nothing can arrive: no webhook, no
    polling, every delivery refused before it is parsed.
    """

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.REPLY_WINDOW,
            Capability.IDEMPOTENT_SEND,
            Capability.PUBLISH,
            Capability.FIND_PUBLISHED,
        }
    )

    def verify(self, headers: Headers, body: bytes) -> None:
        raise InvalidSignature("the demo's sample-history accounts receive nothing")

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        raise UnsupportedEvent("the demo's sample-history accounts receive nothing")

    def poll(self, account: AccountConfig, stream: str, cursor: str | None) -> PollResult:
        return PollResult(events=(), cursor=cursor, more=False)


def _header(headers: Headers, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _marker_count(text: str, marker: str) -> int:
    at = text.find(marker)
    if at < 0:
        return 0
    digits = text[at + len(marker) :].split("]", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _to_event(account: str, item: Mapping[str, Any]) -> InboundEvent:
    who = item.get("from") or {}
    customer = (
        Participant(
            external_id=str(who["id"]),
            handle=who.get("handle"),
            name=who.get("name"),
            email=who.get("email"),
        )
        if who
        else None
    )
    return InboundEvent(
        kind=EventKind(item.get("type", "message")),
        account_external_id=account,
        external_id=str(item["id"]),
        thread_key=str(item.get("thread") or (customer.external_id if customer else item["id"])),
        conversation_kind=ConversationKind(item.get("kind", "dm")),
        sent_at=datetime.fromisoformat(item["at"]).astimezone(UTC),
        customer=customer,
        text=item.get("text", ""),
        html=item.get("html"),
        subject=item.get("subject"),
        attachments=tuple(
            Attachment(
                kind=a.get("kind", "file"),
                url=a.get("url"),
                filename=a.get("filename"),
                content_type=a.get("content_type"),
                data=a["text_data"].encode() if "text_data" in a else None,
            )
            for a in item.get("attachments", ())
        ),
        outbound_ref=item.get("ref"),
        targets=tuple(str(t) for t in item.get("targets", ())),
        references=tuple(item.get("references", ())),
        context=item.get("context", {}),
        auto_generated=bool(item.get("auto", False)),
    )
