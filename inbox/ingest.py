"""Turn normalized events into stored messages, idempotently.

The database decides what is new: messages are unique on (channel account, external id),
conversations on their thread key, identities on (channel, provider user id). Two workers
racing on the same delivery therefore end with one row each, and a redelivered event is a
no-op. Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.base import ConversationKind, EventKind, InboundEvent
from inbox import calls, csat, opt_out
from inbox.attachments import AttachmentStore, attach
from inbox.contacts import resolve_contact
from inbox.conversations import system_event
from inbox.db import insert_returning_id
from inbox.events import emit
from inbox.models import ChannelAccount, Conversation, Message, utcnow
from inbox.receipts import ahead, apply_early, hold_early, unrecorded
from inbox.sanitize import sanitize_html
from inbox.threading import find_conversation, remember

EXTERNAL_AUTHOR = "sent outside Switchboard"


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    action: str  # created | duplicate | echo_matched | echo_stored | updated | held | ignored
    message_id: int | None = None
    conversation_id: int | None = None
    detail: str | None = None


def find_account(
    session: Session, *, channel: str | None, connector: str, external_id: str
) -> ChannelAccount | None:
    """Route an event: by channel when the delivery names it, else by the parsing connector."""
    query = select(ChannelAccount).where(
        ChannelAccount.external_id == external_id, ChannelAccount.enabled.is_(True)
    )
    if channel is not None:
        query = query.where(ChannelAccount.channel == channel)
    else:
        query = query.where(ChannelAccount.connector == connector)
    return session.scalars(query).first()


def record_event(
    session: Session,
    account: ChannelAccount,
    event: InboundEvent,
    *,
    store: AttachmentStore | None = None,
    max_chars: int = 20_000,
) -> IngestOutcome:
    handler = _HANDLERS[event.kind]
    return handler(session, account, event, store, max_chars)


def _record_message(
    session: Session,
    account: ChannelAccount,
    event: InboundEvent,
    store: AttachmentStore | None,
    max_chars: int,
) -> IngestOutcome:
    if event.customer is None:
        return IngestOutcome("ignored", detail="message without an author")
    text = event.text
    # Mail is bounded by the IMAP size limit instead: a long email is stored whole.
    limited = event.conversation_kind is not ConversationKind.EMAIL
    if limited and text is not None and len(text) > max_chars:
        return IngestOutcome(
            "ignored", detail=f"text of {len(text)} characters is over the {max_chars} limit"
        )
    conversation = conversation_for(session, account, event)
    message_id = insert_returning_id(
        session,
        Message.__table__,
        inbound_row(account, conversation, event),
        ["channel_account_id", "external_id"],
    )
    if message_id is None:
        existing = _message_by_external_id(session, account.id, event.external_id)
        return IngestOutcome("duplicate", existing.id if existing else None, conversation.id)
    for incoming in event.attachments:
        attach(session, message_id, incoming, store)
    touch_for_customer(session, conversation, event)
    emit(
        session,
        "message.created",
        conversation_id=conversation.id,
        message_id=message_id,
        channel_account_id=account.id,
        direction="inbound",
    )
    return IngestOutcome("created", message_id, conversation.id)


def inbound_row(
    account: ChannelAccount, conversation: Conversation, event: InboundEvent
) -> dict[str, Any]:
    """The message row a customer's message becomes (HTML sanitized here, before storing)."""
    return {
        "uuid": str(uuid.uuid4()),
        "conversation_id": conversation.id,
        "channel_account_id": account.id,
        "external_id": event.external_id,
        "direction": "inbound",
        "kind": message_kind(event),
        "text": event.text,
        "html": sanitize_html(event.html) if event.html else None,
        "subject": event.subject,
        "created_at": event.sent_at,
        "meta": meta_of(event),
    }


def message_kind(event: InboundEvent) -> str:
    """Comments and mentions are public replies on a post; everything else is a message."""
    return "comment" if event.conversation_kind.value in ("comment", "mention") else "message"


