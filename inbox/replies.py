"""Agent replies and notes: stored first, sent by a job, outcome recorded here.

A reply is committed as `pending` with an idempotency key before any provider call, so a
crash never loses it, and a retried API request never creates it twice. The send job claims
it (`pending` → `sending`) in its own committed transaction before calling the provider, so
two workers never send the same message.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.base import Attachment as AttachmentIn
from connectors.base import AttachmentLimits, Words
from connectors.media import describe, kind_of, sniff
from inbox.attachments import AttachmentStore, attach
from inbox.audit import record
from inbox.canned import unfilled
from inbox.events import emit
from inbox.models import ChannelAccount, Conversation, Message, User, utcnow
from inbox.receipts import ahead, apply_early


class ReplyRefused(ValueError):
    """The reply cannot be accepted (empty, too long, closed window...); `reason` says why."""


class UnfilledVariables(ReplyRefused):
    """The text still holds `{{variables}}` of a canned response: the customer would read them.

    `names` lets the UI say which ones, in the agent's language."""

    def __init__(self, names: tuple[str, ...]) -> None:
        listed = ", ".join("{{" + n + "}}" for n in names)
        super().__init__(f"fill in {listed} before sending")
        self.names = names


class AttachmentRefused(ReplyRefused):
    """A file this channel cannot carry in this conversation.

    `problem` is one of "none_here", "too_many", "type", "too_large"; `values` hold what the
    message names (file name, type, sizes in MB, counts) so the UI can say it in the agent's
    language."""

    def __init__(self, problem: str, text: str, **values: Any) -> None:
        super().__init__(text)
        self.problem = problem
        self.values = values


# Types a browser may show inline: a claim of one of these that the bytes do not prove is not
# believed (an HTML page named photo.png stays a download).
_SHOWN_INLINE = ("image/", "video/", "audio/", "text/html", "application/pdf")


def check_outgoing(
    files: tuple[AttachmentIn, ...], limits: AttachmentLimits | None
) -> tuple[AttachmentIn, ...]:
    """The files as they will be stored and sent: typed by their bytes, within the channel's
    declared limits (connectors/<slug>/channel.py), or AttachmentRefused."""
    if not files:
        return ()
    if limits is None:
        raise AttachmentRefused("none_here", "this conversation's channel cannot carry files")
    if len(files) > limits.max_count:
        raise AttachmentRefused(
            "too_many",
            f"{len(files)} files; at most {limits.max_count} per reply here",
            count=len(files),
            limit=limits.max_count,
        )
    checked = []
    for file in files:
        data = file.data or b""
        name = file.filename or "attachment"
        found = sniff(data)
        if limits.types:
            content_type = found
            if content_type is None or limits.cap(content_type) is None:
                accepted = ", ".join(sorted({describe(t) for t in limits.types}))
                shown = describe(found) if found else "unknown"
                raise AttachmentRefused(
                    "type",
                    f"{name}: {shown} files cannot be sent here (accepted: {accepted})",
                    filename=name,
                    type=shown,
                    accepted=accepted,
                )
        else:
            claimed = (file.content_type or "").lower()
            believable = "/" in claimed and not claimed.startswith(_SHOWN_INLINE)
            content_type = found or (claimed if believable else "application/octet-stream")
        cap = limits.cap(content_type) or 0
        if len(data) > cap:
            raise AttachmentRefused(
                "too_large",
                f"{name} is {_mb(len(data))} MB; the limit here is {_mb(cap)} MB",
                filename=name,
                size=_mb(len(data)),
                limit=_mb(cap),
            )
        checked.append(
            AttachmentIn(
                kind=kind_of(content_type),
                filename=name,
                content_type=content_type,
                data=data,
                size=len(data),
            )
        )
    return tuple(checked)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    private: bool = False
    idempotency_key: str | None = None
    subject: str | None = None
    cc: tuple[str, ...] = ()
    private_reply: bool = False  # answer a public comment by DM
    attachments: tuple[AttachmentIn, ...] = ()
    # Channel-specific choices passed to the connector untouched (OutboundReply.options),
    # e.g. {"template": {...}} for a WhatsApp template.
    options: Mapping[str, Any] = field(default_factory=dict)


