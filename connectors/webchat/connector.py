"""The website chat widget: our own wire format, so the simplest real connector.

The widget speaks JSON events (`{"v":1,"type":"session.start"|"message"|"attachment"|
"typing"|"session.end","session_id",...}`); the chat API (web/chat/) authenticates the visitor
by a signed session token, stores the events as one raw delivery (JSON Lines, preceded by a
`session.start` line carrying the visitor's name and email from the token) and the ingest job
hands it to `parse`. A delivery never relies on an earlier one: every line is readable alone.

Agent replies are not pushed anywhere: the visitor's widget reads them from our database
through the chat API (long-poll). `send` therefore only acknowledges, with our own message
uuid as the provider id, and the send job's "sent" is what makes a reply visible to the
visitor. See README.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from connectors.base import (
    AccountConfig,
    Capability,
    ConversationKind,
    Headers,
    InboundEvent,
    InvalidSignature,
    OutboundReply,
    PermanentSendError,
    ReplyWindow,
    SendResult,
    UnsupportedEvent,
)
from connectors.webchat.payloads import (
    HANDLERS,
    Visitor,
    header,
    lines,
    read_visitor,
    required_text,
)
from connectors.webchat.tokens import TokenError, read_token

# The documented size limit of one chat message (and of an agent's reply). The chat API refuses
# a longer message with an error the visitor sees; nothing is ever cut short.
MESSAGE_MAX_CHARS = 20_000
WIDGET_HEADER = "X-Webchat-Widget"
SCHEMA_VERSION = 1
DEFAULT_SESSION_DAYS = 30

# Event types the widget sends that never become a message: typing is a live-only signal, and
# a visitor closing the widget leaves the conversation open for the agents.
IGNORED_TYPES = frozenset({"session.start", "typing", "session.end"})


class WebchatConnector:
    slug: ClassVar[str] = "webchat"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.IDEMPOTENT_SEND, Capability.LENGTH_LIMIT, Capability.ATTACHMENTS}
    )

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.secret = settings.get("WEBCHAT_TOKEN_SECRET") or settings.get("SECRET_KEY", "")
        days = float(settings.get("WEBCHAT_SESSION_DAYS") or DEFAULT_SESSION_DAYS)
        self.session_max_age = days * 86400

    def verify(self, headers: Headers, body: bytes) -> None:
        """Every event must belong to the session named by the visitor's bearer token."""
        widget = header(headers, WIDGET_HEADER)
        scheme, _, token = (header(headers, "Authorization") or "").partition(" ")
        if widget is None or scheme.lower() != "bearer" or not token:
            raise InvalidSignature("missing widget id or visitor session token")
        try:
            claims = read_token(self.secret, token, widget=widget, max_age=self.session_max_age)
        except TokenError as exc:
            raise InvalidSignature(str(exc)) from exc
        try:
            sessions = {str(item.get("session_id")) for item in lines(body)}
        except UnsupportedEvent as exc:
            raise InvalidSignature(exc.reason) from exc
        if sessions - {claims.session_id}:
            raise InvalidSignature("delivery names a session the token does not")

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        widget = header(headers, WIDGET_HEADER)
        if not widget:
            raise UnsupportedEvent(f"webchat delivery without {WIDGET_HEADER}")
        visitors: dict[str, Visitor] = {}
        events: list[InboundEvent] = []
        for item in lines(body):
            kind = item.get("type")
            if item.get("v") != SCHEMA_VERSION:
                raise UnsupportedEvent(f"webchat schema version {item.get('v')!r} is not 1")
            session_id = required_text(item, "session_id")
            if kind == "session.start":
                visitors[session_id] = read_visitor(item)
            if kind in IGNORED_TYPES:
                continue
            handler = HANDLERS.get(str(kind))
            if handler is None:
                raise UnsupportedEvent(f"unknown webchat event type {kind!r}")
            visitor = visitors.get(session_id, Visitor())
            event = handler(widget, session_id, visitor, item)
            if event is not None:
                events.append(event)
        return events

    def send(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        """Acknowledge: the widget reads sent replies from our database through the chat API."""
        problem = self.validate_text(reply.conversation_kind, reply.text)
        if problem is not None:
            raise PermanentSendError(problem)
        return SendResult(external_id=reply.message_uuid)

    def reply_window(
        self,
        account: AccountConfig,
        kind: ConversationKind,
        last_customer_message_at: datetime | None,
        now: datetime,
    ) -> ReplyWindow:
        # A visitor who left sees the answer when they come back (the session resumes).
        return ReplyWindow(open=True)

    def validate_text(self, kind: ConversationKind, text: str) -> str | None:
        if len(text) > MESSAGE_MAX_CHARS:
            return f"a chat message has at most {MESSAGE_MAX_CHARS} characters ({len(text)} given)"
        return None