def _record_echo(
    session: Session,
    account: ChannelAccount,
    event: InboundEvent,
    store: AttachmentStore | None,
    max_chars: int,
) -> IngestOutcome:
    """Our own send coming back: link it; a send from elsewhere is stored once as outbound."""
    ours = None
    if event.outbound_ref:
        ours = session.scalars(select(Message).where(Message.uuid == event.outbound_ref)).first()
    if ours is None:
        ours = _message_by_external_id(session, account.id, event.external_id)
    if ours is not None:
        if ours.external_id is None:
            ours.external_id = event.external_id
        if ours.status in ("pending", "sending", "unknown"):
            ours.status = "sent"
            ours.sent_at = ours.sent_at or event.sent_at
        apply_early(session, ours)
        emit(session, "message.updated", conversation_id=ours.conversation_id, message_id=ours.id)
        return IngestOutcome("echo_matched", ours.id, ours.conversation_id)
    if event.customer is None:
        return IngestOutcome("ignored", detail="echo without a recipient")
    conversation = conversation_for(session, account, event)
    message = Message(
        conversation_id=conversation.id,
        channel_account_id=account.id,
        external_id=event.external_id,
        direction="outbound",
        kind="comment" if event.conversation_kind.value in ("comment", "mention") else "message",
        author_label=EXTERNAL_AUTHOR,
        text=event.text,
        status="sent",
        sent_at=event.sent_at,
        created_at=event.sent_at,
        meta=meta_of(event),
    )
    if not _insert_once(session, message):
        return IngestOutcome("duplicate", None, conversation.id)
    apply_early(session, message)
    for incoming in event.attachments:
        attach(session, message.id, incoming, store)
    conversation.last_activity_at = max(conversation.last_activity_at, event.sent_at)
    emit(
        session,
        "message.created",
        conversation_id=conversation.id,
        message_id=message.id,
        channel_account_id=account.id,
        direction="outbound",
    )
    return IngestOutcome("echo_stored", message.id, conversation.id)


def _record_receipt(
    session: Session,
    account: ChannelAccount,
    event: InboundEvent,
    store: AttachmentStore | None,
    max_chars: int,
) -> IngestOutcome:
    """Delivered/read receipts only move a status forward, never back (they arrive unordered).

    A receipt naming a provider id we have not recorded yet (the send's commit is still to
    come) is kept and applied when it is (inbox/receipts.py).
    """
    new_status = "delivered" if event.kind is EventKind.DELIVERED else "read"
    query = select(Message).where(
        Message.channel_account_id == account.id,
        Message.direction == "outbound",
        Message.status.in_(("sent", "delivered", "read")),
    )
    held: list[str] = []
    if event.targets:
        if unrecorded(session, account.id, event.targets):
            held = hold_early(session, account.id, event.targets, new_status)
        query = query.where(Message.external_id.in_(event.targets))
    elif event.customer is not None:
        query = query.join(Conversation).where(
            Conversation.participant_key == event.customer.external_id,
            Message.sent_at <= event.sent_at,
        )
    else:
        return IngestOutcome("ignored", detail="receipt names no message and no customer")
    changed = 0
    for message in session.scalars(query):
        if ahead(new_status, message.status):
            message.status = new_status
            changed += 1
            emit(
                session,
                "message.updated",
                conversation_id=message.conversation_id,
                message_id=message.id,
            )
    if held and not changed:
        return IngestOutcome("held", detail=f"{len(held)} kept as {new_status} until sent")
    return IngestOutcome(
        "updated" if changed else "ignored", detail=f"{changed} marked {new_status}"
    )


def _record_edit(
    session: Session,
    account: ChannelAccount,
    event: InboundEvent,
    store: AttachmentStore | None,
    max_chars: int,
) -> IngestOutcome:
    target = _message_by_external_id(
        session, account.id, event.targets[0] if event.targets else event.external_id
    )
    if target is None:
        return IngestOutcome("ignored", detail="edit of a message we never saw")
    if event.kind is EventKind.DELETED:
        if target.deleted_at is None:
            # The customer withdrew it: keep the row (threading, receipts), drop the content.
            target.deleted_at = event.sent_at
            target.text = None
            target.html = None
    else:
        if target.text == event.text:
            return IngestOutcome("duplicate", target.id, target.conversation_id)
        history = list(target.meta.get("edits", []))
        history.append({"text": target.text, "replaced_at": event.sent_at.isoformat()})
        target.meta = {**target.meta, "edits": history}
        target.text = event.text
        target.edited_at = event.sent_at
    emit(session, "message.updated", conversation_id=target.conversation_id, message_id=target.id)
    return IngestOutcome("updated", target.id, target.conversation_id)


