"""Agent notifications: made from domain events, in the transaction that caused them.

Which events notify whom (see `react`):
- `conversation.assigned` (assignee_id, actor_id): the new assignee, unless they did it;
- `message.created` of a note: every agent @mentioned in it who can see the conversation;
- `message.created` inbound: the conversation's assignee (one unread per conversation);
- `sla.breached` (conversation_id): the conversation's assignee;
- `webhook.disabled` (subscription_id, reason): every admin.

Each notification emits `notification.created` (user_id) for the live stream, and asks for an
email job when the agent turned email copies on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from inbox.access import can_see
from inbox.events import after_commit, emit
from inbox.models import Conversation, Message, User, utcnow
from inbox.models.notifications import Notification, NotificationSetting

EXCERPT = 140


def react(session: Session, events: list[dict[str, Any]]) -> None:
    """Turn the events of one transaction into notifications (topics it ignores pass by)."""
    inbound: list[dict[str, Any]] = []
    assigned: list[dict[str, Any]] = []
    for event in events:
        topic = event.get("topic")
        if topic == "conversation.assigned":
            assigned.append(event)
        elif topic == "message.created" and event.get("direction") == "internal":
            _mentions(session, int(event["message_id"]))
        elif topic == "message.created" and event.get("direction") == "inbound":
            inbound.append(event)
        elif topic == "sla.breached":
            _sla_breach(session, event)
        elif topic == "webhook.disabled":
            _webhook_disabled(session, event)
    if assigned:
        _assigned(session, assigned)
    if inbound:
        _customer_replied(session, inbound)


def notify(
    session: Session,
    user_id: int,
    kind: str,
    text: str,
    *,
    conversation_id: int | None = None,
    message_id: int | None = None,
    actor_id: int | None = None,
) -> Notification:
    """Store one notification and announce it to that agent's live stream."""
    note = Notification(
        user_id=user_id,
        kind=kind,
        text=_excerpt(text),
        conversation_id=conversation_id,
        message_id=message_id,
        actor_user_id=actor_id,
    )
    _store(session, [note])
    return note


def _store(session: Session, notes: list[Notification]) -> None:
    """Insert `notes` in one flush, announce each, and ask for the email copies wanted."""
    if not notes:
        return
    session.add_all(notes)
    session.flush()
    users = {note.user_id for note in notes}
    emailed = set(
        session.scalars(
            select(NotificationSetting.user_id).where(
                NotificationSetting.user_id.in_(users), NotificationSetting.email.is_(True)
            )
        )
    )
    for note in notes:
        emit(
            session,
            "notification.created",
            user_id=note.user_id,
            notification_id=note.id,
            kind=note.kind,
        )
        if note.user_id in emailed:
            after_commit(
                session,
                "workers.notify.email_notification",
                note.id,
                queue="maintenance",
                job_id=f"notify-email:{note.id}",
            )


def _assigned(session: Session, events: list[dict[str, Any]]) -> None:
    """All of a transaction's assignments at once (an auto-assignment pass makes hundreds):
    one query for their conversations and contacts, one flush, one settings query."""
    wanted = [
        e for e in events if e.get("assignee_id") and e.get("assignee_id") != e.get("actor_id")
    ]
    if not wanted:
        return
    conversations = {
        c.id: c
        for c in session.scalars(
            select(Conversation)
            .where(Conversation.id.in_({int(e["conversation_id"]) for e in wanted}))
            .options(selectinload(Conversation.contact))
        )
    }
    notes = []
    for event in wanted:
        conversation = conversations.get(int(event["conversation_id"]))
        if conversation is None:
            continue
        notes.append(
            Notification(
                user_id=event["assignee_id"],
                kind="assigned",
                text=_excerpt(_subject(conversation)),
                conversation_id=conversation.id,
                actor_user_id=event.get("actor_id"),
            )
        )
    _store(session, notes)


def _mentions(session: Session, message_id: int) -> None:
    message = session.get(Message, message_id)
    if message is None or message.kind != "note" or "@" not in (message.text or ""):
        return
    conversation = message.conversation
    for user in mentioned_users(session, message.text or ""):
        if user.id == message.author_user_id or not can_see(session, user, conversation):
            continue
        notify(
            session,
            user.id,
            "mentioned",
            message.text or "",
            conversation_id=conversation.id,
            message_id=message.id,
            actor_id=message.author_user_id,
        )