def create_reply(
    session: Session,
    conversation: Conversation,
    author: User | None,
    draft: Draft,
    *,
    store: AttachmentStore | None = None,
    max_chars: int = 20_000,
    attachment_limits: AttachmentLimits | None = None,
) -> tuple[Message, bool]:
    """Store a reply (pending) or a private note; return (message, created).

    Files go out only within `attachment_limits`, the channel's declaration for this kind of
    conversation (the caller reads it from the registry; None: no files here)."""
    text = draft.text.strip("\n")
    if not text.strip() and not draft.attachments:
        raise ReplyRefused(Words("the message is empty", "메시지가 비어 있습니다"))
    if len(text) > max_chars:
        raise ReplyRefused(
            Words(
                f"the message has {len(text)} characters; the limit is {max_chars}",
                f"메시지가 {len(text)}자입니다. 최대 {max_chars}자까지 보낼 수 있습니다",
            )
        )
    if not draft.private and "template" not in draft.options:
        names = unfilled(text)
        if names:
            raise UnfilledVariables(names)
    files = () if draft.private else check_outgoing(draft.attachments, attachment_limits)
    key = draft.idempotency_key or str(uuid.uuid4())
    existing = session.scalars(select(Message).where(Message.idempotency_key == key)).first()
    if existing is not None:
        if existing.conversation_id != conversation.id:
            raise ReplyRefused("idempotency key already used for another conversation")
        return existing, False
    outbound_kind = "comment" if conversation.kind in ("comment", "mention") else "message"
    message = Message(
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        direction="internal" if draft.private else "outbound",
        kind="note" if draft.private else outbound_kind,
        author_user_id=author.id if author else None,
        text=text,
        subject=draft.subject,
        status=None if draft.private else "pending",
        idempotency_key=key,
        meta={
            "cc": list(draft.cc),
            "private_reply": draft.private_reply,
            **({"options": dict(draft.options)} if draft.options else {}),
        }
        if not draft.private
        else {},
    )
    session.add(message)
    session.flush()
    for incoming in files:
        attach(session, message.id, incoming, store)
    conversation.last_activity_at = utcnow()
    record(
        session,
        author.id if author else None,
        "note.create" if draft.private else "reply.create",
        "message",
        message.id,
    )
    emit(
        session,
        "message.created",
        conversation_id=conversation.id,
        message_id=message.id,
        channel_account_id=conversation.channel_account_id,
        direction=message.direction,
    )
    return message, True


def claim_for_sending(session: Session, message_id: int, now: datetime) -> Message | None:
    """Move pending → sending if nobody else did; the caller commits before the provider call."""
    result = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == "pending")
        .values(status="sending", sending_started_at=now, attempts=Message.attempts + 1)
    )
    if not getattr(result, "rowcount", 0):
        return None
    return session.get(Message, message_id, populate_existing=True)


