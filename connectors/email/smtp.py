"""Build a reply as a MIME message and deliver it over SMTP.

The Message-ID is derived from the reply's uuid and the mailbox's domain, so a retried send
carries the same id (receiving clients collapse duplicates) and the copy that comes back in a
Sent folder or a Cc is recognized as an echo.
"""

from __future__ import annotations

import html
import smtplib
import socket
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from connectors.base import (
    AccountConfig,
    Attachment,
    ConnectorError,
    OutboundReply,
    OutcomeUnknown,
    PermanentSendError,
    ReauthRequired,
    RetryableSendError,
)
from connectors.email.parse import UUID_HEADER
from connectors.email.subjects import normalize_subject, reply_subject
from connectors.email.tls import context_for

# Keep References bounded (RFC 5322 has no limit, but some MTAs reject lines over 998 octets).
MAX_REFERENCES = 20
DEFAULT_TIMEOUT = 30.0


def message_id_for(message_uuid: str, account_address: str) -> str:
    """Return our Message-ID for a reply: deterministic from its uuid and our domain."""
    domain = account_address.rsplit("@", 1)[-1].strip().lower() or "localhost"
    return f"<{message_uuid}@{domain}>"


def reply_references(reply: OutboundReply) -> list[str]:
    """Return the References of a reply: the parent's chain then the parent, trimmed."""
    refs = [r for r in reply.references if r]
    if reply.in_reply_to:
        refs = [r for r in refs if r != reply.in_reply_to] + [reply.in_reply_to]
    unique = list(dict.fromkeys(refs))
    if len(unique) > MAX_REFERENCES:
        unique = unique[:1] + unique[-(MAX_REFERENCES - 1) :]
    return unique


def build_reply(account: AccountConfig, reply: OutboundReply, *, sent_at: Any) -> EmailMessage:
    """Return the MIME message for `reply`: text and HTML alternatives plus attachments."""
    options = account.options
    msg = EmailMessage(policy=policy.SMTP)
    msg["Message-ID"] = message_id_for(reply.message_uuid, account.external_id)
    msg["Date"] = format_datetime(sent_at)
    msg["From"] = formataddr((str(options.get("from_name") or ""), account.external_id))
    to_address = reply.recipient.email or reply.recipient.external_id
    msg["To"] = formataddr((reply.recipient.name or "", to_address))
    if reply.cc:
        msg["Cc"] = ", ".join(reply.cc)
    threaded = bool(reply.in_reply_to or reply.references)
    msg["Subject"] = (
        reply_subject(reply.subject) if threaded else normalize_subject(reply.subject) or ""
    )
    if reply.in_reply_to:
        msg["In-Reply-To"] = reply.in_reply_to
    references = reply_references(reply)
    if references:
        msg["References"] = " ".join(references)
    msg[UUID_HEADER] = reply.message_uuid
    if not reply.human_agent:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    signature = str(options.get("signature") or "").strip()
    msg.set_content(_text_body(reply.text, signature), charset="utf-8")
    msg.add_alternative(_html_body(reply.text, signature), subtype="html", charset="utf-8")
    for attachment in reply.attachments:
        _attach(msg, attachment)
    return msg


def _attach(msg: EmailMessage, attachment: Attachment) -> None:
    if attachment.data is None:
        raise PermanentSendError(
            f"attachment {attachment.filename or attachment.url!r} has no data to send"
        )
    maintype, _, subtype = (attachment.content_type or "application/octet-stream").partition("/")
    msg.add_attachment(
        attachment.data,
        maintype=maintype,
        subtype=subtype or "octet-stream",
        filename=attachment.filename or "attachment",
    )


def _text_body(text: str, signature: str) -> str:
    return f"{text.rstrip()}\n\n-- \n{signature}\n" if signature else f"{text.rstrip()}\n"