def _record_bounce(
    session: Session,
    account: ChannelAccount,
    event: InboundEvent,
    store: AttachmentStore | None,
    max_chars: int,
) -> IngestOutcome:
    target = next(
        _outbound_by_external_ids(session, account.id, event.targets or event.references), None
    )
    if target is None:
        reason = event.text or "bounced"
        if event.targets and hold_early(session, account.id, event.targets[:1], "failed", reason):
            # A platform status (WhatsApp `failed`) for a send not recorded yet: kept.
            return IngestOutcome("held", detail="failure kept until the send is recorded")
        # Recorded meanwhile (the account lock let its send commit first): look once more.
        target = next(_outbound_by_external_ids(session, account.id, event.targets[:1]), None)
        if target is None:
            return IngestOutcome("ignored", detail="bounce for a message we did not send")
    target.status = "failed"
    target.failure_reason = event.text or "bounced"
    emit(session, "message.updated", conversation_id=target.conversation_id, message_id=target.id)
    return IngestOutcome("updated", target.id, target.conversation_id)


def _record_call(
    session: Session,
    account: ChannelAccount,
    event: InboundEvent,
    store: AttachmentStore | None,
    max_chars: int,
) -> IngestOutcome:
    """One callback about a phone call, merged into the call's message (inbox/calls.py).

    The message is unique on (account, call id) like any message, so the first callback of
    a call creates it once however many race; later ones lock it and merge their facts.
    """
    call = dict(event.extra.get("call") or {})
    if event.customer is None or not call.get("sid"):
        return IngestOutcome("ignored", detail="call event without a call or a customer")
    conversation = conversation_for(session, account, event)
    call_id = str(call["sid"])
    customer = event.customer.external_id
    created = False
    message = calls.call_message(session, account.id, call_id)
    if message is None and call.get("ref"):
        # Our click-to-call: the status may come before the job recorded the call id.
        message = calls.by_ref(session, str(call["ref"]))
        if message is not None and message.external_id is None:
            message.external_id = call_id
    if message is None:
        row = Message(
            conversation_id=conversation.id,
            channel_account_id=account.id,
            external_id=call_id,
            direction="outbound" if call.get("direction") == "outbound" else "inbound",
            kind="call",
            text="",
            created_at=event.sent_at,
            meta={},
        )
        created = _insert_once(session, row)
        message = row if created else calls.call_message(session, account.id, call_id)
        if message is None:
            raise RuntimeError("call message vanished after a conflicting insert")
    before = dict(message.meta or {})
    facts, changed = calls.merge(before, call, event.sent_at)
    if not changed:
        return IngestOutcome("duplicate", message.id, message.conversation_id)
    calls.name_agent(session, facts)
    if before.get("stopped_placing") and not facts.get("stopped_placing"):
        message.failure_reason = None  # placed after all: the sweeper's reason is wrong
    message.meta = facts
    message.text = calls.summary(facts, customer)
    message.created_at = min(message.created_at, event.sent_at)
    new_attachment = False
    for incoming in event.attachments:
        attach(session, message.id, incoming, store)
        new_attachment = True
    conversation.last_activity_at = max(conversation.last_activity_at, event.sent_at)
    if calls.answered_after_all(conversation, before, facts, customer):
        system_event(session, conversation, f"Call from {customer} was answered after all")
    if calls.needs_call_back(before, facts):
        touch_for_customer(session, conversation, event)
        calls.open_call_back(conversation, customer)
        what = "Voicemail" if facts.get("voicemail") else "Missed call"
        system_event(session, conversation, f"{what} from {customer}: call back", at=event.sent_at)
    emit(
        session,
        "message.created" if created else "message.updated",
        conversation_id=message.conversation_id,
        message_id=message.id,
        channel_account_id=account.id,
        direction=message.direction,
    )
    # "created" also when a recording was attached: the worker then fetches it.
    action = "created" if created or new_attachment else "updated"
    return IngestOutcome(action, message.id, message.conversation_id)


