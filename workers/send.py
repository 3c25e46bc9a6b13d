"""The send job: deliver one pending reply through its conversation's channel account."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors import behaviour
from connectors.base import (
    AccountConfig,
    CannotTell,
    Connector,
    ConnectorError,
    ConversationKind,
    FindSent,
    OutboundReply,
    OutcomeUnknown,
    OutsideReplyWindow,
    Participant,
    PermanentSendError,
    RateLimited,
    ReauthRequired,
    RetryableSendError,
    SendResult,
    SentLookup,
)
from connectors.base import Attachment as AttachmentOut
from inbox.models import Attachment, ChannelAccount, ContactIdentity, Message
from inbox.replies import (
    WINDOW_CLOSED,
    backoff,
    claim_for_sending,
    close_reply_window,
    flag_reauth,
    known_external_ids,
    mark_failed,
    mark_outcome_unknown,
    mark_retry,
    mark_sent,
    mark_unknown,
    recheck_since,
)
from switchboard.metrics import SENDS
from switchboard.pauses import scopes_for
from switchboard.runtime import Runtime
from workers.context import runtime

log = logging.getLogger(__name__)


class SendFailed(Exception):
    """Raised after a failure is recorded, so the worker logs the job as failed, not `Job OK`."""


RECHECK_SKEW = timedelta(minutes=2)  # platform clocks may lag ours
Finder = Callable[[AccountConfig, SentLookup], SendResult | None]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One claimed send: what the connector needs, read before the provider is called."""

    reply: OutboundReply
    connector: Connector
    config: AccountConfig
    channel: str
    lookup: SentLookup | None  # set when an earlier attempt's outcome is unknown


# Most specific first: OutsideReplyWindow and ReauthRequired are PermanentSendErrors.
OUTCOMES: tuple[tuple[type[ConnectorError], str], ...] = (
    (OutcomeUnknown, "unknown"),
    (CannotTell, "cannot_tell"),
    (ReauthRequired, "reauth"),
    (OutsideReplyWindow, "window_closed"),
    (PermanentSendError, "failed"),
    (RetryableSendError, "retry"),
)


def send_message(message_id: int) -> None:
    """Claim, call the provider outside any transaction, then record the outcome.

    A message whose earlier attempt ended without an answer (outcome unknown) is first
    looked for on the platform and sent again only if it is not there.
    """
    rt = runtime()
    now = datetime.now(UTC)
    if _paused(rt, message_id, now):
        return
    attempt = _claim(rt, message_id, now)
    if attempt is None:
        return  # already sent, failed, or being sent by another worker
    try:
        result = _find(attempt) if attempt.lookup is not None else None
        if result is None:
            result = attempt.connector.send(attempt.config, attempt.reply)
    except ConnectorError as exc:
        if isinstance(exc, RateLimited):  # tell every process to leave the account alone
            rt.pauses.pause(exc.scopes, exc.retry_after or 60.0)
        outcome = next(name for kind, name in OUTCOMES if isinstance(exc, kind))
        retry_after = exc.retry_after if isinstance(exc, RetryableSendError) else None
        _finish(message_id, outcome, exc.reason, retry_after=retry_after)
    except Exception as exc:
        # A bug or an unmapped client error: retry like a transient one, but log loudly.
        log.exception("send of message %s raised", message_id)
        _finish(message_id, "retry", f"unexpected error: {exc!r}")
    else:
        _record_sent(message_id, result)
        SENDS.labels(attempt.channel, "sent").inc()


def _claim(rt: Runtime, message_id: int, now: datetime) -> Attempt | None:
    with rt.db.session() as session:
        message = claim_for_sending(session, message_id, now)
        if message is None:
            return None
        account = message.conversation.account
        refused = None
        if account.health == "reconnect_needed":
            refused = f"channel needs reconnecting: {account.health_detail}"
            mark_failed(session, message, refused)
    if refused is not None:
        _failed(message_id, refused)  # after the commit: the failure stays recorded
    with rt.db.session() as session:
        message = session.get(Message, message_id)
        assert message is not None
        account = message.conversation.account
        reply = build_reply(session, message)
        since = recheck_since(message)
        lookup = (
            SentLookup(reply, since - RECHECK_SKEW, known_external_ids(session, message))
            if since is not None
            else None
        )
        return Attempt(
            reply, rt.connector(account), rt.account_config(account), account.channel, lookup
        )


def _paused(rt: Runtime, message_id: int, now: datetime) -> bool:
    """Honour a rate-limit pause another process recorded: wait for it, attempts untouched."""
    with rt.db.session() as session:
        message = session.get(Message, message_id)
        if message is None or message.status != "pending":
            return False
        account = message.conversation.account
        operation = f"send:{message.conversation.kind}"
        scopes = scopes_for(rt.connector(account), rt.account_config(account), operation)
        left = rt.pauses.remaining(scopes)
        if left <= 0:
            return False
        at = now + timedelta(seconds=left)
        mark_retry(session, message, "rate limit pause on this account", at)
    rt.jobs.enqueue("workers.send.send_message", message_id, queue="send", at=at)
    return True


