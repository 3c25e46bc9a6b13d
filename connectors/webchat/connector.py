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

import base64
import binascii
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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
    Participant,
    PermanentSendError,
    ReplyWindow,
    SendResult,
    UnsupportedEvent,
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


@dataclass(frozen=True, slots=True)
class _Visitor:
    name: str | None = None
    email: str | None = None
    locale: str | None = None
    page_url: str | None = None


class WebchatConnector:
    slug: ClassVar[str] = "webchat"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.IDEMPOTENT_SEND, Capability.LENGTH_LIMIT}
    )

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.secret = settings.get("WEBCHAT_TOKEN_SECRET") or settings.get("SECRET_KEY", "")
        days = float(settings.get("WEBCHAT_SESSION_DAYS") or DEFAULT_SESSION_DAYS)
        self.session_max_age = days * 86400

    def verify(self, headers: Headers, body: bytes) -> None:
        """Every event must belong to the session named by the visitor's bearer token."""
        widget = _header(headers, WIDGET_HEADER)
        scheme, _, token = (_header(headers, "Authorization") or "").partition(" ")
        if widget is None or scheme.lower() != "bearer" or not token:
            raise InvalidSignature("missing widget id or visitor session token")
        try:
            claims = read_token(self.secret, token, widget=widget, max_age=self.session_max_age)
        except TokenError as exc:
            raise InvalidSignature(str(exc)) from exc
        try:
            sessions = {str(item.get("session_id")) for item in _lines(body)}
        except UnsupportedEvent as exc:
            raise InvalidSignature(exc.reason) from exc
        if sessions - {claims.session_id}:
            raise InvalidSignature("delivery names a session the token does not")

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        widget = _header(headers, WIDGET_HEADER)
        if not widget:
            raise UnsupportedEvent(f"webchat delivery without {WIDGET_HEADER}")
        visitors: dict[str, _Visitor] = {}
        events: list[InboundEvent] = []
        for item in _lines(body):
            kind = item.get("type")
            if item.get("v") != SCHEMA_VERSION:
                raise UnsupportedEvent(f"webchat schema version {item.get('v')!r} is not 1")
            session_id = _text(item, "session_id")
            if kind == "session.start":
                visitors[session_id] = _visitor(item)
            if kind in IGNORED_TYPES:
                continue
            handler = _HANDLERS.get(str(kind))
            if handler is None:
                raise UnsupportedEvent(f"unknown webchat event type {kind!r}")
            visitor = visitors.get(session_id, _Visitor())
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


def _message(
    widget: str, session_id: str, visitor: _Visitor, item: Mapping[str, Any]
) -> InboundEvent | None:
    text = item.get("text")
    if not isinstance(text, str):
        raise UnsupportedEvent("webchat message without a text string")
    if not text.strip():
        return None  # whitespace-only: the widget should not send it; nothing to show
    mailbox = item.get("reply_by_email")
    if isinstance(mailbox, str) and mailbox:
        return _offline_email(widget, mailbox, visitor, item, text)
    return _event(widget, session_id, visitor, item, text=text, attachments=())


def _offline_email(
    widget: str, mailbox: str, visitor: _Visitor, item: Mapping[str, Any], text: str
) -> InboundEvent:
    """The offline form, routed to a mailbox: an email conversation answered by email.

    The visitor left their address because nobody was there to chat; the answer must reach
    them by email, so the message opens a thread on the mailbox's channel account (the same
    way one endpoint carries two channels for Meta) with a Message-ID of our own as its root.
    """
    if not visitor.email:
        raise UnsupportedEvent("offline message to be answered by email has no visitor email")
    client_msg_id = _text(item, "client_msg_id")
    message_id = f"<webchat-offline.{client_msg_id}@{widget}>"
    extra: dict[str, Any] = {"via": "webchat offline form", "widget": widget}
    if visitor.page_url:
        extra["page_url"] = visitor.page_url
    return InboundEvent(
        kind=EventKind.MESSAGE,
        account_external_id=mailbox,
        external_id=message_id,
        thread_key=message_id,
        conversation_kind=ConversationKind.EMAIL,
        sent_at=_time(item.get("ts")),
        customer=Participant(
            external_id=visitor.email.lower(),
            handle=visitor.email,
            name=visitor.name,
            email=visitor.email,
        ),
        text=text,
        subject=_opt_text(item, "subject"),
        extra=extra,
        channel="email",
    )


