"""The email channel: mail comes in over IMAP (poll + IDLE), replies go out over SMTP.

An account is one mailbox: `external_id` is its address; credentials `imap_password` and
`smtp_password`; options `imap_host`, `imap_port`, `imap_tls` (ssl | starttls | none),
`imap_user`, `smtp_host`, `smtp_port`, `smtp_tls`, `smtp_user`, `from_name`, `signature`,
`mark_seen`, `move_to`, `mailboxes` (default INBOX) and `tls_verify`. See README.md.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import ClassVar

from connectors.base import (
    AccountConfig,
    Capability,
    ConnectionCheck,
    ConnectorError,
    ConversationKind,
    Headers,
    InboundEvent,
    InvalidSignature,
    OutboundReply,
    PermanentSendError,
    PollResult,
    ReauthRequired,
    ReplyWindow,
    SendResult,
    UnsupportedEvent,
)
from connectors.email import imap
from connectors.email.parse import parse_message

log = logging.getLogger(__name__)

# What the admin's connection test says when a server cannot be reached: one text for refused,
# timed out and TLS failures alike, so the test cannot map ports (details are logged).
UNREACHABLE = "could not connect (check the host, port and security settings)"

# parse() callers name the mailbox the raw message was delivered to with this header.
ACCOUNT_HEADER = "X-Switchboard-Account"


class EmailConnector:
    slug: ClassVar[str] = "email"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.POLLING,
            Capability.ATTACHMENTS,
            Capability.POLL_SESSION,
            Capability.WATCH,
            Capability.CHECK_CONNECTION,
        }
    )
    streams: ClassVar[tuple[str, ...]] = ("INBOX",)

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.page_size = int(settings.get("IMAP_POLL_PAGE_SIZE") or imap.PAGE_SIZE)
        self.max_bytes = int(settings.get("IMAP_MAX_MESSAGE_BYTES") or imap.MAX_MESSAGE_BYTES)

    def verify(self, headers: Headers, body: bytes) -> None:
        raise InvalidSignature("the email channel has no webhook; mail is fetched over IMAP")

    def parse(self, headers: Headers, body: bytes) -> Sequence[InboundEvent]:
        """Parse one raw RFC 5322 message; the mailbox address comes from X-Switchboard-Account."""
        account = _header(headers, ACCOUNT_HEADER)
        if account is None:
            raise UnsupportedEvent(f"raw mail needs the {ACCOUNT_HEADER} header")
        try:
            return [parse_message(body, account.strip().lower())]
        except UnsupportedEvent:
            raise
        except Exception as exc:  # recursion bombs and parser bugs: rejected, never a crash
            raise UnsupportedEvent(f"unreadable message: {exc!r}") from exc

    def send(self, account: AccountConfig, reply: OutboundReply) -> SendResult:
        from connectors.email import smtp  # not imported by a poll, which never sends

        message = smtp.build_reply(account, reply, sent_at=datetime.now(UTC))
        recipient = reply.recipient.email or reply.recipient.external_id
        refused = smtp.deliver(account, message, [recipient, *reply.cc])
        if recipient.lower() in {addr.lower() for addr in refused}:
            raise PermanentSendError(f"recipient refused: {refused}")
        extra = {"refused": refused} if refused else {}
        return SendResult(external_id=str(message["Message-ID"]), extra=extra)

    def reply_window(
        self,
        account: AccountConfig,
        kind: ConversationKind,
        last_customer_message_at: datetime | None,
        now: datetime,
    ) -> ReplyWindow:
        return ReplyWindow(open=True)

    def streams_for(self, account: AccountConfig) -> tuple[str, ...]:
        """Return the mailboxes to poll: `options["mailboxes"]` (list or comma list) or INBOX."""
        value = account.options.get("mailboxes")
        if isinstance(value, str):
            names = tuple(n.strip() for n in value.split(",") if n.strip())
        elif isinstance(value, list | tuple):
            names = tuple(str(n) for n in value if str(n).strip())
        else:
            names = ()
        return names or self.streams

    def poll(self, account: AccountConfig, stream: str, cursor: str | None) -> PollResult:
        return imap.poll_mailbox(
            account, stream, cursor, page_size=self.page_size, max_bytes=self.max_bytes
        )

    def poll_session(self, account: AccountConfig) -> imap.MailboxPoller:
        """Return a context manager whose `poll(stream, cursor)` reuses one IMAP connection.

        The poll job uses it for a whole run (all pages of all mailboxes); `poll` is the same
        thing on a connection of its own.
        """
        return imap.MailboxPoller(account, page_size=self.page_size, max_bytes=self.max_bytes)

    def poll_all(
        self, account: AccountConfig, cursors: Mapping[str, str | None]
    ) -> dict[str, PollResult | ConnectorError]:
        """Poll several mailboxes in parallel, one connection each; errors are returned per box."""
        mailboxes = list(cursors)

        def one(mailbox: str) -> PollResult | ConnectorError:
            try:
                return self.poll(account, mailbox, cursors[mailbox])
            except ConnectorError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=max(1, min(8, len(mailboxes)))) as pool:
            return dict(zip(mailboxes, pool.map(one, mailboxes), strict=True))

    def watcher(self, account: AccountConfig, mailbox: str = "INBOX") -> imap.MailboxWatcher:
        """Return a context manager whose wait(timeout) returns when new mail arrives."""
        return imap.MailboxWatcher(account, mailbox)

    def watch(
        self,
        account: AccountConfig,
        mailbox: str,
        on_mail: Callable[[], None],
        stop: threading.Event,
        *,
        slice_seconds: float = 30.0,
    ) -> None:
        """Block, calling `on_mail()` when mail arrives (IDLE or NOOP polling) until `stop`.

        `stop` is noticed within `slice_seconds` (the length of one IDLE round).
        """
        imap.watch(account, mailbox, on_mail, stop, slice_seconds=slice_seconds)

    def check_connection(self, account: AccountConfig) -> ConnectionCheck:
        """Log in to IMAP and SMTP and open every mailbox; the problems found are returned."""
        return ConnectionCheck(
            identity=account.external_id, problems=tuple(self._problems(account))
        )

    def _problems(self, account: AccountConfig) -> list[str]:
        problems: list[str] = []
        try:
            with imap.connect(account.options, account.credentials) as client:
                for mailbox in self.streams_for(account):
                    if not client.folder_exists(mailbox):
                        problems.append(f"IMAP: mailbox {mailbox!r} does not exist")
        except ReauthRequired as exc:
            problems.append(f"IMAP: {exc.reason}")
        except Exception:  # how a connection failed (refused, timed out) stays in the log
            log.warning("IMAP connection test failed", exc_info=True)
            problems.append(f"IMAP: {UNREACHABLE}")
        import smtplib

        from connectors.email import smtp

        try:
            with smtp.open_smtp(account.options, account.credentials) as client:
                client.noop()
        except smtplib.SMTPAuthenticationError:
            problems.append("SMTP: login refused")
        except Exception:
            log.warning("SMTP connection test failed", exc_info=True)
            problems.append(f"SMTP: {UNREACHABLE}")
        return problems


def _header(headers: Headers, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
