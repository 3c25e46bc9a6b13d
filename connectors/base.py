"""The contract between Switchboard and one external channel.

A connector is a translator: provider bytes in, frozen dataclasses out; a reply dataclass in,
one provider call out. It never touches the database, Flask or the job queue, so it can be
tested with nothing but fixture files and a sandbox emulator on loopback. Everything that
crosses the boundary is defined here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable


class Capability(StrEnum):
    """What a connector can do beyond verify/parse/send; the UI and the jobs ask, never guess."""

    WEBHOOK = "webhook"  # deliveries are pushed to /webhooks/<slug>
    POLLING = "polling"  # implements poll(); `switchboard poll` and the scheduler call it
    ATTACHMENTS = "attachments"  # outbound attachments
    REPLY_WINDOW = "reply_window"  # replies are limited in time (Meta's 24-hour rule)
    PRIVATE_REPLY = "private_reply"  # a comment can be answered by DM
    COMMENT_MODERATION = "comment_moderation"  # hide / unhide / delete comments
    PUBLISH = "publish"  # implements publish() for announcements
    IDEMPOTENT_SEND = "idempotent_send"  # the provider dedupes on OutboundReply.message_uuid
    LENGTH_LIMIT = "length_limit"  # implements validate_text()


class EventKind(StrEnum):
    MESSAGE = "message"  # a new message written by the customer
    ECHO = "echo"  # a message sent from our side (by us, or by another app/inbox) coming back
    DELIVERED = "delivered"  # outbound messages reached the customer
    READ = "read"  # the customer read outbound messages up to `sent_at` (watermark)
    EDITED = "edited"  # the customer changed the text of an earlier message
    DELETED = "deleted"  # the customer removed/unsent an earlier message
    BOUNCED = "bounced"  # an outbound email came back undeliverable


class ConversationKind(StrEnum):
    DM = "dm"
    COMMENT = "comment"
    MENTION = "mention"
    EMAIL = "email"
    CHAT = "chat"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file on a message; `data` when the provider hands us the bytes, else `url` to fetch."""

    kind: str  # image | video | audio | file | sticker | story_mention | unsupported
    url: str | None = None
    filename: str | None = None
    content_type: str | None = None
    data: bytes | None = None
    size: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Participant:
    """The customer side of a thread, as the provider identifies them."""

    external_id: str  # PSID, IGSID, X user id, email address, chat session id
    handle: str | None = None  # @username, email address
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class UserProfile:
    """What a platform's profile lookup tells about a customer (Messenger, Instagram).

    Looked up after ingest, never during it; `picture_url` is the platform's (expiring) URL.
    """

    external_id: str
    name: str | None = None
    handle: str | None = None
    picture_url: str | None = None


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """One thing that happened on a channel, already normalized.

    `external_id` is the provider's id of the message and the idempotency key: ingest stores a
    given (channel account, external_id) once, however often the provider redelivers it.
    """

    kind: EventKind
    account_external_id: str  # page id, IG account id, X user id, mailbox address, widget id
    external_id: str
    thread_key: str  # PSID, post id, X conversation id, email root Message-ID, chat session id
    conversation_kind: ConversationKind
    sent_at: datetime  # timezone-aware UTC
    customer: Participant | None = None
    text: str | None = None  # None: not known yet (needs_fetch)
    html: str | None = None  # untrusted; inbox/ sanitizes before storing
    subject: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # ECHO: our outbound message uuid when the provider returned our metadata.
    # BOUNCED/DELIVERED/READ/EDITED/DELETED: the provider id(s) of the message(s) concerned.
    outbound_ref: str | None = None
    targets: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # email In-Reply-To + References, nearest last
    context: Mapping[str, Any] = field(default_factory=dict)  # e.g. the post a comment is on
    auto_generated: bool = False  # auto-replies: stored, never answered, never reopen
    needs_fetch: bool = False  # text/author must be fetched from the provider
    extra: Mapping[str, Any] = field(default_factory=dict)  # shown to agents as metadata
    # Set when one webhook endpoint serves several channels (Meta's carries facebook and
    # instagram); None means the slug of the connector that parsed the delivery.
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """What a connector may know of a channel account: ids, decrypted secrets, options."""

    id: int
    external_id: str
    credentials: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutboundReply:
    """One reply to deliver. `message_uuid` is ours: idempotency key and echo metadata."""

    message_uuid: str
    conversation_kind: ConversationKind
    thread_key: str
    recipient: Participant
    text: str
    attempt: int = 1
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None  # provider id of the message being answered
    references: tuple[str, ...] = ()
    subject: str | None = None
    cc: tuple[str, ...] = ()
    private: bool = False  # answer a public comment by DM
    human_agent: bool = True  # written by a person (Meta HUMAN_AGENT eligibility)
    last_customer_message_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SentLookup:
    """Look for a reply an interrupted attempt may have delivered (outcome unknown).

    `since`: when the first attempt started, minus clock skew; `known_ids`: provider ids
    already recorded for other messages of this conversation, which cannot be this one.
    """

    reply: OutboundReply
    since: datetime
    known_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SendResult:
    external_id: str
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReplyWindow:
    """Whether a reply may be sent now, and why not; shown to the agent before typing."""

    open: bool
    reason: str | None = None
    closes_at: datetime | None = None
    tag: str | None = None  # e.g. "HUMAN_AGENT" when only a tagged send is allowed


