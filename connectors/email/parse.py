"""Turn one raw RFC 5322 message into one InboundEvent.

The message is parsed with `compat32` so header and body bytes reach our own CP949-aware
decoders (see mime.py). Parsing never raises on bad mail: Python's parser records defects and
carries on, and everything after it is defensive; `parse_message` raises UnsupportedEvent only
when the bytes are not a message at all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    InboundEvent,
    Participant,
    UnsupportedEvent,
)
from connectors.email import mime
from connectors.email.quotes import cut_html_quote, html_to_text, split_reply

# Set on every message we send; an echo of it names our outbound message.
UUID_HEADER = "X-Switchboard-Message-UUID"

_MSG_ID = re.compile(r"<[^<>\s]+>")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})
_OOO_SUBJECT = re.compile(
    r"^\s*(?:자동\s*회신|자동\s*응답|부재\s*중|automatic reply|auto[- ]?reply|autoreply"
    r"|out of (?:the )?office|abwesenheitsnotiz)\b",
    re.IGNORECASE,
)
_DSN_SENDER = re.compile(r"^(?:mailer-daemon|postmaster)@", re.IGNORECASE)


@dataclass
class _Body:
    text: str | None = None
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    dsn_blocks: list[Message] = field(default_factory=list)
    original_headers: Message | None = None


def parse_message(
    raw: bytes, account_address: str, *, received_at: datetime | None = None
) -> InboundEvent:
    """Normalize one message fetched from the mailbox `account_address`.

    `received_at` (IMAP INTERNALDATE) is used when the Date header is missing or unreadable.
    """
    if not raw.strip():
        raise UnsupportedEvent("empty message")
    # The parsers' default policy is compat32 (raw header strings, see the module docstring);
    # naming it would import email.policy and its header registry, which a poll never uses.
    msg = BytesParser().parsebytes(raw)
    if not msg.keys():
        raise UnsupportedEvent("no header fields: not an RFC 5322 message")
    heads = _Heads(mime.raw_headers(msg))
    body = _Body()
    _collect(msg, body, related=False)
    sender_name, sender = _first_address(heads.first("from"))
    references = _references(heads)
    message_id = _first_id(heads.first("message-id")) or synthesized_id(raw)
    subject = mime.decode_header_value(heads.first("subject")) or None
    full_text = _full_text(body)
    text = _display_text(body, full_text)
    extra = _extra(heads, message_id, text, full_text, subject)
    kind, customer, targets, outbound_ref = _classify(
        msg, heads, body, account_address, sender, sender_name, extra
    )
    if kind is EventKind.BOUNCED:
        text = _bounce_text(text, extra)
    return InboundEvent(
        kind=kind,
        account_external_id=account_address,
        external_id=message_id,
        thread_key=references[0] if references else message_id,
        conversation_kind=ConversationKind.EMAIL,
        sent_at=_sent_at(heads, received_at),
        customer=customer,
        text=text,
        html=body.html,
        subject=subject,
        attachments=tuple(body.attachments),
        outbound_ref=outbound_ref,
        targets=targets,
        references=tuple(references),
        auto_generated=bool(extra.get("auto_reasons")) or kind is EventKind.BOUNCED,
        extra=extra,
    )


class _Heads:
    """A message's raw header values by lowercased name, read once (mime.raw_headers)."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, list[str]]) -> None:
        self.values = values

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])


def _extra(
    heads: _Heads, message_id: str, text: str, full_text: str, subject: str | None
) -> dict[str, Any]:
    """Metadata shown to agents: recipients, Reply-To, the uncut body, why it looks automatic."""
    extra: dict[str, Any] = {
        "message_id": message_id,
        "to": [addr for _name, addr in _addresses(heads, "to")],
        "cc": [addr for _name, addr in _addresses(heads, "cc")],
    }
    reply_to = _first_address(heads.first("reply-to"))[1]
    if reply_to:
        extra["reply_to"] = reply_to
    if text != full_text:
        extra["full_text"] = full_text
    auto_reasons = _auto_reasons(heads, subject)
    if auto_reasons:
        extra["auto_reasons"] = auto_reasons
    return extra


def synthesized_id(raw: bytes) -> str:
    """Return the stable id of a message without Message-ID.

    Line endings are normalized first: dovecot hands back CRLF what was appended with LF, and a
    refetch must dedupe against the first fetch.
    """
    normalized = raw.replace(b"\r\n", b"\n")
    return "sha256:" + hashlib.sha256(normalized).hexdigest()


def auto_reply_reasons(msg: Message, subject: str | None) -> list[str]:
    """Say why a message looks machine-written (RFC 3834 and the common non-standard signs)."""
    return _auto_reasons(_Heads(mime.raw_headers(msg)), subject)