_HANDLERS = {
    EventKind.MESSAGE: _record_message,
    EventKind.ECHO: _record_echo,
    EventKind.DELIVERED: _record_receipt,
    EventKind.READ: _record_receipt,
    EventKind.EDITED: _record_edit,
    EventKind.DELETED: _record_edit,
    EventKind.BOUNCED: _record_bounce,
    EventKind.CALL: _record_call,
}


def _message_by_external_id(session: Session, account_id: int, external_id: str) -> Message | None:
    return session.scalars(
        select(Message).where(
            Message.channel_account_id == account_id, Message.external_id == external_id
        )
    ).first()


def _outbound_by_external_ids(
    session: Session, account_id: int, external_ids: Sequence[str]
) -> Iterator[Message]:
    """Our outbound messages among `external_ids`, in the order the ids are given."""
    for external_id in external_ids:
        found = _message_by_external_id(session, account_id, external_id)
        if found is not None and found.direction == "outbound":
            yield found


def _insert_once(session: Session, row: Message) -> bool:
    """Add `row` in a savepoint; False if the unique key already exists (a racing worker won)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def conversation_for(
    session: Session, account: ChannelAccount, event: InboundEvent
) -> Conversation:
    assert event.customer is not None
    participant_key = event.customer.external_id
    found = find_conversation(session, account, event, participant_key)
    if found is not None:
        return found
    contact = resolve_contact(session, account.channel, event.customer)
    new_id = insert_returning_id(
        session,
        Conversation.__table__,
        {
            "channel_account_id": account.id,
            "contact_id": contact.id,
            "kind": event.conversation_kind.value,
            "thread_key": event.thread_key,
            "participant_key": participant_key,
            "subject": event.subject,
            "context": dict(event.context),
            "last_activity_at": event.sent_at,
            "status": "open",
            "priority": "none",
            "created_at": utcnow(),
        },
        ["channel_account_id", "kind", "thread_key", "participant_key"],
    )
    if new_id is None:  # a racing worker created it first
        found = find_conversation(session, account, event, participant_key)
        if found is None:
            raise RuntimeError("conversation vanished after a conflicting insert")
        return found
    conversation = session.get(Conversation, new_id)
    assert conversation is not None
    remember(session, conversation)
    emit(
        session,
        "conversation.created",
        conversation_id=conversation.id,
        channel_account_id=account.id,
    )
    return conversation


def touch_for_customer(session: Session, conversation: Conversation, event: InboundEvent) -> None:
    """A customer wrote: activity moves, the SLA clock starts, a closed case may reopen."""
    conversation.last_activity_at = max(conversation.last_activity_at, event.sent_at)
    opt_out.apply(session, conversation, event)
    if event.auto_generated:
        return  # out-of-office and bulk mail never reopen or start a clock
    last = conversation.last_customer_message_at
    conversation.last_customer_message_at = (
        event.sent_at if last is None else max(last, event.sent_at)
    )
    payload = (event.extra or {}).get("quick_reply")
    if csat.capture(
        session,
        conversation,
        event.text,
        event.sent_at,
        payload if isinstance(payload, str) else None,
    ):
        return  # a survey answer: the case stays resolved and no response clock starts
    if conversation.waiting_since is None:
        conversation.waiting_since = event.sent_at
    if conversation.status in ("resolved", "snoozed", "pending"):
        previous = conversation.status
        conversation.status = "open"
        conversation.snoozed_until = None
        if previous == "resolved":
            conversation.reopen_count += 1
        system_event(
            session,
            conversation,
            f"reopened ({previous} → open) by a new message",
            at=event.sent_at,
        )
        emit(session, "conversation.updated", conversation_id=conversation.id, status="open")


def meta_of(event: InboundEvent) -> dict[str, object]:
    meta: dict[str, object] = dict(event.extra)
    if event.references:
        meta["references"] = list(event.references)
    if event.auto_generated:
        meta["auto_generated"] = True
    if event.needs_fetch:
        meta["needs_fetch"] = True
    return meta


def mark_conversation_seen(session: Session, conversation_id: int, at: datetime) -> None:
    session.execute(
        update(Conversation).where(Conversation.id == conversation_id).values(agent_last_seen_at=at)
    )