def _html_body(text: str, signature: str) -> str:
    def paragraphs(value: str) -> str:
        return html.escape(value.strip()).replace("\n", "<br>\n")

    parts = [f"<div>{paragraphs(text)}</div>"]
    if signature:
        parts.append(f'<div class="signature">-- <br>\n{paragraphs(signature)}</div>')
    return "<!DOCTYPE html>\n<html><body>\n" + "\n".join(parts) + "\n</body></html>\n"


def deliver(account: AccountConfig, msg: EmailMessage, recipients: list[str]) -> dict[str, Any]:
    """Send `msg` through the account's SMTP server; map failures to the shared errors.

    Returns the recipients the server refused while accepting others.
    """
    progress = {"data_sent": False, "accepted": False}
    refused: dict[str, tuple[int, bytes]] = {}
    try:
        with open_smtp(account.options, account.credentials) as client:
            _watch_end_of_data(client, progress)
            refused = client.send_message(msg, from_addr=account.external_id, to_addrs=recipients)
            progress["accepted"] = True  # 250 to the end of DATA: the server has it
    except smtplib.SMTPAuthenticationError as exc:
        raise ReauthRequired(f"SMTP login refused: {_reply_text(exc)}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        reason = "; ".join(
            f"{addr}: {code} {_decode(text)}" for addr, (code, text) in exc.recipients.items()
        )
        if codes and all(400 <= c < 500 for c in codes):
            raise RetryableSendError(f"recipients deferred: {reason}") from exc
        raise PermanentSendError(f"recipients refused: {reason}") from exc
    except smtplib.SMTPResponseException as exc:
        raise _by_code(exc.smtp_code, _reply_text(exc)) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise PermanentSendError(f"SMTP server lacks a required feature: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        if not progress["accepted"] and progress["data_sent"]:
            # The whole message went out and no answer came: the server may have queued it,
            # and our Message-ID does not let us ask. Never resend it blindly (issue 14).
            reason = f"no answer from the SMTP server after the message: {exc}"
            raise OutcomeUnknown(reason) from exc
        if not progress["accepted"]:
            raise RetryableSendError(f"SMTP connection failed: {exc}") from exc
        # Accepted, then the connection broke on QUIT: the mail is on its way.
    return {addr: [code, _decode(text)] for addr, (code, text) in refused.items()}


def _watch_end_of_data(client: smtplib.SMTP, progress: dict[str, bool]) -> None:
    """Note when the end of DATA (CRLF.CRLF) has been written to the server."""
    original = client.send

    def send(data: Any) -> None:
        original(data)
        raw = data if isinstance(data, bytes) else str(data).encode()
        if raw.endswith(b"\r\n.\r\n"):
            progress["data_sent"] = True

    client.send = send  # type: ignore[method-assign,assignment]


def open_smtp(options: Mapping[str, Any], credentials: Mapping[str, str]) -> smtplib.SMTP:
    """Connect (TLS, STARTTLS or plain, per `smtp_tls`) and log in when a password is set."""
    host = str(options.get("smtp_host") or "localhost")
    mode = str(options.get("smtp_tls") or "starttls").lower()
    port = int(options.get("smtp_port") or {"ssl": 465, "starttls": 587}.get(mode, 25))
    timeout = float(options.get("timeout") or DEFAULT_TIMEOUT)
    context = context_for(options)
    client: smtplib.SMTP
    if mode == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout, local_hostname=_helo_name())
        if mode == "starttls":
            client.starttls(context=context)
    password = credentials.get("smtp_password")
    if password:
        user = str(options.get("smtp_user") or options.get("imap_user") or "")
        client.login(user, password)
    return client


def _helo_name() -> str:
    return socket.getfqdn() or "localhost"


def _by_code(code: int, reason: str) -> ConnectorError:
    if code in (530, 534, 535):
        return ReauthRequired(f"SMTP authentication failed: {code} {reason}")
    if 400 <= code < 500 or code < 0:
        return RetryableSendError(f"SMTP temporary failure: {code} {reason}")
    return PermanentSendError(f"SMTP rejected the message: {code} {reason}")


def _reply_text(exc: smtplib.SMTPResponseException) -> str:
    return _decode(exc.smtp_error)


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