def mentioned_users(session: Session, text: str) -> list[User]:
    """Agents named as "@Name" or "@local-part" in `text`; the longest name wins at a spot.

    No word boundary is required after the name: Korean attaches particles ("@김미나님").
    """
    agents = session.scalars(
        select(User).where(User.is_active.is_(True), User.role.in_(("admin", "agent")))
    ).all()
    found: dict[int, tuple[int, User]] = {}  # position of "@" → (length, user)
    for user in agents:
        for handle in {user.name.strip(), user.email.split("@")[0]}:
            if not handle:
                continue
            for match in re.finditer("@" + re.escape(handle), text, flags=re.IGNORECASE):
                best = found.get(match.start())
                if best is None or len(handle) > best[0]:
                    found[match.start()] = (len(handle), user)
    unique: dict[int, User] = {}
    for _, user in found.values():
        unique.setdefault(user.id, user)
    return list(unique.values())


def _customer_replied(session: Session, events: list[dict[str, Any]]) -> None:
    """One unread "customer replied" per conversation and assignee: the newest text wins."""
    latest = {int(e["conversation_id"]): int(e["message_id"]) for e in events}
    rows = session.execute(
        select(Conversation.id, Conversation.assignee_id).where(
            Conversation.id.in_(latest), Conversation.assignee_id.is_not(None)
        )
    ).all()
    if not rows:
        return
    texts: dict[int, str | None] = {
        row.id: row.text
        for row in session.execute(
            select(Message.id, Message.text).where(Message.id.in_([latest[r[0]] for r in rows]))
        )
    }
    for conversation_id, assignee_id in rows:
        message_id = latest[conversation_id]
        text = texts.get(message_id) or ""
        unread = session.scalars(
            select(Notification).where(
                Notification.user_id == assignee_id,
                Notification.conversation_id == conversation_id,
                Notification.kind == "customer_replied",
                Notification.read_at.is_(None),
            )
        ).first()
        if unread is not None:
            unread.text, unread.message_id, unread.created_at = _excerpt(text), message_id, utcnow()
            emit(
                session,
                "notification.created",
                user_id=assignee_id,
                notification_id=unread.id,
                kind="customer_replied",
            )
            continue
        notify(
            session,
            assignee_id,
            "customer_replied",
            text,
            conversation_id=conversation_id,
            message_id=message_id,
        )


def _sla_breach(session: Session, event: dict[str, Any]) -> None:
    conversation = session.get(Conversation, event.get("conversation_id"))
    if conversation is None or conversation.assignee_id is None:
        return
    target = str(event.get("target") or "")
    notify(
        session,
        conversation.assignee_id,
        "sla_breach",
        f"{target} {_subject(conversation)}".strip(),
        conversation_id=conversation.id,
    )


def _webhook_disabled(session: Session, event: dict[str, Any]) -> None:
    admins = session.scalars(
        select(User.id).where(User.role == "admin", User.is_active.is_(True))
    ).all()
    for admin_id in admins:
        notify(session, admin_id, "webhook_disabled", str(event.get("reason") or ""))


def _subject(conversation: Conversation) -> str:
    name = conversation.contact.name if conversation.contact else None
    return " · ".join(x for x in (name, conversation.subject) if x) or f"#{conversation.id}"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[Notification]
    unread: int


def list_for(
    session: Session,
    user: User,
    *,
    unread_only: bool = False,
    before_id: int | None = None,
    limit: int = 30,
) -> NotificationPage:
    """The agent's notifications, newest first, and how many are unread in all."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    items = list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))
    return NotificationPage(items, unread_count(session, user.id))


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(
    session: Session, user: User, ids: Iterable[int] | None = None, *, now: datetime | None = None
) -> int:
    """Mark the given notifications (all when `ids` is None) of `user` read; return how many."""
    statement = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    result = session.execute(statement.values(read_at=now or utcnow()))
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        emit(session, "notification.read", user_id=user.id)
    return count


def email_enabled(session: Session, user_id: int) -> bool:
    return bool(
        session.scalar(
            select(NotificationSetting.email).where(NotificationSetting.user_id == user_id)
        )
    )


def set_email(session: Session, user: User, enabled: bool) -> None:
    setting = session.get(NotificationSetting, user.id)
    if setting is None:
        session.add(NotificationSetting(user_id=user.id, email=enabled))
    else:
        setting.email = enabled


def mark_emailed(session: Session, notification_id: int, at: datetime) -> None:
    """The e-mail copy went out (workers/notify.py sends it outside any transaction first)."""
    sent = session.get(Notification, notification_id)
    if sent is not None:
        sent.emailed_at = at