def _attachment(
    widget: str, session_id: str, visitor: _Visitor, item: Mapping[str, Any]
) -> InboundEvent:
    raw = item.get("attachment")
    if not isinstance(raw, Mapping):
        raise UnsupportedEvent("webchat attachment event without an attachment object")
    content_type = _opt_text(raw, "content_type")
    data = _data(raw)
    size = raw.get("size")
    extra = {key: raw[key] for key in ("upload_id", "sha256", "width", "height") if key in raw}
    attachment = Attachment(
        kind="image" if (content_type or "").startswith("image/") else "file",
        filename=_opt_text(raw, "filename"),
        content_type=content_type,
        data=data,
        size=len(data) if data is not None else (size if isinstance(size, int) else None),
        extra=extra,
    )
    caption = item.get("caption")
    text = caption if isinstance(caption, str) and caption.strip() else ""
    return _event(widget, session_id, visitor, item, text=text, attachments=(attachment,))


_HANDLERS = {"message": _message, "attachment": _attachment}


def _event(
    widget: str,
    session_id: str,
    visitor: _Visitor,
    item: Mapping[str, Any],
    *,
    text: str,
    attachments: tuple[Attachment, ...],
) -> InboundEvent:
    extra: dict[str, Any] = {}
    if visitor.page_url:
        extra["page_url"] = visitor.page_url
    if visitor.locale:
        extra["locale"] = visitor.locale
    for key in ("page_url", "client_ts", "offline"):
        if key in item:
            extra[key] = item[key]
    return InboundEvent(
        kind=EventKind.MESSAGE,
        account_external_id=widget,
        external_id=_text(item, "client_msg_id"),
        thread_key=session_id,
        conversation_kind=ConversationKind.CHAT,
        sent_at=_time(item.get("ts")),
        customer=Participant(
            external_id=session_id, name=visitor.name, email=visitor.email, handle=None
        ),
        text=text,
        attachments=attachments,
        extra=extra,
    )


def _lines(body: bytes) -> Iterator[Mapping[str, Any]]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsupportedEvent("webchat delivery is not UTF-8") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise UnsupportedEvent(f"line {number} is not JSON: {exc}") from exc
        if not isinstance(item, dict):
            raise UnsupportedEvent(f"line {number} is not a JSON object")
        yield item


def _visitor(item: Mapping[str, Any]) -> _Visitor:
    raw = item.get("visitor")
    who = raw if isinstance(raw, Mapping) else {}
    return _Visitor(
        name=_opt_text(who, "name"),
        email=_opt_text(who, "email"),
        locale=_opt_text(item, "locale"),
        page_url=_opt_text(item, "page_url"),
    )


def _data(raw: Mapping[str, Any]) -> bytes | None:
    encoded = raw.get("data_b64")
    if encoded is None:
        return None  # metadata only (the upload is referenced, not carried)
    try:
        return base64.b64decode(str(encoded), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UnsupportedEvent("attachment data is not base64") from exc


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise UnsupportedEvent("webchat event without a ts")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UnsupportedEvent(f"unreadable ts {value!r}") from exc
    if parsed.tzinfo is None:
        raise UnsupportedEvent(f"ts {value!r} has no time zone")
    return parsed.astimezone(UTC)


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise UnsupportedEvent(f"webchat event without {key}")
    return value


def _opt_text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _header(headers: Headers, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