def _find(attempt: Attempt) -> SendResult | None:
    finding = behaviour(attempt.connector, FindSent)
    if finding is None:
        raise CannotTell(f"{attempt.connector.slug} cannot look up an earlier attempt")
    finder: Finder = finding.find_sent
    assert attempt.lookup is not None
    try:
        return finder(attempt.config, attempt.lookup)
    except PermanentSendError as exc:
        if isinstance(exc, ReauthRequired):
            raise
        raise CannotTell(f"looking for the earlier attempt failed ({exc.reason})") from exc


def _record_sent(message_id: int, result: SendResult) -> None:
    """Record the provider id; a second try absorbs an echo stand-in committed meanwhile."""
    rt = runtime()
    for attempt in (1, 2):
        try:
            with rt.db.session() as session:
                sent = session.get(Message, message_id)
                assert sent is not None
                mark_sent(session, sent, result.external_id, datetime.now(UTC), result.extra)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def _finish(message_id: int, outcome: str, reason: str, retry_after: float | None = None) -> None:
    rt = runtime()
    final: str | None = None
    with rt.db.session() as session:
        message = session.get(Message, message_id)
        assert message is not None
        account = message.conversation.account
        SENDS.labels(account.channel, outcome).inc()
        if message.status != "sending":
            return  # the echo arrived meanwhile and recorded it as sent
        attempts_left = message.attempts < rt.settings.int("SEND_MAX_ATTEMPTS")
        if outcome == "reauth":
            flag_reauth(session, account, reason)
            final = f"channel needs reconnecting: {reason}"
            mark_failed(session, message, final)
        elif outcome == "window_closed":
            close_reply_window(session, message.conversation, reason)
            final = f"{WINDOW_CLOSED}: {reason}"
            mark_failed(session, message, final)
        elif outcome == "unknown" and attempts_left and _can_look(rt, account):
            since = message.sending_started_at or datetime.now(UTC)
            at = datetime.now(UTC) + backoff(1)
            mark_outcome_unknown(session, message, reason, since, at)
            rt.jobs.enqueue("workers.send.send_message", message_id, queue="send", at=at)
        elif outcome in ("unknown", "cannot_tell") or (
            outcome == "retry" and recheck_since(message) is not None and not attempts_left
        ):
            final = f"unknown: {reason}"
            mark_unknown(session, message, reason)
        elif outcome == "retry" and attempts_left:
            delay = timedelta(seconds=retry_after) if retry_after else backoff(message.attempts)
            at = datetime.now(UTC) + delay
            mark_retry(session, message, reason, at)
            rt.jobs.enqueue("workers.send.send_message", message_id, queue="send", at=at)
            log.warning("send of message %s will be retried: %s", message_id, reason)
        else:
            if outcome == "retry":
                reason = f"gave up after {message.attempts} attempts: {reason}"
            final = reason
            mark_failed(session, message, reason)
    if final is not None:
        _failed(message_id, final)


def _failed(message_id: int, reason: str) -> None:
    log.error("send of message %s failed: %s", message_id, reason)
    raise SendFailed(f"message {message_id}: {reason}")


def _can_look(rt: Runtime, account: ChannelAccount) -> bool:
    return behaviour(rt.connector(account), FindSent) is not None


def build_reply(session: Session, message: Message) -> OutboundReply:
    """Everything the connector needs, read from the conversation; no ORM object leaves here."""
    conversation = message.conversation
    identity = session.scalars(
        select(ContactIdentity).where(
            ContactIdentity.channel == conversation.account.channel,
            ContactIdentity.external_user_id == conversation.participant_key,
        )
    ).first()
    contact = conversation.contact
    last_inbound = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.direction == "inbound",
            Message.external_id.is_not(None),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    references: tuple[str, ...] = ()
    if last_inbound is not None:
        references = (*last_inbound.meta.get("references", []), last_inbound.external_id or "")
    return OutboundReply(
        message_uuid=message.uuid,
        conversation_kind=ConversationKind(conversation.kind),
        # A split-off conversation answers on its original's thread (inbox/merge.py).
        thread_key=conversation.context.get("reply_thread_key") or conversation.thread_key,
        recipient=Participant(
            external_id=conversation.participant_key,
            handle=identity.handle if identity else None,
            name=(identity.display_name if identity else None) or contact.name,
            email=contact.email,
        ),
        text=message.text or "",
        attempt=message.attempts,
        in_reply_to=last_inbound.external_id if last_inbound else None,
        references=tuple(r for r in references if r),
        subject=message.subject or conversation.subject,
        cc=tuple(message.meta.get("cc", [])),
        private=bool(message.meta.get("private_reply")),
        human_agent=message.author_user_id is not None,
        last_customer_message_at=conversation.last_customer_message_at,
        attachments=tuple(_outgoing(a) for a in message.attachments if a.sha256),
        options=dict(message.meta.get("options") or {}),
    )


def _outgoing(row: Attachment) -> AttachmentOut:
    """Hand the connector the stored bytes; it uploads them or serves them by URL."""
    assert row.sha256 is not None
    return AttachmentOut(
        kind=row.kind,
        filename=row.filename,
        content_type=row.content_type,
        data=runtime().store.read(row.sha256),
        size=row.size,
    )
