"""X (Twitter): mentions and DMs in by polling (or Account Activity webhooks), replies out.

Calls go through `XClient` (our base URL, tweepy's signing); payload mapping is in
`payloads.py` and `activity.py`, cursor paging in `polling.py`, tweet length in
`weighted_length.py`. README.md in this folder explains the choices.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

import requests

from connectors import x as x_package  # its XLogin is imported at the first renewal
from connectors.base import (
    AccountConfig,
    Attachment,
    CannotRenew,
    Capability,
    ConnectionCheck,
    ConversationKind,
    Headers,
    InboundEvent,
    InvalidSignature,
    OutboundReply,
    OutcomeUnknown,
    Participant,
    PermanentSendError,
    PollResult,
    PublishRequest,
    PublishResult,
    RenewedToken,
    ReplyWindow,
    RetryableSendError,
    SendResult,
    SentLookup,
)
from connectors.x import activity, finding, polling, publishing
from connectors.x.client import DEFAULT_TIMEOUT, RateLimit, XClient
from connectors.x.weighted_length import (
    MAX_WEIGHTED_LENGTH,
    has_invalid_characters,
    weighted_length,
)

DEFAULT_API_URL = "https://api.x.com"
DEFAULT_POLL_INTERVAL = 60.0
REASON_MARGIN = 1.0  # seconds over the configured interval before the budget is named
DEFAULT_PAGE_SIZE = 100
DM_MAX_CHARS = 10_000
# Simple upload (one request) covers images and GIFs; videos need INIT/APPEND/FINALIZE.
DM_MEDIA_CATEGORIES = {
    "image/jpeg": "dm_image",
    "image/png": "dm_image",
    "image/webp": "dm_image",
    "image/gif": "dm_gif",
}
OPERATION_FAMILIES = {
    "send:dm": "dm_send",
    "send:mention": "tweets",
    "publish": "tweets",
    "poll:mentions": "mentions",
    "poll:dms": "dm_events",
    "moderate": "hide_replies",
}


class XConnector:
    slug: ClassVar[str] = "x"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.POLLING,
            Capability.WEBHOOK,
            Capability.HANDSHAKE,
            Capability.LENGTH_LIMIT,
            Capability.PUBLISH,
            Capability.FIND_PUBLISHED,
            Capability.FIND_SENT,
            Capability.PAUSE_SCOPES,
            Capability.CHECK_CONNECTION,
            Capability.COMMENT_MODERATION,
            Capability.ATTACHMENTS,
            Capability.RENEW_TOKEN,
        }
    )
    streams: ClassVar[tuple[str, ...]] = ("mentions", "dms")
    # X lets the author of a conversation hide replies in it; deleting someone else's post
    # is not possible through the API.
    moderation_actions: ClassVar[frozenset[str]] = frozenset({"hide", "unhide"})

    # Last rate-limit headers seen per (X user id, stream), for next_poll_delay(); per process.
    budgets: ClassVar[dict[tuple[str, str], RateLimit]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.api_url = (settings.get("X_API_URL") or DEFAULT_API_URL).rstrip("/")
        self.consumer_key = settings.get("X_CONSUMER_KEY", "")
        self.consumer_secret = settings.get("X_CONSUMER_SECRET", "")
        self.timeout = float(settings.get("X_HTTP_TIMEOUT") or DEFAULT_TIMEOUT)
        self._local = threading.local()
        self._settings = settings  # the OAuth 2.0 client (XLogin) is built at the first renewal

    @property
    def session(self) -> requests.Session:
        """One HTTP session per thread: the runtime shares this connector between workers."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def client(self, account: AccountConfig) -> XClient:
        """Build the API client for one account (OAuth 1.0a or OAuth 2.0 user token)."""
        return XClient(
            self.api_url,
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            credentials=account.credentials,
            session=self.session,
            scope_prefix=f"x:{account.external_id}",
            timeout=self.timeout,
        )

    # Inbound, push (optional Account Activity webhook).

    def handshake(self, query: Mapping[str, str]) -> str | None:
        """Answer X's CRC check (`GET ?crc_token=`) with the JSON body it expects."""
        token = query.get("crc_token")
        if token is None or not self.consumer_secret:
            return None
        return activity.crc_response(self.consumer_secret, token)

    def verify(self, headers: Headers, body: bytes) -> None:
        given = _header(headers, activity.SIGNATURE_HEADER)
        if not self.consumer_secret or given is None:
            raise InvalidSignature("missing x-twitter-webhooks-signature")
        expected = activity.signature(self.consumer_secret, body)
        if not _constant_time_equal(given, expected):
            raise InvalidSignature("wrong x-twitter-webhooks-signature")

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        return activity.activity_events(body)

    # Inbound, pull.

    def poll(self, account: AccountConfig, stream: str, cursor: str | None) -> PollResult:
        """Fetch one page of `stream`; on 429 raise RetryableSendError(retry_after=reset)."""
        page_size = min(100, max(5, int(account.options.get("page_size", DEFAULT_PAGE_SIZE))))
        client = self.client(account)
        try:
            if stream == "mentions":
                result = polling.poll_mentions(client, account.external_id, cursor, page_size)
            elif stream == "dms":
                result = polling.poll_dms(client, account.external_id, cursor, page_size)
            else:
                raise PermanentSendError(f"X has no stream {stream!r}")
        finally:
            if client.last_rate is not None:
                with self._lock:
                    self.budgets[(account.external_id, stream)] = client.last_rate
        delay, reason = self.next_poll_plan(account)
        return replace(result, next_poll_in=delay, next_poll_reason=reason)

    def next_poll_delay(self, account: AccountConfig, now: float | None = None) -> float:
        """Seconds until the next poll of this account (see next_poll_plan)."""
        return self.next_poll_plan(account, now)[0]

    def next_poll_plan(
        self, account: AccountConfig, now: float | None = None
    ) -> tuple[float, str | None]:
        """Seconds until the next poll, spreading what is left of each budget, and why.

        At least `options["poll_interval"]` (default 60); when a stream's window has
        `remaining` calls left until `reset`, polls are spaced (reset - now) / remaining apart;
        an exhausted window waits for its reset. The reason names the stream whose budget
        made the wait noticeably longer than configured (None: as configured, give or take
        REASON_MARGIN seconds: 180 calls per 15 minutes is one every 5.0 s, not a limit).
        """
        now = time.time() if now is None else now
        configured = float(account.options.get("poll_interval", DEFAULT_POLL_INTERVAL))
        delay = configured
        reason: str | None = None
        for stream in self.streams:
            rate = self.budgets.get((account.external_id, stream))
            if rate is None or rate.reset is None or rate.remaining is None:
                continue
            window = max(0.0, rate.reset - now)
            spacing = window + 1.0 if rate.remaining <= 0 else window / rate.remaining
            if spacing > delay:
                delay = spacing
            if spacing > configured + REASON_MARGIN and spacing >= delay:
                reason = (
                    f"X rate limit of {stream}: {rate.remaining} of {rate.limit} calls left "
                    f"for the next {round(window)} s"
                )
        return delay, reason

    # Outbound.

    def validate_text(self, kind: ConversationKind, text: str) -> str | None:
        """Say why X would refuse `text`, with the count (e.g. "300/280"), or None if it fits."""
        if not text.strip():
            return "the reply is empty"
        if kind == ConversationKind.DM:
            if len(text) > DM_MAX_CHARS:
                return f"too long for an X DM: {len(text)}/{DM_MAX_CHARS} characters"
            return None
        if has_invalid_characters(text):
            return "contains a character X refuses (U+FEFF, U+FFFE or U+FFFF)"
        length = weighted_length(text)
        if length > MAX_WEIGHTED_LENGTH:
            return (
                f"too long for X: {length}/{MAX_WEIGHTED_LENGTH} "
                "(Korean, CJK and emoji count 2, each link 23)"
            )
        return None

    def send(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        image_only = not reply.text and reply.conversation_kind == ConversationKind.DM
        problem = (
            None
            if image_only and reply.attachments
            else self.validate_text(reply.conversation_kind, reply.text)
        )
        if problem is not None:
            raise PermanentSendError(problem)
        if reply.attachments and reply.conversation_kind != ConversationKind.DM:
            raise PermanentSendError("X replies carry files in DMs only")
        if len(reply.attachments) > 1:
            raise PermanentSendError("an X DM carries one image or GIF")
        if reply.conversation_kind == ConversationKind.MENTION:
            return self._reply_publicly(account, reply)
        if reply.conversation_kind == ConversationKind.DM:
            return self._send_dm(account, reply)
        raise PermanentSendError(f"X cannot answer a {reply.conversation_kind} conversation")

    def pause_scopes(self, account: AccountConfig, operation: str) -> tuple[str, ...]:
        """X limits each endpoint per user: pause only the window this operation uses."""
        family = OPERATION_FAMILIES.get(operation)
        return (f"x:{account.external_id}:{family}",) if family else ()

    def find_sent(self, account: AccountConfig, lookup: SentLookup) -> SendResult | None:
        """Look for a reply whose send timed out: our DM events, or our recent tweets."""
        return finding.find_sent(self.client(account), account, lookup)

    def reply_window(
        self,
        account: AccountConfig,
        kind: ConversationKind,
        last_customer_message_at: datetime | None,
        now: datetime,
    ) -> ReplyWindow:
        return ReplyWindow(open=True)

    def publish(self, account: AccountConfig, request: PublishRequest) -> PublishResult:
        """Post an announcement as a new tweet (see publishing.py)."""
        return publishing.publish(self.client(account), account, request)

    def find_published(
        self, account: AccountConfig, request: PublishRequest, since: datetime
    ) -> PublishResult | None:
        """Find the tweet an interrupted earlier publish may have posted."""
        return publishing.find_published(self.client(account), account, request, since)

    def moderate(self, account: AccountConfig, external_id: str, action: str) -> None:
        """Hide or unhide a reply: `PUT /2/tweets/:id/hidden {"hidden": bool}`.

        X accepts it only for replies in a conversation the account started; anything else
        comes back as a refusal (403) whose reason the agent is shown. Hiding a hidden reply
        succeeds, so a repeated request is harmless.
        """
        if action not in self.moderation_actions:
            raise PermanentSendError(f"X cannot {action} a post through its API")
        self.client(account).put(f"/2/tweets/{external_id}/hidden", {"hidden": action == "hide"})

    def like(self, account: AccountConfig, tweet_id: str) -> None:
        """Like a customer's tweet as the account."""
        self.client(account).post(f"/2/users/{account.external_id}/likes", {"tweet_id": tweet_id})

    def me(self, account: AccountConfig) -> Participant:
        """Return the account's own X user (id, @username, name), e.g. when connecting it."""
        data: Mapping[str, Any] = self.client(account).get("/2/users/me", {}).body.get("data", {})
        return Participant(
            external_id=str(data["id"]), handle=data.get("username"), name=data.get("name")
        )

    def renews_itself(self, credentials: Mapping[str, str]) -> bool:
        """OAuth 2.0 user tokens live two hours and come with a refresh token; OAuth 1.0a
        tokens and typed-in bearer tokens have neither an end nor a way to renew."""
        return bool(credentials.get("refresh_token"))

    def renew_token(self, account: AccountConfig) -> RenewedToken:
        """Refresh the OAuth 2.0 token; X rotates the refresh token, so the new one is kept."""
        refresh = account.credentials.get("refresh_token")
        if not refresh:
            raise CannotRenew(
                "this X account has no refresh token (connected with OAuth 1.0a or a typed token)"
            )
        grant = x_package.XLogin(self._settings).refresh(refresh)  # oauthlib, imported now
        fresh = {"bearer_token": grant.access_token}
        if grant.refresh_token:
            fresh["refresh_token"] = grant.refresh_token
        return RenewedToken(fresh, grant.expires_at, "x refresh token")

    def check_connection(self, account: AccountConfig) -> ConnectionCheck:
        """The token's own user: it must be the account's X user id."""
        found = self.me(account)
        return ConnectionCheck(
            identity=f"@{found.handle}",
            account_id=found.external_id,
        )

    def streams_for(self, account: AccountConfig) -> tuple[str, ...]:
        return self.streams

    def _reply_publicly(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        target = reply.in_reply_to or reply.thread_key
        body = {"text": reply.text, "reply": {"in_reply_to_tweet_id": target}}
        data = self.client(account).post("/2/tweets", body).body.get("data") or {}
        if "id" not in data:
            raise PermanentSendError("X accepted the reply but returned no tweet id")
        return SendResult(external_id=str(data["id"]), extra={"in_reply_to_tweet_id": target})

    def _send_dm(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        participant = reply.recipient.external_id or _other_side(
            reply.thread_key, account.external_id
        )
        path = f"/2/dm_conversations/with/{participant}/messages"
        client = self.client(account)
        body: dict[str, Any] = {"text": reply.text} if reply.text else {}
        if reply.attachments:
            body["attachments"] = [{"media_id": self._upload(client, reply.attachments[0])}]
        data = client.post(path, body).body.get("data") or {}
        if "dm_event_id" not in data:
            raise PermanentSendError("X accepted the DM but returned no dm_event_id")
        return SendResult(
            external_id=str(data["dm_event_id"]),
            extra={"dm_conversation_id": data.get("dm_conversation_id")},
        )

    def _upload(self, client: XClient, attachment: Attachment) -> str:
        """`POST /2/media/upload` (multipart `media`, `media_category` dm_image or dm_gif):
        the media id a DM names. An upload without an answer is simply repeated: an unused
        media id expires on its own and sends nothing."""
        if attachment.data is None:
            raise PermanentSendError("an X DM attachment must be uploaded from its bytes")
        content_type = attachment.content_type or "application/octet-stream"
        category = DM_MEDIA_CATEGORIES.get(content_type)
        if category is None:
            raise PermanentSendError(f"X DMs take JPEG, PNG, WEBP or GIF, not {content_type}")
        fields = {"media_category": category, "media_type": content_type}
        upload = (attachment.filename or "media", attachment.data, content_type)
        try:
            answer = client.post_multipart("/2/media/upload", fields, {"media": upload})
        except OutcomeUnknown as exc:
            raise RetryableSendError(f"media upload unanswered: {exc.reason}") from exc
        data = answer.body.get("data") or {}
        if "id" not in data:
            raise PermanentSendError("X accepted the media upload but returned no media id")
        return str(data["id"])


def _other_side(conversation_id: str, ours: str) -> str:
    others = [part for part in conversation_id.split("-") if part and part != ours]
    if not others:
        raise PermanentSendError(f"cannot tell the recipient of DM thread {conversation_id}")
    return others[0]


def _header(headers: Headers, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
