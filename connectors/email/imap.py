"""Fetch new mail over IMAP: UID-based pages, one cursor per mailbox, IDLE to wake up early.

Cursor: `v1:<UIDVALIDITY>:<last UID>`. The server renumbers a mailbox when it changes its
UIDVALIDITY, so a changed value restarts at UID 1; ingest dedupes the refetched mail on
`external_id` (the Message-ID, or the `sha256:` of a message without one).

A message that cannot be read (too large, missing from the FETCH answer, or failing to parse)
goes to `PollResult.rejected` as (reason, raw bytes; only the header for oversized mail), which
the poll job stores as a rejected delivery; the cursor still moves past it, so one bad message
never stalls the mailbox.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from connectors.base import (
    AccountConfig,
    ConnectorError,
    InboundEvent,
    PollResult,
    ReauthRequired,
    RetryableSendError,
)
from connectors.email.parse import parse_message
from connectors.email.tls import context_for

PAGE_SIZE = 500  # one page is one transaction (one set-based run); PAGE_BYTES bounds its memory
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
PAGE_BYTES = 64 * 1024 * 1024  # a page stops growing here, so memory stays bounded
DEFAULT_TIMEOUT = 30.0
IDLE_RENEW_SECONDS = 29 * 60  # servers drop an IDLE after about 30 minutes (RFC 2177)


@dataclass(frozen=True, slots=True)
class Cursor:
    uidvalidity: int | None
    last_uid: int

    def encode(self) -> str:
        return f"v1:{self.uidvalidity or 0}:{self.last_uid}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor:
        """Read a stored cursor; anything unreadable starts over (ingest dedupes)."""
        if value:
            parts = value.split(":")
            if len(parts) == 3 and parts[0] == "v1" and parts[1].isdigit() and parts[2].isdigit():
                return cls(int(parts[1]) or None, int(parts[2]))
        return cls(None, 0)


@dataclass(frozen=True, slots=True)
class Fetched:
    uid: int
    raw: bytes | None
    received_at: datetime | None
    size: int
    rejected: str | None = None


@contextmanager
def connect(options: Mapping[str, Any], credentials: Mapping[str, str]) -> Iterator[IMAPClient]:
    """Open a logged-in IMAP connection (TLS, STARTTLS or plain, per `imap_tls`)."""
    mode = str(options.get("imap_tls") or "ssl").lower()
    host = str(options.get("imap_host") or "localhost")
    port = int(options.get("imap_port") or (993 if mode == "ssl" else 143))
    timeout = float(options.get("timeout") or DEFAULT_TIMEOUT)
    # Building a verifying context loads the system CA bundle (milliseconds of CPU): only
    # when the connection actually uses TLS.
    context = context_for(options) if mode in ("ssl", "starttls") else None
    try:
        client = IMAPClient(
            host, port=port, ssl=mode == "ssl", ssl_context=context, timeout=timeout
        )
        if mode == "starttls":
            client.starttls(context or context_for(options))
        client.login(str(options.get("imap_user") or ""), credentials.get("imap_password", ""))
    except LoginError as exc:
        raise ReauthRequired(f"IMAP login refused: {exc}") from exc
    except (IMAPClientError, OSError) as exc:
        raise RetryableSendError(f"IMAP connection to {host}:{port} failed: {exc}") from exc
    client.normalise_times = False
    try:
        yield client
    finally:
        with suppress(Exception):
            client.logout()


def poll_mailbox(
    account: AccountConfig,
    mailbox: str,
    cursor: str | None,
    *,
    page_size: int = PAGE_SIZE,
    max_bytes: int = MAX_MESSAGE_BYTES,
) -> PollResult:
    """Fetch one page of mail that arrived in `mailbox` after `cursor`, on its own connection."""
    with MailboxPoller(account, page_size=page_size, max_bytes=max_bytes) as poller:
        return poller.poll(mailbox, cursor)


class MailboxPoller:
    """One logged-in connection for a whole poll run: every page of every mailbox.

    A login costs a TCP (and maybe TLS) handshake and the server's authentication; paying it
    per page made a 2,000-mail catch-up log in 40 times. The connection opens on the first
    page; after a failure it is dropped and the next page reconnects, so one broken mailbox
    or a server restart costs a retry, not the rest of the run.
    """

    def __init__(
        self,
        account: AccountConfig,
        *,
        page_size: int = PAGE_SIZE,
        max_bytes: int = MAX_MESSAGE_BYTES,
    ) -> None:
        self.account = account
        self.page_size = page_size
        self.max_bytes = max_bytes
        self._connection: Any = None
        self._client: IMAPClient | None = None

    @property
    def read_only(self) -> bool:
        """True when fetching changes nothing on the server (no `move_to`), so a page may be
        fetched ahead of storing the previous one. `mark_seen` only sets a flag: the cursor
        is the UID, so a page fetched again is still found."""
        return not self.account.options.get("move_to")

    def __enter__(self) -> MailboxPoller:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def poll(self, mailbox: str, cursor: str | None) -> PollResult:
        """Fetch one page of mail that arrived in `mailbox` after `cursor`."""
        try:
            client = self._open()
            return _poll(
                client, self.account, mailbox, Cursor.decode(cursor), self.page_size, self.max_bytes
            )
        except ConnectorError:
            self._close()
            raise
        except (IMAPClientError, OSError) as exc:
            self._close()
            raise RetryableSendError(f"IMAP fetch from {mailbox!r} failed: {exc}") from exc

    def _open(self) -> IMAPClient:
        if self._client is None:
            connection = connect(self.account.options, self.account.credentials)
            self._client = connection.__enter__()
            self._connection = connection
        return self._client

    def _close(self) -> None:
        connection, self._connection, self._client = self._connection, None, None
        if connection is not None:
            with suppress(Exception):
                connection.__exit__(None, None, None)


def _poll(
    client: IMAPClient,
    account: AccountConfig,
    mailbox: str,
    cursor: Cursor,
    page_size: int,
    max_bytes: int,
) -> PollResult:
    writable = _flag(account.options, "mark_seen") or bool(account.options.get("move_to"))
    info = client.select_folder(mailbox, readonly=not writable)
    uidvalidity = int(info[b"UIDVALIDITY"])
    after = cursor.last_uid if cursor.uidvalidity == uidvalidity else 0
    uids = sorted(uid for uid in client.search(["UID", f"{after + 1}:*"]) if uid > after)
    fetched = fetch(client, uids[:page_size], max_bytes=max_bytes)
    events: list[InboundEvent] = []
    rejected: list[tuple[str, bytes]] = []
    for item in fetched:
        outcome = to_event(account, mailbox, uidvalidity, item)
        if isinstance(outcome, InboundEvent):
            events.append(outcome)
        else:
            rejected.append(outcome)
    page = [item.uid for item in fetched]
    if page:
        _after_fetch(client, account.options, page)
    last = page[-1] if page else after
    return PollResult(
        events=tuple(events),
        cursor=Cursor(uidvalidity, last).encode(),
        more=bool(uids) and uids[-1] > last,
        rejected=tuple(rejected),
        remaining=sum(1 for uid in uids if uid > last),
    )


def fetch(client: IMAPClient, uids: Sequence[int], *, max_bytes: int) -> list[Fetched]:
    """Fetch `uids` with BODY.PEEK[] (leaves \\Seen alone), in order, up to PAGE_BYTES.

    Oversized mail is not downloaded (only its header); the list may be cut short when the
    page's bytes reach PAGE_BYTES, the caller's cursor then stops at the last one returned.
    """
    if not uids:
        return []
    meta = client.fetch(list(uids), ["RFC822.SIZE", "INTERNALDATE"])
    uids = _within_budget([uid for uid in uids if uid in meta], meta, max_bytes)  # expunged: gone
    wanted = [uid for uid in uids if int(meta.get(uid, {}).get(b"RFC822.SIZE", 0)) <= max_bytes]
    bodies = client.fetch(wanted, ["BODY.PEEK[]"]) if wanted else {}
    oversized = [uid for uid in uids if uid in meta and uid not in wanted]
    headers = client.fetch(oversized, ["BODY.PEEK[HEADER]"]) if oversized else {}
    out: list[Fetched] = []
    for uid in uids:
        info = meta.get(uid, {})
        size = int(info.get(b"RFC822.SIZE", 0))
        received = info.get(b"INTERNALDATE")
        received_at = received if isinstance(received, datetime) else None
        raw = bodies.get(uid, {}).get(b"BODY[]")
        reason = None
        if size > max_bytes:
            reason = f"message of {size} bytes exceeds the {max_bytes}-byte limit"
            header = headers.get(uid, {}).get(b"BODY[HEADER]")
            raw = header if isinstance(header, bytes) else None
        elif not isinstance(raw, bytes):
            reason = "the server returned no body for this message"
            raw = None
        out.append(Fetched(uid, raw, received_at, size, reason))
    return out


def _within_budget(uids: Sequence[int], meta: Mapping[int, Any], max_bytes: int) -> list[int]:
    kept: list[int] = []
    total = 0
    for uid in uids:
        size = int(meta.get(uid, {}).get(b"RFC822.SIZE", 0))
        size = size if size <= max_bytes else 0  # oversized mail is not downloaded
        if kept and total + size > PAGE_BYTES:
            break
        kept.append(uid)
        total += size
    return kept


def to_event(
    account: AccountConfig, mailbox: str, uidvalidity: int, item: Fetched
) -> InboundEvent | tuple[str, bytes]:
    """Parse one fetched message, or return (reason, raw bytes) when it must be rejected."""
    where = f"{mailbox} UID {item.uid} (UIDVALIDITY {uidvalidity})"
    if item.rejected is not None or item.raw is None:
        return f"{where}: {item.rejected or 'unreadable message'}", item.raw or b""
    try:
        event = parse_message(item.raw, account.external_id, received_at=item.received_at)
    except Exception as exc:  # any bug or bad byte in one message must not stop the page
        return f"{where}: unparseable message: {exc!r}", item.raw
    location = {"mailbox": mailbox, "uid": item.uid, "uidvalidity": uidvalidity}
    return replace(event, extra={**event.extra, "imap": location})


def _after_fetch(client: IMAPClient, options: Mapping[str, Any], uids: list[int]) -> None:
    """Apply the account's `mark_seen` / `move_to` options to the fetched messages."""
    if _flag(options, "mark_seen"):
        client.add_flags(uids, [b"\\Seen"])
    target = str(options.get("move_to") or "")
    if target:
        if not client.folder_exists(target):
            client.create_folder(target)
        if client.has_capability("MOVE"):
            client.move(uids, target)
        else:
            client.copy(uids, target)
            client.delete_messages(uids)
            client.uid_expunge(uids) if client.has_capability("UIDPLUS") else client.expunge()


