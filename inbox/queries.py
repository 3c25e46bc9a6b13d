"""Read models for the inbox list and the API: filtering, search hook and cursor paging."""

from __future__ import annotations

import base64
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from inbox.access import restrict
from inbox.models import (
    ChannelAccount,
    Conversation,
    Label,
    Message,
    User,
    conversation_label,
)
from inbox.models.sla import ConversationSla
from inbox.search import conversation_match


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    status: str | None = None
    channel: str | None = None
    assignee: str | None = None  # "me" | "none" | user id
    team_id: int | None = None
    label: str | None = None
    q: str | None = None
    channel_account_id: int | None = None


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Conversation]
    next_cursor: str | None


def encode_cursor(at: datetime, row_id: int) -> str:
    raw = json.dumps([at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(at), int(row_id)
    except (ValueError, TypeError) as exc:
        raise ValueError("invalid cursor") from exc


def conversation_query(
    session: Session, user: User, flt: ConversationFilter
) -> Select[tuple[Conversation]]:
    query = restrict(select(Conversation), session, user)
    if flt.status:
        query = query.where(Conversation.status == flt.status)
    if flt.channel:
        query = query.join(ChannelAccount).where(ChannelAccount.channel == flt.channel)
    if flt.channel_account_id:
        query = query.where(Conversation.channel_account_id == flt.channel_account_id)
    if flt.assignee == "me":
        query = query.where(Conversation.assignee_id == user.id)
    elif flt.assignee == "none":
        query = query.where(Conversation.assignee_id.is_(None))
    elif flt.assignee:
        query = query.where(Conversation.assignee_id == int(flt.assignee))
    if flt.team_id:
        query = query.where(Conversation.team_id == flt.team_id)
    if flt.label:
        # The label's id, not a join on its name: with the value in the query the planner
        # sees how common the label is, and lists a rare one from ix_conversation_label_label
        # instead of walking the whole queue checking each row (0.2 ms instead of 70 ms for
        # 20 labelled of 200k conversations).
        label_id = session.scalar(select(Label.id).where(Label.name == flt.label))
        query = query.where(
            exists()
            .where(conversation_label.c.conversation_id == Conversation.id)
            .where(conversation_label.c.label_id == (label_id if label_id is not None else -1))
        )
    if flt.q:
        query = query.where(text_match(session, flt.q))
    return query


def text_match(session: Session, q: str) -> ColumnElement[bool]:
    """Conversations containing every term of `q` (substring): see inbox/search.py."""
    return conversation_match(session, q)


def list_conversations(
    session: Session, user: User, flt: ConversationFilter, *, cursor: str | None, limit: int
) -> Page:
    """Newest activity first; the cursor is (last_activity_at, id) of the last row shown."""
    query = conversation_query(session, user, flt)
    if cursor:
        at, row_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Conversation.last_activity_at < at,
                and_(Conversation.last_activity_at == at, Conversation.id < row_id),
            )
        )
    rows = list(
        session.scalars(
            query.options(
                selectinload(Conversation.labels),
                selectinload(Conversation.contact),
                selectinload(Conversation.account),
            )
            .order_by(Conversation.last_activity_at.desc(), Conversation.id.desc())
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].last_activity_at, rows[-1].id) if more and rows else None
    return Page(rows, next_cursor)


def thread_messages(
    session: Session, conversation_id: int, *, after_id: int | None, limit: int
) -> tuple[list[Message], int | None]:
    """Oldest first; page forward with the id of the last message seen."""
    query = select(Message).where(Message.conversation_id == conversation_id)
    if after_id is not None:
        query = query.where(Message.id > after_id)
    rows = list(
        session.scalars(
            query.options(selectinload(Message.attachments), selectinload(Message.author))
            .order_by(Message.id)
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def count_conversations(session: Session, user: User, flt: ConversationFilter) -> int:
    """How many conversations `flt` matches for `user` (the counts beside the inbox views)."""
    inner = conversation_query(session, user, flt).with_only_columns(Conversation.id)
    return int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)


def list_by_sla(
    session: Session, user: User, flt: ConversationFilter, *, cursor: str | None, limit: int
) -> Page:
    """Nearest SLA breach first (the clock's due time, see inbox/sla.py); without a clock,
    the longest-waiting customer; conversations nobody waits on come last."""
    due = func.coalesce(ConversationSla.due_at, Conversation.waiting_since, _NEVER)
    query = conversation_query(session, user, flt).outerjoin(
        ConversationSla, ConversationSla.conversation_id == Conversation.id
    )
    if cursor:
        at, row_id = decode_cursor(cursor)
        query = query.where(or_(due > at, and_(due == at, Conversation.id > row_id)))
    rows = list(
        session.execute(
            query.add_columns(due.label("due"))
            .options(
                selectinload(Conversation.labels),
                selectinload(Conversation.contact),
                selectinload(Conversation.account),
            )
            .order_by(due, Conversation.id)
            .limit(limit + 1)
        ).tuples()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = None
    if more and last is not None:
        last_due = last[1] if last[1].tzinfo else last[1].replace(tzinfo=UTC)
        next_cursor = encode_cursor(last_due, last[0].id)
    return Page([row[0] for row in rows], next_cursor)


_NEVER = datetime(9999, 1, 1, tzinfo=UTC)


def last_messages(
    session: Session, conversation_ids: list[int], waiting_ids: Collection[int] = ()
) -> dict[int, Message]:
    """The list preview of each conversation: for one waiting for an answer (`waiting_ids`,
    those with `waiting_since`), the customer's newest message, so a note or a reply still
    being sent does not hide the question; for the others, the newest message or note (not a
    system event). One query: the newest id per conversation of each kind, through the
    (conversation_id, id) index."""
    if not conversation_ids:
        return {}
    waiting = [i for i in conversation_ids if i in set(waiting_ids)]
    answered = [i for i in conversation_ids if i not in set(waiting_ids)]
    newest = union_all(
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(answered), Message.kind != "event")
        .group_by(Message.conversation_id),
        select(func.max(Message.id))
        .where(
            Message.conversation_id.in_(waiting),
            Message.direction == "inbound",
            Message.kind != "event",
        )
        .group_by(Message.conversation_id),
    )
    rows = session.scalars(select(Message).where(Message.id.in_(newest)))
    return {m.conversation_id: m for m in rows}