def mark_sent(
    session: Session,
    message: Message,
    external_id: str,
    at: datetime,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """The provider took it; `extra` is what the send returned beside its id (kept in meta).

    The status never moves backwards. The message is read again under its row lock: the
    webhook may have recorded a newer status meanwhile (an echo matched by our uuid, then
    `delivered`, or `failed`), and a status that arrived before the id was known is applied
    now (inbox/receipts.py).
    """
    session.execute(
        select(Message)
        .where(Message.id == message.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    clash = session.scalars(
        select(Message).where(
            Message.channel_account_id == message.channel_account_id,
            Message.external_id == external_id,
            Message.id != message.id,
        )
    ).first()
    status = message.status
    if clash is not None and clash.author_label is not None:
        # Its echo arrived (without our metadata) before this commit and was stored as a
        # message sent from elsewhere: it is this message, so drop the stand-in.
        status = clash.status if ahead(clash.status, status) else status
        session.delete(clash)
        session.flush()
    # The platform said this very message failed (its status came before this commit).
    failed_here = status == "failed" and message.external_id == external_id
    if not failed_here:
        message.status = status if ahead(status, "sent") else "sent"
        message.failure_reason = None
    message.external_id = external_id
    message.sent_at = at
    message.next_attempt_at = None
    if extra:
        message.meta = {**message.meta, **dict(extra)}
    conversation = message.conversation
    if conversation.first_response_at is None:
        conversation.first_response_at = at
    conversation.waiting_since = None
    apply_early(session, message)
    emit(
        session,
        "message.updated",
        conversation_id=conversation.id,
        message_id=message.id,
        status=message.status,
    )


def mark_retry(session: Session, message: Message, reason: str, at: datetime) -> None:
    message.status = "pending"
    message.failure_reason = f"retrying: {reason}"
    message.next_attempt_at = at
    emit(
        session,
        "message.updated",
        conversation_id=message.conversation_id,
        message_id=message.id,
        status="pending",
    )


def requeue_interrupted(session: Session, message: Message) -> None:
    """A send whose worker stopped mid-call, on a channel where sending again is safe
    (idempotent send): pending again, now. Emitted like every status change, so the
    thread stops showing it as sending."""
    message.status = "pending"
    emit(
        session,
        "message.updated",
        conversation_id=message.conversation_id,
        message_id=message.id,
        status="pending",
    )


def mark_failed(session: Session, message: Message, reason: str) -> None:
    message.status = "failed"
    message.failure_reason = reason
    message.next_attempt_at = None
    emit(
        session,
        "message.updated",
        conversation_id=message.conversation_id,
        message_id=message.id,
        status="failed",
    )


RECHECK = "outcome_unknown_since"  # meta key: look on the platform before sending again
WINDOW_CLOSED = "window_closed"  # failure reason prefix: the platform's reply window closed
UNKNOWN = "unknown"  # status: it may or may not have gone out; an agent checks ("unknown — check")


def mark_outcome_unknown(
    session: Session, message: Message, reason: str, since: datetime, at: datetime
) -> None:
    """The provider may have it: the next attempt looks for it before sending again."""
    if RECHECK not in message.meta:
        message.meta = {**message.meta, RECHECK: since.isoformat()}
    mark_retry(session, message, f"outcome unknown, checking the channel: {reason}", at)


def recheck_since(message: Message) -> datetime | None:
    raw = message.meta.get(RECHECK)
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


def mark_unknown(session: Session, message: Message, reason: str) -> None:
    """Nobody can tell whether it went out: never send it again by ourselves; an agent checks."""
    message.status = UNKNOWN
    message.failure_reason = f"unknown — check the channel before retrying: {reason}"
    message.next_attempt_at = None
    emit(
        session,
        "message.updated",
        conversation_id=message.conversation_id,
        message_id=message.id,
        status=UNKNOWN,
    )


def close_reply_window(session: Session, conversation: Conversation, reason: str) -> None:
    """The platform refused a reply as outside its window: show the window closed.

    Kept in `conversation.context` until the customer writes again (which reopens it).
    """
    last = conversation.last_customer_message_at
    conversation.context = {
        **conversation.context,
        "window_closed": {
            "at": utcnow().isoformat(),
            "reason": reason,
            # the customer message the window was counted from; a newer one reopens it
            "customer_message_at": last.isoformat() if last is not None else None,
        },
    }
    emit(session, "conversation.updated", conversation_id=conversation.id)


def known_external_ids(session: Session, message: Message, limit: int = 500) -> frozenset[str]:
    """Provider ids already recorded in this conversation: a lookup must not claim them."""
    rows = session.scalars(
        select(Message.external_id)
        .where(
            Message.conversation_id == message.conversation_id,
            Message.id != message.id,
            Message.external_id.is_not(None),
        )
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return frozenset(r for r in rows if r)


def retry_failed(session: Session, message: Message, actor: User | None) -> None:
    """An agent pressed "retry": the same message goes back to pending, same idempotency key.

    For an "unknown" message this is the agent saying "I checked: it is not there, send it".
    """
    if message.status not in ("failed", UNKNOWN) or message.direction != "outbound":
        raise ReplyRefused(
            Words(
                "only failed outbound messages can be retried",
                "보내지 못한 메시지만 다시 보낼 수 있습니다",
            )
        )
    message.meta = {k: v for k, v in message.meta.items() if k != RECHECK}
    message.status = "pending"
    message.failure_reason = None
    message.attempts = 0
    message.next_attempt_at = None
    record(session, actor.id if actor else None, "reply.retry", "message", message.id)
    emit(
        session,
        "message.updated",
        conversation_id=message.conversation_id,
        message_id=message.id,
        status="pending",
    )


def flag_reauth(session: Session, account: ChannelAccount, reason: str) -> None:
    """The provider rejected our token: show "reconnect needed" and stop using the account."""
    if account.health != "reconnect_needed":
        account.health = "reconnect_needed"
        account.health_changed_at = utcnow()
    account.health_detail = reason
    record(
        session, None, "channel.reauth_required", "channel_account", account.id, {"reason": reason}
    )
    emit(session, "channel.updated", channel_account_id=account.id, health=account.health)


def mark_healthy(session: Session, account: ChannelAccount) -> None:
    """The connection works again: "reconnect needed" and its reason go (a reason left behind
    on a healthy account is stale too)."""
    if account.health != "ok":
        account.health = "ok"
        account.health_detail = None
        account.health_changed_at = utcnow()
        emit(session, "channel.updated", channel_account_id=account.id, health="ok")
    elif account.health_detail is not None:
        account.health_detail = None


def backoff(attempt: int) -> timedelta:
    """2, 4, 8 ... seconds, capped at ten minutes."""
    return timedelta(seconds=min(600, 2 ** max(1, attempt)))
