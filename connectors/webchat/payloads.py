"""The widget's JSON events read into InboundEvents: the one place a raw chat payload is read."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    Headers,
    InboundEvent,
    Participant,
    UnsupportedEvent,
)


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who is writing, from the delivery's `session.start` line (the token's claims)."""

    name: str | None = None
    email: str | None = None
    locale: str | None = None
    page_url: str | None = None


def _message(
    widget: str, session_id: str, visitor: Visitor, item: Mapping[str, Any]
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
    widget: str, mailbox: str, visitor: Visitor, item: Mapping[str, Any], text: str
) -> InboundEvent:
    """The offline form, routed to a mailbox: an email conversation answered by email.

    The visitor left their address because nobody was there to chat; the answer must reach
    them by email, so the message opens a thread on the mailbox's channel account (the same
    way one endpoint carries two channels for Meta) with a Message-ID of our own as its root.
    """
    if not visitor.email:
        raise UnsupportedEvent("offline message to be answered by email has no visitor email")
    client_msg_id = required_text(item, "client_msg_id")
    session_id = required_text(item, "session_id")
    message_id = f"<webchat-offline.{session_id}.{client_msg_id}@{widget}>"
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
    widget: str, session_id: str, visitor: Visitor, item: Mapping[str, Any]
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


HANDLERS = {"message": _message, "attachment": _attachment}


def message_external_id(session_id: str, client_msg_id: str) -> str:
    """A chat message's provider id: the widget picks `client_msg_id`, so it is only unique
    within the visitor's session; two visitors choosing the same one must not meet."""
    return f"{session_id}/{client_msg_id}"


def client_msg_id_of(external_id: str) -> str:
    """The widget's own id back from a stored provider id (rows from before the session scope
    hold the bare `client_msg_id`)."""
    return external_id.rpartition("/")[2]


def _event(
    widget: str,
    session_id: str,
    visitor: Visitor,
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
        external_id=message_external_id(session_id, required_text(item, "client_msg_id")),
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


def lines(body: bytes) -> Iterator[Mapping[str, Any]]:
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


def read_visitor(item: Mapping[str, Any]) -> Visitor:
    raw = item.get("visitor")
    who = raw if isinstance(raw, Mapping) else {}
    return Visitor(
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


def required_text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise UnsupportedEvent(f"webchat event without {key}")
    return value


def _opt_text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value.strip() else None


def header(headers: Headers, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
