"""The send job: deliver one pending reply through its conversation's channel account."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.base import Attachment as AttachmentOut
from connectors.base import (
    ConversationKind,
    OutboundReply,
    Participant,
    PermanentSendError,
    ReauthRequired,
    RetryableSendError,
    SendResult,
)
from inbox.models import Attachment, ContactIdentity, Message
from inbox.replies import (
    backoff,
    claim_for_sending,
    flag_reauth,
    mark_failed,
    mark_retry,
    mark_sent,
)
from switchboard.metrics import SENDS
from workers.context import runtime

log = logging.getLogger(__name__)


def send_message(message_id: int) -> None:
    """Claim, call the provider outside any transaction, then record the outcome."""
    rt = runtime()
    now = datetime.now(UTC)
    with rt.db.session() as session:
        message = claim_for_sending(session, message_id, now)
        if message is None:
            return  # already sent, failed, or being sent by another worker
        account = message.conversation.account
        if account.health == "reconnect_needed":
            mark_failed(session, message, f"channel needs reconnecting: {account.health_detail}")
            return
        reply = build_reply(session, message)
        connector = rt.connector(account)
        config = rt.account_config(account)
        channel = account.channel
    try:
        result: SendResult = connector.send(config, reply)
    except ReauthRequired as exc:
        _finish(message_id, "reauth", exc.reason)
    except PermanentSendError as exc:
        _finish(message_id, "failed", exc.reason)
    except RetryableSendError as exc:
        _finish(message_id, "retry", exc.reason, retry_after=exc.retry_after)
    except Exception as exc:
        # A bug or an unmapped client error: retry like a transient one, but log loudly.
        log.exception("send of message %s raised", message_id)
        _finish(message_id, "retry", f"unexpected error: {exc!r}")
    else:
        _record_sent(message_id, result)
        SENDS.labels(channel, "sent").inc()


def _record_sent(message_id: int, result: SendResult) -> None:
    """Record the provider id; a second try absorbs an echo stand-in committed meanwhile."""
    rt = runtime()
    for attempt in (1, 2):
        try:
            with rt.db.session() as session:
                sent = session.get(Message, message_id)
                assert sent is not None
                mark_sent(session, sent, result.external_id, datetime.now(UTC))
                if result.extra:
                    sent.meta = {**sent.meta, **dict(result.extra)}
            return
        except IntegrityError:
            if attempt == 2:
                raise


def _finish(message_id: int, outcome: str, reason: str, retry_after: float | None = None) -> None:
    rt = runtime()
    with rt.db.session() as session:
        message = session.get(Message, message_id)
        assert message is not None
        account = message.conversation.account
        SENDS.labels(account.channel, outcome).inc()
        if outcome == "reauth":
            flag_reauth(session, account, reason)
            mark_failed(session, message, f"channel needs reconnecting: {reason}")
            return
        if outcome == "retry" and message.attempts < rt.settings.int("SEND_MAX_ATTEMPTS"):
            delay = timedelta(seconds=retry_after) if retry_after else backoff(message.attempts)
            at = datetime.now(UTC) + delay
            mark_retry(session, message, reason, at)
            rt.jobs.enqueue("workers.send.send_message", message_id, queue="send", at=at)
            return
        if outcome == "retry":
            reason = f"gave up after {message.attempts} attempts: {reason}"
        mark_failed(session, message, reason)


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
