"""The contract between Switchboard and one external channel.

A connector is a translator: provider bytes in, frozen dataclasses out; a reply dataclass in,
one provider call out. It never touches the database, Flask or the job queue, so it can be
tested with nothing but fixture files and a sandbox emulator on loopback. Everything that
crosses the boundary is defined here.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable


class Capability(StrEnum):
    """What a connector can do beyond verify/parse/send; the UI and the jobs ask, never guess.

    A capability named in OPTIONAL_BEHAVIOUR (end of this module) comes with a Protocol: the
    registry's check_all refuses a connector that declares the capability without its methods,
    or has the methods without declaring the capability, so callers ask
    `connectors.behaviour(connector, Publish)` and never probe with getattr.
    """

    WEBHOOK = "webhook"  # deliveries are pushed to /webhooks/<slug>
    POLLING = "polling"  # implements poll(); `switchboard poll` and the scheduler call it
    ATTACHMENTS = "attachments"  # outbound attachments
    REPLY_WINDOW = "reply_window"  # replies are limited in time (Meta's 24-hour rule)
    PRIVATE_REPLY = "private_reply"  # a comment can be answered by DM
    COMMENT_MODERATION = "comment_moderation"  # hide / unhide / delete comments
    PUBLISH = "publish"  # implements publish() for announcements
    IDEMPOTENT_SEND = "idempotent_send"  # the provider dedupes on OutboundReply.message_uuid
    LENGTH_LIMIT = "length_limit"  # implements validate_text()
    TEMPLATES = "templates"  # offers pre-approved message templates (WhatsApp), see Templates
    HANDSHAKE = "handshake"  # answers the provider's GET challenge on /webhooks/<slug>
    ENRICH = "enrich"  # fills in events delivered with needs_fetch
    FETCH_ATTACHMENT = "fetch_attachment"  # downloads inbound attachments given by URL
    FIND_PUBLISHED = "find_published"  # looks for a post an interrupted publish may have made
    PERMALINK = "permalink"  # fetches a published post's public link afterwards
    FIND_SENT = "find_sent"  # looks for a reply an interrupted send may have delivered
    WATCH = "watch"  # holds a push connection (IMAP IDLE) between polls
    POLL_SESSION = "poll_session"  # one login serves all of an account's streams in a round
    PAUSE_SCOPES = "pause_scopes"  # names the rate-limit scopes an operation waits on
    CHECK_CONNECTION = "check_connection"  # the admin's "Test connection" button
    PROFILE_LOOKUP = "profile_lookup"  # looks a customer up by their platform id (name, picture)
    VOICE = "voice"  # answers incoming calls on /webhooks/<slug>/voice (see Voice)
    PLACE_CALL = "place_call"  # click-to-call: rings the agent, then the customer
    POST_CONTEXT = "post_context"  # reads the post a comment thread is on (caption, link)
    RENEW_TOKEN = "renew_token"  # noqa: S105 - a capability name: makes a token from a stored grant


class EventKind(StrEnum):
    MESSAGE = "message"  # a new message written by the customer
    ECHO = "echo"  # a message sent from our side (by us, or by another app/inbox) coming back
    DELIVERED = "delivered"  # outbound messages reached the customer
    READ = "read"  # the customer read outbound messages up to `sent_at` (watermark)
    EDITED = "edited"  # the customer changed the text of an earlier message
    DELETED = "deleted"  # the customer removed/unsent an earlier message
    BOUNCED = "bounced"  # an outbound email came back undeliverable
    CALL = "call"  # a phone call's progress, recording or transcript (`extra["call"]`, see Call)


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
    phone: str | None = None  # E.164, when the channel identifies people by number (phone)


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
    # Channel-specific choices made in the composer, stored with the reply and passed
    # through untouched, e.g. {"template": {"name", "language", "variables"}} on WhatsApp.
    options: Mapping[str, Any] = field(default_factory=dict)


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
    # Items still waiting after this page, when the provider can say (IMAP's UID SEARCH
    # counts them before the fetch): `switchboard poll` turns it into a total and an ETA.
    remaining: int | None = None
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


class CannotRenew(ConnectorError):
    """No stored grant can make a new token: the admin has to go through the browser flow."""


class ReauthRequired(PermanentSendError):
    """The token was revoked or expired: the account is flagged "reconnect needed"."""


class OutsideReplyWindow(PermanentSendError):
    """The platform no longer allows a reply in this thread (e.g. Meta's 24-hour rule)."""


Headers = Mapping[str, str]

# Headers our webhook view adds to every delivery (any a client sends under these names are
# dropped): the URL the provider called, which some providers sign (Twilio), and when the
# body reached us, for callbacks that carry no time of their own.
URL_HEADER = "X-Switchboard-Url"
RECEIVED_HEADER = "X-Switchboard-Received-At"


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
    """Capability.POLLING. `streams` are the defaults; `streams_for` may add an account's own
    (a mailbox's extra folders)."""

    streams: ClassVar[tuple[str, ...]]  # e.g. ("mentions", "dms"); each keeps its own cursor

    def poll(self, account: AccountConfig, stream: str, cursor: str | None) -> PollResult:
        """Fetch what arrived after `cursor`, one page at a time."""

    def streams_for(self, account: AccountConfig) -> tuple[str, ...]:
        """The streams polled for this account (usually `streams`)."""


# -- Optional behaviour: one small Protocol per capability ------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """What "Test connection" found: who the credentials belong to, and what does not work.

    `identity` is a short name for people (@handle, Page name, mailbox address);
    `account_id` the provider id the credentials belong to, when the provider says: the admin
    page and `switchboard check` refuse credentials of another account than the one connected.
    """

    identity: str
    account_id: str | None = None
    problems: tuple[str, ...] = ()


class Handshake(Protocol):
    def handshake(self, query: Mapping[str, str]) -> str | None:
        """Answer a GET on the webhook (subscription challenge); None: refuse with 403."""


class Enrich(Protocol):
    def enrich(self, account: AccountConfig, event: InboundEvent) -> InboundEvent:
        """Fetch what a `needs_fetch` event lacks (text, author) from the provider."""


class FetchAttachment(Protocol):
    def fetch_attachment(self, account: AccountConfig, attachment: Attachment) -> bytes:
        """Download an inbound attachment the provider gave by URL."""


class Publish(Protocol):
    def publish(self, account: AccountConfig, request: PublishRequest) -> PublishResult:
        """Post one announcement; raise the send errors (OutcomeUnknown when unsure)."""


class FindPublished(Protocol):
    def find_published(
        self, account: AccountConfig, request: PublishRequest, since: datetime
    ) -> PublishResult | None:
        """Find the post an attempt whose outcome is unknown may have made; None: not there."""


class Permalink(Protocol):
    def permalink(self, account: AccountConfig, external_id: str) -> str | None:
        """The public link of a published post, fetched after publishing."""


class Moderate(Protocol):
    # What this channel can do: hide, unhide, delete (X: hide and unhide replies only).
    moderation_actions: ClassVar[frozenset[str]]

    def moderate(self, account: AccountConfig, external_id: str, action: str) -> None:
        """Hide, unhide or delete a public comment (`action`: hide | unhide | delete)."""


class ProfileLookup(Protocol):
    def user_profile(self, account: AccountConfig, user_id: str) -> UserProfile:
        """The customer's name and picture; an optional lookup, so it raises
        RetryableSendError rather than call while the platform asks us to slow down."""


class PostContext(Protocol):
    def post_context(self, account: AccountConfig, post_id: str) -> dict[str, Any]:
        """{post_text, permalink_url, picture_url} of the post a comment is on (optional, as
        ProfileLookup)."""


class LengthLimit(Protocol):
    def validate_text(self, kind: ConversationKind, text: str) -> str | None:
        """The reason a reply's text is refused before it is queued; None: it fits."""


class FindSent(Protocol):
    def find_sent(self, account: AccountConfig, lookup: SentLookup) -> SendResult | None:
        """Find a reply an interrupted attempt may have delivered; CannotTell: no way to know."""


class Watch(Protocol):
    def watch(
        self,
        account: AccountConfig,
        stream: str,
        on_new: Callable[[], None],
        stop: threading.Event,
        *,
        slice_seconds: float = 30.0,
    ) -> None:
        """Block on a push connection, calling `on_new()` when something arrives, until `stop`."""


class PollSession(Protocol):
    def poll_session(self, account: AccountConfig) -> Any:
        """A context manager whose `poll(stream, cursor)` reuses one login for all streams;
        its `read_only` says whether the next page may be fetched while one is stored."""


class PauseScopes(Protocol):
    def pause_scopes(self, account: AccountConfig, operation: str) -> tuple[str, ...]:
        """The rate-limit scopes (see RateLimited) that `operation` on `account` waits on."""


@dataclass(frozen=True, slots=True)
class RenewedToken:
    """What a renewal gave: the credential keys to replace, when the new token ends (None:
    not said), and how it was made (shown in the audit log and to the admin)."""

    credentials: Mapping[str, str]
    expires_at: datetime | None
    how: str


class RenewToken(Protocol):
    """Capability.RENEW_TOKEN: the token can be made again from a grant stored with it (a
    refresh token, a long-lived user token), so neither the refresh job nor "Reconnect" needs
    the admin's browser while the grant lasts."""

    def renews_itself(self, credentials: Mapping[str, str]) -> bool:
        """Whether the refresh job keeps this token alive before it ends, so the admin needs
        no expiry warning (X with a refresh token; Meta's grant itself ends in 60 days)."""

    def renew_token(self, account: AccountConfig) -> RenewedToken:
        """A fresh token from the stored grant. CannotRenew: no grant is stored;
        ReauthRequired: the provider refused the grant; other send errors as for `send`."""


class CheckConnection(Protocol):
    def check_connection(self, account: AccountConfig) -> ConnectionCheck:
        """Log in / call "who am I" with the account's credentials; raise ConnectorError."""


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    """A message the platform pre-approved, which the agent picks and fills in.

    `key` identifies it in a choice (`{"key", "variables"}`); `body` shows the variables as
    the platform writes them ({{1}}, {{name}}); `problem` says why it cannot be sent now.
    """

    key: str
    name: str
    language: str
    body: str
    variables: tuple[str, ...] = ()
    category: str = ""
    problem: str | None = None


class Templates(Protocol):
    """Capability.TEMPLATES: replies the platform allows even when the reply window is closed.

    The composer offers `message_templates`; a reply made from one is stored with the text
    `render_template` returns and `OutboundReply.options["template"]` set to the choice, which
    `send` turns into the platform's template call. The window check does not apply to it.
    """

    def message_templates(self, account: AccountConfig) -> Sequence[MessageTemplate]:
        """The account's templates, sendable or not (with the reason)."""

    def render_template(self, account: AccountConfig, choice: Mapping[str, Any]) -> str:
        """Check a choice and return the text the customer will read; ConnectorError if not."""


@dataclass(frozen=True, slots=True)
class IncomingCall:
    """Who is calling which of our numbers, read from a voice webhook before it is answered.

    `step` is where the call is: "incoming" (it rings), "dialed" (the agents' phones did not
    answer: `dial_status` says why), "recorded" (a voicemail was left).
    """

    account_external_id: str
    caller: str
    call_id: str
    step: str = "incoming"
    dial_status: str | None = None


@dataclass(frozen=True, slots=True)
class CallRoute:
    """What the inbox decided for an incoming call: ring `dial` (on-shift agents' phones or a
    forwarding number) when open, else (or when nobody answered) take a voicemail."""

    open: bool
    dial: tuple[str, ...] = ()
    ring_seconds: int = 20


class Voice(Protocol):
    """Capability.VOICE: the provider asks us, synchronously, what to do with a call."""

    def incoming_call(self, headers: Headers, body: bytes) -> IncomingCall:
        """Read a verified voice webhook; UnsupportedEvent if it is not one."""

    def call_answer(self, call: IncomingCall, route: CallRoute) -> tuple[str, str]:
        """(body, mimetype) telling the provider what to do next (TwiML for Twilio)."""


class PlaceCall(Protocol):
    """Capability.PLACE_CALL: the provider rings the agent's phone, then bridges the customer.

    `ref` (our call message's uuid) comes back with every status of the call, so statuses
    find the message even before the call id is recorded.
    """

    def place_call(self, account: AccountConfig, agent: str, customer: str, ref: str) -> str:
        """Start the call; return the provider's call id. Send errors as for `send`."""


# Capability -> the Protocol a connector declaring it implements (and only then).
OPTIONAL_BEHAVIOUR: Mapping[Capability, type] = {
    Capability.POLLING: PollingConnector,
    Capability.HANDSHAKE: Handshake,
    Capability.ENRICH: Enrich,
    Capability.FETCH_ATTACHMENT: FetchAttachment,
    Capability.PUBLISH: Publish,
    Capability.FIND_PUBLISHED: FindPublished,
    Capability.PERMALINK: Permalink,
    Capability.COMMENT_MODERATION: Moderate,
    Capability.LENGTH_LIMIT: LengthLimit,
    Capability.FIND_SENT: FindSent,
    Capability.WATCH: Watch,
    Capability.POLL_SESSION: PollSession,
    Capability.PAUSE_SCOPES: PauseScopes,
    Capability.CHECK_CONNECTION: CheckConnection,
    Capability.TEMPLATES: Templates,
    Capability.PROFILE_LOOKUP: ProfileLookup,
    Capability.POST_CONTEXT: PostContext,
    Capability.VOICE: Voice,
    Capability.PLACE_CALL: PlaceCall,
    Capability.RENEW_TOKEN: RenewToken,
}


def protocol_members(protocol: type) -> tuple[str, ...]:
    """The attributes a class must have to implement one of the Protocols above."""
    names = {n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_")}
    if protocol is PollingConnector:
        names.add("streams")
    return tuple(sorted(names))


ConnectorFactory = Any  # a class taking (settings: Mapping[str, str]); see connectors/__init__.py


# -- The channel declaration -------------------------------------------------------------------
#
# Each connector folder declares its channel once, in connectors/<slug>/channel.py:
#
#     CHANNEL = Channel(slug="line", connector="connectors.line.connector:LineConnector",
#                       names={"en": "LINE", "ko": "라인"},
#                       badge=Badge(text="#06c755", background="#e6f9ee"), account=AccountForm(...),
#                       settings=ChannelSettings(prefixes=("LINE_",), defaults={...}),
#                       limits=Limits(...), posts=None)
#
# and connectors/__init__.py registers it with one line. Admin forms, display names, badge
# colours (served as /channels.css), templates, the OpenAPI enums, the settings allow-list and
# announcement checks all read it from there; tests/connectors/test_contract.py refuses a
# declaration with a part missing. channel.py stays light: it names the connector class and
# imports no client library (the package's __init__ exports lazily, see connectors/lazy.py),
# so every process can read every declaration. Words shown to admins carry both UI languages
# (`label("Page id", "페이지 ID")`), so a new channel needs no edit of the UI catalogue.

FieldKind = Literal["secret", "text", "textarea", "number", "checkbox", "choice", "lines", "json"]


@dataclass(frozen=True, slots=True)
class Text:
    """Words shown in the admin UI, in its two languages (English and Korean)."""

    en: str
    ko: str

    def __str__(self) -> str:
        return self.en

    def in_language(self, language: str) -> str:
        return self.ko if language == "ko" else self.en


def label(en: str, ko: str) -> Text:
    """A form label, help text or name in English and Korean."""
    return Text(en, ko)


class Words(str):
    """A message for people (a refusal, a warning) in both UI languages. The string itself is
    the English text, so logs, the REST API and comparisons keep working; the agent UI shows
    `in_language(locale)` (issue 21: the announcement pages were half English in Korean)."""

    ko: str

    def __new__(cls, en: str, ko: str) -> Words:
        made = super().__new__(cls, en)
        made.ko = ko
        return made

    def in_language(self, language: str) -> str:
        return self.ko if language == "ko" else str.__str__(self)


def words(text: Text, **values: object) -> Words:
    """`text` in both languages with its `{placeholders}` filled."""
    return Words(text.en.format(**values), text.ko.format(**values))


@dataclass(frozen=True, slots=True)
class Field:
    """One input of the admin's connect form. `secret` fields are sealed into the account's
    credentials; every other kind is stored in its JSON options (numbers as int, `lines` as a
    list, `json` as an object, `checkbox` as bool)."""

    key: str
    label: Text
    kind: FieldKind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None  # shown on the connect form (checkbox: checked or not)
    help: Text | None = None


@dataclass(frozen=True, slots=True)
class AccountForm:
    """What an admin enters to connect an account: its provider id, secrets and options."""

    external_id_label: Text
    external_id: Literal["text", "digits", "email"] = "text"  # how the id is validated
    # Rewrites the typed id into the provider's spelling (phone: 02-555-0100 → +8225550100);
    # raises ValueError with the reason when it cannot.
    external_id_normalize: Callable[[str], str] | None = None
    credentials: tuple[Field, ...] = ()
    options: tuple[Field, ...] = ()
    # Alternative credential sets (X: an OAuth 1.0a pair or an OAuth 2.0 user token); one set
    # must be complete. Empty: every required credential field is needed.
    credential_sets: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if any(f.kind != "secret" for f in self.credentials):
            raise ValueError("credential fields are secrets; other kinds go into options")
        if any(f.kind == "secret" for f in self.options):
            raise ValueError("a secret field belongs in credentials, where it is sealed")


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True, slots=True)
class Badge:
    """The channel's colours as #rrggbb: the small badge in conversation lists (`text` on
    `background`), and `brand` (default: `text`) behind white text on announcement pages.
    Served as the generated stylesheet /channels.css (no inline styles under the CSP)."""

    text: str
    background: str
    brand: str | None = None

    def __post_init__(self) -> None:
        for colour in (self.text, self.background, self.brand or self.text):
            if not _HEX_COLOUR.fullmatch(colour):
                raise ValueError(f"badge colours are #rrggbb, not {colour!r}")


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """Settings the connector reads: every variable starting with one of `prefixes` is taken
    from the environment (others are ignored), and `defaults` fill in the ones not set."""

    prefixes: tuple[str, ...]
    defaults: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        stray = [k for k in self.defaults if not k.startswith(self.prefixes)]
        if stray:
            raise ValueError(f"settings outside the declared prefixes: {stray}")


@dataclass(frozen=True, slots=True)
class TextLimit:
    """A limit on a reply's text that the composer counts while the agent types.

    `counter` picks the browser's counting rule: "chars" (code points), "weighted" (X's
    weighted length) or "sms" (GSM-7 septets or UCS-2 units, shown with the number of SMS
    parts; web/static/app.js); the server-side check is the connector's validate_text
    (Capability.LENGTH_LIMIT).
    """

    maximum: int
    counter: Literal["chars", "weighted", "sms"] = "chars"


MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class AttachmentLimits:
    """What files a reply may carry on a channel, shown in the composer and enforced when the
    reply is stored (inbox/attachments.py `check_outgoing`).

    `types`: accepted MIME types (as found in the bytes, never the browser's claim) → the
    largest file of that type in bytes; empty: any type up to `max_bytes`. `max_count`: files
    per reply. `note`: what else the agent should know (each file is a separate message...).
    """

    types: Mapping[str, int]
    max_count: int
    max_bytes: int = 0  # the cap for any type, when `types` is empty
    note: Text | None = None

    def __post_init__(self) -> None:
        if self.max_count < 1 or (not self.types and self.max_bytes < 1):
            raise ValueError("attachment limits need a count and a size")

    def cap(self, content_type: str | None) -> int | None:
        """The largest file of this type, or None when the type is not accepted."""
        if not self.types:
            return self.max_bytes
        return self.types.get(content_type or "")

    @property
    def largest(self) -> int:
        return max(self.types.values()) if self.types else self.max_bytes


# The note of channels whose Send API takes one file per call (Messenger, Instagram, WhatsApp).
EACH_FILE_ITS_OWN_MESSAGE = label(
    "Each file arrives as its own message, before the text.",
    "파일마다 따로 메시지로, 글보다 먼저 전달됩니다.",
)


def in_dms_only(
    limits: AttachmentLimits,
) -> Callable[[ConversationKind], AttachmentLimits | None]:
    """`Limits.attachments` for a channel that sends files in direct messages only: a comment
    or mention reply cannot carry a file of ours (Meta takes one public URL, X none)."""
    return lambda kind: limits if kind == ConversationKind.DM else None


@dataclass(frozen=True, slots=True)
class Limits:
    """Reply limits: `text_length` measures text as the platform does; `reply` gives the limit
    the composer shows for a kind of conversation (None: no counter); `attachments` the files
    a reply may carry in a kind of conversation (None: none). A connector declaring
    Capability.ATTACHMENTS declares `attachments` for at least one kind, and only then."""

    text_length: Callable[[str], int] = len
    reply: Callable[[ConversationKind], TextLimit | None] = lambda kind: None
    attachments: Callable[[ConversationKind], AttachmentLimits | None] = lambda kind: None


@dataclass(frozen=True, slots=True)
class PostRules:
    """What the platform accepts in an announcement post (Capability.PUBLISH).

    `link`: where an announcement's link goes when the text does not contain it — "text"
    (appended), "preview" (a separate link field, making a preview card, when no images go
    along; appended otherwise), "drop" (left out: the platform does not make it clickable).
    `text_length` counts as the platform does; `max_chars_option` is an account option that
    overrides `max_chars`; `too_long` is the error, with {label} and {count} ("152/280").
    `text_checks`: the platform's own rules beyond length (hashtag caps...), as error
    messages, given the text and the account's options.
    """

    label: str
    max_chars: int
    image_types: frozenset[str]
    max_image_bytes: int
    max_images: int
    text_length: Callable[[str], int] = len
    too_long: Text = Text(
        "{label}: too long, {count} characters", "{label}: 너무 깁니다, {count}자"
    )
    count_thousands: bool = True  # "1,024/2,200" rather than "1024/2200"
    max_chars_option: str | None = None
    needs_image: bool = False
    attaches_images: bool = True  # False: images are left out of the post (warning)
    link: Literal["text", "preview", "drop"] = "text"
    link_warning: Text | None = None  # shown when the link is dropped
    text_checks: Callable[[str, Mapping[str, object]], Sequence[str]] = lambda text, opts: ()


@dataclass(frozen=True, slots=True)
class SharedWebhook:
    """A webhook URL this channel shares with others, told apart by the body's `object`.

    Meta lets an app point all its webhook objects at one callback URL: `page` (Facebook),
    `instagram`, `whatsapp_business_account` arrive on /webhooks/<endpoint> and a delivery is
    handed to the channel whose declaration claims its `object` (the registry refuses two
    claims of one object). The channel's own /webhooks/<slug> keeps working too.
    """

    endpoint: str
    object: str


@dataclass(frozen=True, slots=True)
class Channel:
    """Everything Switchboard knows about one channel, declared in its connector's folder.

    `connector` names the class as "package.module:ClassName" (a test's stand-in may be the
    class itself): the declaration is read by every process, the class imported only by one
    that builds or asks about this channel's connector, so a mail poll does not load the X or
    Twilio client libraries (issue 12). The class's `capabilities` ClassVar says what it can
    do; tests/connectors/test_contract.py and `switchboard check` check its Protocols against
    the declaration (connectors.check_all).
    `account` is None for a channel whose accounts are not connected from the admin page.
    `posts` is set exactly when the connector can publish (Capability.PUBLISH).
    """

    slug: str
    connector: str | type
    names: Mapping[str, str]  # {"en": ..., "ko": ...}
    badge: Badge
    account: AccountForm | None
    settings: ChannelSettings
    limits: Limits = field(default_factory=Limits)
    posts: PostRules | None = None
    shared_webhook: SharedWebhook | None = None

    @property
    def connector_class(self) -> type:
        """The connector class, imported on first use (the import system caches modules)."""
        if isinstance(self.connector, type):
            return self.connector
        module, _, name = self.connector.partition(":")
        found: type = getattr(importlib.import_module(module), name)
        return found

    @property
    def capabilities(self) -> frozenset[Capability]:
        caps: frozenset[Capability] = self.connector_class.capabilities  # type: ignore[attr-defined]
        return caps

    def name(self, language: str) -> str:
        """The display name in `language` ("ko", "en"), English when that one is missing."""
        return self.names.get(language) or self.names["en"]