def _flag(options: Mapping[str, Any], name: str) -> bool:
    return str(options.get(name, "")).lower() in ("1", "true", "yes", "on")


class MailboxWatcher:
    """Hold one connection on a mailbox and wait for new mail, for a poll loop to wake early.

    Uses IDLE (RFC 2177) when the server offers it, renewed before the server's 30-minute
    limit, and otherwise a NOOP every `poll_interval` seconds. `wait()` returning True means
    "poll now"; it may also return True for other mailbox changes, which costs one empty poll.
    """

    def __init__(
        self,
        account: AccountConfig,
        mailbox: str = "INBOX",
        *,
        poll_interval: float = 60.0,
        use_idle: bool = True,
    ) -> None:
        self.account = account
        self.mailbox = mailbox
        self.poll_interval = poll_interval
        self.use_idle = use_idle
        self._connection: Any = None
        self._client: IMAPClient | None = None
        self._uidnext = 0

    def __enter__(self) -> MailboxWatcher:
        self._connection = connect(self.account.options, self.account.credentials)
        self._client = self._connection.__enter__()
        info = self._client.select_folder(self.mailbox, readonly=True)
        self._uidnext = int(info.get(b"UIDNEXT", 0))
        self.use_idle = self.use_idle and self._client.has_capability("IDLE")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._connection is not None:
            self._connection.__exit__(None, None, None)
        self._client = None

    def wait(self, timeout: float) -> bool:
        """Block until new mail arrives (True) or `timeout` seconds pass (False)."""
        if self._client is None:
            raise RuntimeError("MailboxWatcher used outside its with-block")
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self.use_idle:
                if self._idle_once(min(left, IDLE_RENEW_SECONDS)):
                    return True
            else:
                time.sleep(min(left, self.poll_interval))
                if self._grew():
                    return True
        return False

    def _idle_once(self, seconds: float) -> bool:
        assert self._client is not None
        self._client.idle()
        try:
            responses = self._client.idle_check(timeout=seconds)
        finally:
            self._client.idle_done()
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)

    def _grew(self) -> bool:
        assert self._client is not None
        self._client.noop()
        status = self._client.folder_status(self.mailbox, [b"UIDNEXT"])
        uidnext = int(status.get(b"UIDNEXT", 0))
        grew = uidnext > self._uidnext
        self._uidnext = max(uidnext, self._uidnext)
        return grew


def watch(
    account: AccountConfig,
    mailbox: str,
    on_mail: Callable[[], None],
    stop: threading.Event,
    *,
    poll_interval: float = 60.0,
    slice_seconds: float = 30.0,
    retry_delay: float = 30.0,
) -> None:
    """Call `on_mail()` whenever new mail arrives in `mailbox`, until `stop` is set.

    For a worker thread per mailbox: `on_mail` enqueues the poll job. It is also called after
    every (re)connect, to catch up on mail that arrived while no connection was open. Errors
    (server restart, network) are retried after `retry_delay`; a refused login ends the loop
    by raising ReauthRequired, as polling would.
    """
    while not stop.is_set():
        try:
            with MailboxWatcher(account, mailbox, poll_interval=poll_interval) as watcher:
                on_mail()
                while not stop.is_set():
                    if watcher.wait(timeout=slice_seconds):
                        on_mail()
        except ReauthRequired:
            raise
        except (ConnectorError, IMAPClientError, OSError):
            stop.wait(retry_delay)
