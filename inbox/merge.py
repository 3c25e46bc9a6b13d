"""Merge two conversations of one contact, split a message (and what follows) into a new
conversation, and undo either from its audit-log entry.

Merge keeps every message's own channel account and its order; the conversation where the
customer wrote last survives, so replies go out on the newest channel thread. The other one
stays as a resolved shell pointing at the survivor (`context.merged_into`): a later customer
message on that thread is moved into the survivor when both are on the same channel account,
otherwise it reopens the shell (its reply would need that channel) with the banner saying
where the case lives. A split conversation is on the original's channel thread: its key gets
a suffix for uniqueness and `context.reply_thread_key` holds the thread replies go to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.conversations import system_event
from inbox.events import emit
from inbox.models import AuditLog, Conversation, Message, User, utcnow


class MergeRefused(ValueError):
    """The merge, split or undo cannot be done; says why."""


GONE = Words("one of the conversations no longer exists", "두 대화 중 하나가 이미 없습니다")


def merge_conversations(
    session: Session, first_id: int, second_id: int, actor: User | None
) -> Conversation:
    """Merge two conversations of the same contact; return the survivor."""
    if first_id == second_id:
        raise MergeRefused(
            Words("a conversation cannot be merged with itself", "같은 대화끼리는 합칠 수 없습니다")
        )
    pair = [session.get(Conversation, i) for i in (first_id, second_id)]
    if pair[0] is None or pair[1] is None:
        raise LookupError(Words("conversation not found", "대화를 찾을 수 없습니다"))
    first, second = pair[0], pair[1]
    if first.contact_id != second.contact_id:
        raise MergeRefused(
            Words(
                "only conversations of the same contact can be merged",
                "같은 고객의 대화만 합칠 수 있습니다",
            )
        )
    if first.context.get("merged_into") or second.context.get("merged_into"):
        raise MergeRefused(
            Words(
                "one of them was already merged into another conversation",
                "둘 중 하나가 이미 다른 대화에 합쳐졌습니다",
            )
        )
    survivor, absorbed = sorted((first, second), key=_last_customer_word, reverse=True)
    moved = list(
        session.scalars(
            select(Message.id).where(Message.conversation_id == absorbed.id).order_by(Message.id)
        )
    )
    session.execute(
        update(Message).where(Message.id.in_(moved)).values(conversation_id=survivor.id)
    )
    before = {
        "status": absorbed.status,
        "resolved_at": _iso(absorbed.resolved_at),
        "snoozed_until": _iso(absorbed.snoozed_until),
        "survivor_labels": sorted(label.name for label in survivor.labels),
    }
    _absorb_activity(survivor, absorbed)
    extra = [label for label in absorbed.labels if label not in survivor.labels]
    survivor.labels = [*survivor.labels, *extra]
    absorbed.status = "resolved"
    absorbed.snoozed_until = None
    absorbed.resolved_at = utcnow()
    absorbed.context = {**absorbed.context, "merged_into": survivor.id}
    who = actor.name if actor else "system"
    audit = _audit(
        session,
        actor,
        "conversation.merge",
        survivor.id,
        {"survivor": survivor.id, "absorbed": absorbed.id, "moved": moved, "before": before},
    )
    _event(session, survivor, f"{who} merged #{absorbed.id} into this conversation", actor, audit)
    _event(session, absorbed, f"{who} merged this conversation into #{survivor.id}", actor, audit)
    _announce(session, survivor, absorbed)
    return survivor


def split_conversation(session: Session, message_id: int, actor: User | None) -> Conversation:
    """Move message `message_id` and every later one into a new conversation; return it."""
    message = session.get(Message, message_id)
    if message is None:
        raise LookupError(f"message {message_id} not found")
    if message.kind == "event":
        raise MergeRefused(
            Words(
                "split at a message, not at a system event",
                "시스템 기록이 아니라 메시지에서 나눠야 합니다",
            )
        )
    original = message.conversation
    moved = list(
        session.scalars(
            select(Message.id)
            .where(
                Message.conversation_id == original.id,
                Message.id >= message.id,
                Message.kind != "event",  # the thread's own history (assignments...) stays
            )
            .order_by(Message.id)
        )
    )
    left = session.scalar(
        select(Message.id).where(
            Message.conversation_id == original.id,
            Message.id < message.id,
            Message.kind != "event",
        )
    )
    if left is None:
        raise MergeRefused(
            Words(
                "the first message cannot be split off: nothing would remain",
                "첫 메시지부터 나누면 남는 것이 없어 나눌 수 없습니다",
            )
        )
    reply_key = original.context.get("reply_thread_key") or original.thread_key
    split = Conversation(
        channel_account_id=original.channel_account_id,
        contact_id=original.contact_id,
        kind=original.kind,
        thread_key=f"{original.thread_key}#split-{message.id}"[:300],
        participant_key=original.participant_key,
        subject=original.subject,
        context={**original.context, "split_from": original.id, "reply_thread_key": reply_key},
        status="open",
        assignee_id=original.assignee_id,
        team_id=original.team_id,
        priority=original.priority,
        category=original.category,
        created_at=message.created_at,
        last_activity_at=message.created_at,
    )
    split.context.pop("merged_into", None)
    session.add(split)
    session.flush()
    session.execute(update(Message).where(Message.id.in_(moved)).values(conversation_id=split.id))
    session.flush()
    _recompute_activity(session, split)
    _recompute_activity(session, original)
    who = actor.name if actor else "system"
    audit = _audit(
        session,
        actor,
        "conversation.split",
        original.id,
        {"original": original.id, "split": split.id, "moved": moved},
    )
    _event(session, split, f"{who} split this off #{original.id}", actor, audit)
    _event(
        session, original, f"{who} split {len(moved)} messages off into #{split.id}", actor, audit
    )
    emit(
        session,
        "conversation.created",
        conversation_id=split.id,
        channel_account_id=split.channel_account_id,
    )
    _announce(session, original, split)
    return split


def undo(session: Session, audit_id: int, actor: User | None) -> Conversation:
    """Reverse a merge or a split recorded as audit entry `audit_id`; return the restored
    conversation (the absorbed one after a merge, the original after a split)."""
    entry = session.get(AuditLog, audit_id)
    if entry is None or entry.action not in ("conversation.merge", "conversation.split"):
        raise LookupError(f"no merge or split with audit id {audit_id}")
    if entry.detail.get("undone_by"):
        raise MergeRefused(Words("this was already undone", "이미 되돌렸습니다"))
    who = actor.name if actor else "system"
    if entry.action == "conversation.merge":
        restored = _undo_merge(session, entry)
        survivor_id = entry.detail["survivor"]
        text = f"{who} undid the merge: #{restored.id} is separate again"
    else:
        restored = _undo_split(session, entry)
        survivor_id = entry.detail["split"]
        text = f"{who} undid the split: the messages are back in #{restored.id}"
    other = session.get(Conversation, survivor_id)
    assert other is not None
    undo_entry = _audit(session, actor, f"{entry.action}.undo", restored.id, {"undoes": entry.id})
    entry.detail = {**entry.detail, "undone_by": undo_entry.id}
    system_event(session, restored, text, author_id=actor.id if actor else None)
    system_event(session, other, text, author_id=actor.id if actor else None)
    _announce(session, restored, other)
    return restored


def _undo_merge(session: Session, entry: AuditLog) -> Conversation:
    detail = entry.detail
    survivor = session.get(Conversation, detail["survivor"])
    absorbed = session.get(Conversation, detail["absorbed"])
    if survivor is None or absorbed is None:
        raise MergeRefused(GONE)
    forwarded = [
        m.id
        for m in session.scalars(select(Message).where(Message.conversation_id == survivor.id))
        if m.meta.get("forwarded_from") == absorbed.id
    ]
    back = [*detail["moved"], *forwarded]
    session.execute(
        update(Message)
        .where(Message.id.in_(back), Message.conversation_id == survivor.id)
        .values(conversation_id=absorbed.id)
    )
    before = detail.get("before", {})
    absorbed.status = before.get("status", "open")
    absorbed.resolved_at = _parse(before.get("resolved_at"))
    absorbed.snoozed_until = _parse(before.get("snoozed_until"))
    if absorbed.status == "snoozed" and (
        absorbed.snoozed_until is None or absorbed.snoozed_until <= utcnow()
    ):
        absorbed.status, absorbed.snoozed_until = "open", None
    absorbed.context = {k: v for k, v in absorbed.context.items() if k != "merged_into"}
    if "survivor_labels" in before:
        keep = set(before["survivor_labels"])
        survivor.labels = [label for label in survivor.labels if label.name in keep]
    session.flush()
    _recompute_activity(session, survivor)
    _recompute_activity(session, absorbed)
    return absorbed


def _undo_split(session: Session, entry: AuditLog) -> Conversation:
    original = session.get(Conversation, entry.detail["original"])
    split = session.get(Conversation, entry.detail["split"])
    if original is None or split is None:
        raise MergeRefused(GONE)
    session.execute(
        update(Message)
        .where(Message.conversation_id == split.id)
        .values(conversation_id=original.id)
    )
    split.status = "resolved"
    split.resolved_at = utcnow()
    split.context = {**split.context, "merged_into": original.id}
    session.flush()
    _recompute_activity(session, original)
    _recompute_activity(session, split)
    return original


def react(session: Session, events: list[dict[str, Any]]) -> None:
    """A customer wrote on a merged-away thread: move the message into the survivor.

    Runs before the other reactions and rewrites the event's conversation id, so the
    notification and the webhook name the conversation where the case lives.
    """
    inbound = [
        e for e in events if e.get("topic") == "message.created" and e.get("direction") == "inbound"
    ]
    if not inbound:
        return
    # One query per transaction, however many messages a batch ingest stored.
    shells = {
        row.id
        for row in session.execute(
            select(Conversation.id, Conversation.context).where(
                Conversation.id.in_({e["conversation_id"] for e in inbound})
            )
        )
        if (row.context or {}).get("merged_into")
    }
    for event in inbound:
        if event["conversation_id"] not in shells:
            continue
        shell = session.get(Conversation, event["conversation_id"])
        if shell is None:
            continue
        survivor = session.get(Conversation, shell.context["merged_into"])
        if survivor is None or survivor.channel_account_id != shell.channel_account_id:
            continue  # the reply needs the shell's own channel: it reopened, with its banner
        message = session.get(Message, event["message_id"])
        if message is None:
            continue
        message.conversation_id = survivor.id
        message.meta = {**message.meta, "forwarded_from": shell.id}
        shell.status, shell.snoozed_until = "resolved", None
        _absorb_activity(survivor, shell)
        if survivor.status != "open":
            previous, survivor.status = survivor.status, "open"
            survivor.snoozed_until = survivor.resolved_at = None
            system_event(session, survivor, f"reopened ({previous} → open) by a new message")
        event["conversation_id"] = survivor.id
        emit(
            session,
            "conversation.updated",
            conversation_id=survivor.id,
            channel_account_id=survivor.channel_account_id,
        )


def _last_customer_word(c: Conversation) -> tuple[datetime, int]:
    return (c.last_customer_message_at or c.created_at, c.id)


def _absorb_activity(survivor: Conversation, other: Conversation) -> None:
    survivor.last_activity_at = max(survivor.last_activity_at, other.last_activity_at)
    times = [t for t in (survivor.last_customer_message_at, other.last_customer_message_at) if t]
    survivor.last_customer_message_at = max(times) if times else None
    waits = [t for t in (survivor.waiting_since, other.waiting_since) if t]
    survivor.waiting_since = min(waits) if waits else None


def _recompute_activity(session: Session, conversation: Conversation) -> None:
    """Activity times from the messages the conversation holds now."""
    rows = session.execute(
        select(Message.created_at, Message.direction, Message.kind).where(
            Message.conversation_id == conversation.id
        )
    ).all()
    if rows:
        conversation.last_activity_at = max(r.created_at for r in rows)
    inbound = [r.created_at for r in rows if r.direction == "inbound"]
    conversation.last_customer_message_at = max(inbound) if inbound else None
    answered = [r.created_at for r in rows if r.direction == "outbound"]
    last_answer = max(answered) if answered else None
    waiting = [t for t in inbound if last_answer is None or t > last_answer]
    conversation.waiting_since = min(waiting) if waiting else None


def _audit(
    session: Session, actor: User | None, action: str, target_id: int, detail: dict[str, Any]
) -> AuditLog:
    entry = AuditLog(
        actor_user_id=actor.id if actor else None,
        action=action,
        target_type="conversation",
        target_id=str(target_id),
        detail=detail,
    )
    session.add(entry)
    session.flush()
    return entry


def _event(
    session: Session, conversation: Conversation, text: str, actor: User | None, audit: AuditLog
) -> None:
    event = system_event(session, conversation, text, author_id=actor.id if actor else None)
    event.meta = {"undo_audit_id": audit.id}


def _announce(session: Session, *conversations: Conversation) -> None:
    for conversation in conversations:
        emit(
            session,
            "conversation.updated",
            conversation_id=conversation.id,
            channel_account_id=conversation.channel_account_id,
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