def _auto_reasons(heads: _Heads, subject: str | None) -> list[str]:
    reasons: list[str] = []
    auto_submitted = (heads.first("auto-submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        reasons.append(f"Auto-Submitted: {auto_submitted}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if name.lower() in heads.values:
            reasons.append(name)
    precedence = (heads.first("precedence") or "").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        reasons.append(f"Precedence: {precedence}")
    for name in ("List-Id", "List-Unsubscribe"):
        if name.lower() in heads.values:
            reasons.append(name)
    if (heads.first("return-path") or "").strip() == "<>":
        reasons.append("null Return-Path")
    if subject and _OOO_SUBJECT.match(subject):
        reasons.append("out-of-office subject")
    return reasons


def _collect(part: Message, body: _Body, *, related: bool) -> None:
    ctype = part.get_content_type()
    if ctype == "message/delivery-status":
        body.dsn_blocks.extend(p for p in part.get_payload() if isinstance(p, Message))
        return
    if ctype == "text/rfc822-headers":
        body.original_headers = HeaderParser().parsestr(mime.part_text(part))
        return
    if ctype == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            if part.get_content_disposition() is None and body.original_headers is None:
                body.original_headers = inner[0]
            body.attachments.append(_forwarded(part, inner[0]))
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                _collect(child, body, related=related or ctype == "multipart/related")
        return
    _collect_leaf(part, ctype, body, related=related)


def _collect_leaf(part: Message, ctype: str, body: _Body, *, related: bool) -> None:
    filename = mime.filename_of(part)
    disposition = part.get_content_disposition()
    is_body = disposition != "attachment" and filename is None
    if is_body and ctype == "text/plain":
        text = mime.part_text(part)
        body.text = text if body.text is None else f"{body.text}\n\n{text}"
    elif is_body and ctype == "text/html":
        if body.html is None:
            body.html = mime.part_text(part)
    else:
        body.attachments.append(_attachment(part, ctype, disposition, filename, related=related))


def _attachment(
    part: Message, ctype: str, disposition: str | None, filename: str | None, *, related: bool
) -> Attachment:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    extra: dict[str, Any] = {}
    content_id = part.get("Content-ID")
    if content_id:
        extra["content_id"] = str(content_id).strip().strip("<>")
    if related or disposition == "inline":
        extra["inline"] = True
    return Attachment(
        kind=_kind_of(ctype),
        filename=filename,
        content_type=ctype,
        data=data,
        size=len(data),
        extra=extra,
    )


def _forwarded(part: Message, inner: Message) -> Attachment:
    data = inner.as_bytes()  # in the policy it was parsed with: compat32
    name = mime.filename_of(part) or f"{mime.header(inner, 'Subject') or 'message'}.eml"
    return Attachment(
        kind="file", filename=name, content_type="message/rfc822", data=data, size=len(data)
    )


def _kind_of(ctype: str) -> str:
    main = ctype.split("/", 1)[0]
    return main if main in ("image", "video", "audio") else "file"


def _full_text(body: _Body) -> str:
    if body.text is not None and body.text.strip():
        return body.text.strip()
    if body.html is not None:
        return html_to_text(body.html)
    return (body.text or "").strip()


def _display_text(body: _Body, full_text: str) -> str:
    if (body.text is None or not body.text.strip()) and body.html is not None:
        return split_reply(html_to_text(cut_html_quote(body.html))) or full_text
    return split_reply(full_text)


def _addresses(heads: _Heads, name: str) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for raw in heads.all(name):
        for display, addr in _mailboxes(mime.restore_8bit(raw)):
            if _ADDRESS.fullmatch(addr.strip()):
                found.append((mime.decode_header_value(display) or None, addr.strip().lower()))
    return found


# One mailbox as most mail writes it: `addr`, `<addr>` or `words <addr>`, where the words hold
# no character RFC 5322 gives a meaning (quotes, comments, groups, routes, lists).
_WORD = r"[^\x00-\x20\x7f()<>@,;:\\\".\[\]]+"
_ADDR_SPEC = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
_SIMPLE_MAILBOX = re.compile(
    rf"[ \t\r\n]*(?:(?:({_WORD}(?:[ \t\r\n]+{_WORD})*)[ \t\r\n]*)?<({_ADDR_SPEC})>"
    rf"|({_ADDR_SPEC}))[ \t\r\n]*"
)
_FWS = re.compile(r"[ \t\r\n]+")


def _mailboxes(value: str) -> list[tuple[str, str]]:
    """`email.utils.getaddresses([value])`, with a shortcut for the one simple mailbox nearly
    every header holds: the stdlib's address parser, a character at a time, cost more than
    the rest of reading a mail. tests/connectors/email/test_mime.py holds the two to the
    same answers."""
    simple = _SIMPLE_MAILBOX.fullmatch(value)
    if simple is not None:
        words, bracketed, bare = simple.groups()
        if bare is not None:
            return [("", bare)]
        return [(" ".join(_FWS.split(words)) if words else "", bracketed)]
    return getaddresses([value])


def _first_address(raw: str | None) -> tuple[str | None, str | None]:
    """Return (display name, lowercased address) of the first mailbox, tolerating bad syntax."""
    if raw is None or not raw.strip():
        return None, None
    value = mime.restore_8bit(raw)
    for display, addr in _mailboxes(value):
        if _ADDRESS.fullmatch(addr.strip()):
            return (mime.decode_header_value(display) or None), addr.strip().lower()
    match = _ADDRESS.search(value)
    if match is None:
        return None, None
    name = value[: match.start()].strip().rstrip("<").strip().strip('"').strip()
    return (mime.decode_header_value(name) or None), match.group(0).lower()


def _first_id(raw: str | None) -> str | None:
    ids = _MSG_ID.findall(raw or "")
    return ids[0] if ids else None


def _references(heads: _Heads) -> list[str]:
    """Return References then In-Reply-To, deduplicated, the nearest (the parent) last."""
    ids = _MSG_ID.findall(heads.first("references") or "")
    parent = _first_id(heads.first("in-reply-to"))
    if parent is not None:
        ids = [i for i in ids if i != parent] + [parent]
    seen: set[str] = set()
    unique: list[str] = []
    for msg_id in ids:
        if msg_id not in seen:
            seen.add(msg_id)
            unique.append(msg_id)
    return unique


def _sent_at(heads: _Heads, received_at: datetime | None) -> datetime:
    raw = heads.first("date")
    if raw:
        try:
            when = parsedate_to_datetime(raw.strip())
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return (received_at or datetime.now(UTC)).astimezone(UTC)


def _classify(
    msg: Message,
    heads: _Heads,
    body: _Body,
    account_address: str,
    sender: str | None,
    sender_name: str | None,
    extra: dict[str, Any],
) -> tuple[EventKind, Participant | None, tuple[str, ...], str | None]:
    """Decide what the message is: a customer message, a bounce, or our own mail coming back."""
    report = _delivery_report(msg, heads, body, sender)
    if report is not None:
        extra["dsn"] = report
        extra.setdefault("auto_reasons", []).append("delivery report")
        originals = tuple(report.get("original_message_ids", ()))
        if report["permanent"] and originals:
            return EventKind.BOUNCED, None, originals, None
    if sender is not None and sender == account_address.lower():
        to = _addresses(heads, "to")
        customer = _participant(to[0][1], to[0][0]) if to else None
        return EventKind.ECHO, customer, (), _uuid_header(heads)
    customer = _participant(sender, sender_name) if sender else None
    return EventKind.MESSAGE, customer, (), None


def _participant(address: str, name: str | None) -> Participant:
    return Participant(external_id=address, handle=address, name=name, email=address)


def _uuid_header(heads: _Heads) -> str | None:
    value = heads.first(UUID_HEADER.lower())
    return value.strip() if value and value.strip() else None


def _delivery_report(
    msg: Message, heads: _Heads, body: _Body, sender: str | None
) -> dict[str, Any] | None:
    """Read an RFC 3464 delivery report; None when the message is not one.

    `permanent` is true when a recipient failed; "delayed" reports are kept as notes only.
    """
    is_report = (
        msg.get_content_type() == "multipart/report"
        and str(msg.get_param("report-type") or "").lower() == "delivery-status"
    )
    null_sender = (heads.first("return-path") or "").strip() == "<>"
    daemon = sender is not None and _DSN_SENDER.match(sender) is not None
    if not is_report and not (body.dsn_blocks and (null_sender or daemon)):
        return None
    recipients = [_recipient(block) for block in body.dsn_blocks[1:]]
    recipients = [r for r in recipients if r]
    originals: list[str] = []
    if body.original_headers is not None:
        original = _first_id(mime.raw_header(body.original_headers, "Message-ID"))
        if original is not None:
            originals.append(original)
    failed = [r for r in recipients if r.get("action") == "failed"]
    first = (failed or recipients or [{}])[0]
    return {
        "permanent": bool(failed),
        "action": first.get("action"),
        "status": first.get("status"),
        "diagnostic": first.get("diagnostic"),
        "recipient": first.get("recipient"),
        "recipients": recipients,
        "original_message_ids": originals,
    }


def _recipient(block: Message) -> dict[str, str]:
    fields: Mapping[str, str | None] = {
        "recipient": block.get("Final-Recipient") or block.get("Original-Recipient"),
        "action": block.get("Action"),
        "status": block.get("Status"),
        "diagnostic": block.get("Diagnostic-Code"),
    }
    out: dict[str, str] = {}
    for key, value in fields.items():
        if value is None:
            continue
        text = " ".join(str(value).split())
        if key in ("recipient", "diagnostic") and ";" in text:
            text = text.split(";", 1)[1].strip()
        out[key] = text.lower() if key in ("action", "recipient") else text
    return out


def _bounce_text(text: str, extra: Mapping[str, Any]) -> str:
    report = extra.get("dsn") or {}
    lines = [f"Status: {report.get('status')}", f"Diagnostic: {report.get('diagnostic')}"]
    if report.get("recipient"):
        lines.insert(0, f"Recipient: {report.get('recipient')}")
    return "\n".join(lines) + ("\n\n" + text if text else "")