@dataclass(frozen=True, slots=True)
class PollResult:
    """A page of events; `cursor` is stored in the same transaction as the events."""

    events: tuple[InboundEvent, ...]
    cursor: str | None
    more: bool = False  # another page is waiting: poll again right away
    # Items that could not be read (undecodable mail, ...): (reason, raw bytes). They are
    # stored as rejected deliveries for admins, and the cursor still moves past them.
    rejected: tuple[tuple[str, bytes], ...] = ()
    next_poll_in: float | None = None  # seconds; None: the account's usual interval
    # Why next_poll_in is longer than the configured interval (a rate budget, a pause);
    # shown on the channel page next to the effective interval.
    next_poll_reason: str | None = None


@dataclass(frozen=True, slots=True)
class PublishRequest:
    announcement_uuid: str  # idempotency key: a target is posted once
    text: str
    image_urls: tuple[str, ...] = ()
    link: str | None = None


@dataclass(frozen=True, slots=True)
class PublishResult:
    external_id: str
    permalink: str | None = None


# Errors: provider failures are mapped to these, never leaked as requests/tweepy exceptions.


class ConnectorError(Exception):
    """Base class; `reason` is what an agent or admin is shown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidSignature(ConnectorError):
    """The delivery cannot be proven to come from the provider: answer 403, store nothing."""


class UnsupportedEvent(ConnectorError):
    """A delivery we cannot or will not ingest; it is recorded as rejected with the reason."""


class RetryableSendError(ConnectorError):
    """Transient: try again after `retry_after` seconds (None: the caller's backoff)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class RateLimited(RetryableSendError):
    """The platform throttled us: every process pauses `scopes` (app, page, account...)

    for `retry_after` seconds, so a poller does not keep calling a Page a sender was told
    to leave alone. Scopes are opaque strings the connector chooses, e.g. `meta:page:123`.
    """

    def __init__(self, reason: str, retry_after: float, scopes: tuple[str, ...]) -> None:
        super().__init__(reason, retry_after=retry_after)
        self.scopes = scopes


class OutcomeUnknown(ConnectorError):
    """The request left us but no answer came back (read timeout, reset, 5xx on a write).

    The platform may have acted on it. Sending again could post twice, so the caller must
    first look for the result (`find_sent` / `find_published`) and resend only if it is not
    there.
    """


class CannotTell(ConnectorError):
    """The platform offers no way to tell whether an earlier attempt went out."""


class PermanentSendError(ConnectorError):
    """Trying again cannot help; the message is marked failed with the reason."""


class ReauthRequired(PermanentSendError):
    """The token was revoked or expired: the account is flagged "reconnect needed"."""


class OutsideReplyWindow(PermanentSendError):
    """The platform no longer allows a reply in this thread (e.g. Meta's 24-hour rule)."""


Headers = Mapping[str, str]


@runtime_checkable
class Connector(Protocol):
    """One external channel. Knows nothing about the database, Flask or rq."""

    slug: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]

    def verify(self, headers: Headers, body: bytes) -> None:
        """Raise InvalidSignature unless the delivery really came from the provider."""

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        """Turn one delivery into zero or more events; raise UnsupportedEvent if unreadable."""

    def send(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        """Deliver one reply. Raise RetryableSendError, PermanentSendError or a subclass."""

    def reply_window(
        self,
        account: AccountConfig,
        kind: ConversationKind,
        last_customer_message_at: datetime | None,
        now: datetime,
    ) -> ReplyWindow:
        """Say whether a reply may be sent now; channels without limits return open."""


@runtime_checkable
class PollingConnector(Connector, Protocol):
    streams: ClassVar[tuple[str, ...]]  # e.g. ("mentions", "dms"); each keeps its own cursor

    def poll(self, account: AccountConfig, stream: str, cursor: str | None) -> PollResult:
        """Fetch what arrived after `cursor`, one page at a time."""


ConnectorFactory = Any  # a class taking (settings: Mapping[str, str]); see connectors/__init__.py
