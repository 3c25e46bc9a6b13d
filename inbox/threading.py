"""Which conversation a new message belongs to (DESIGN §3.4)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import ConversationKind, InboundEvent
from inbox.models import ChannelAccount, Conversation, Message

EMAIL_SUBJECT_WINDOW = timedelta(days=14)
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|sv|답장|회신|전달|자동\s*회신)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def normalize_subject(subject: str | None) -> str:
    """Strip reply/forward prefixes (Re:, RE:, Fwd:, 회신:, 답장:, 전달:) and fold spaces."""
    text = " ".join((subject or "").split())
    previous = None
    while previous != text:
        previous, text = text, _PREFIX.sub("", text).strip()
    return text.casefold()


def find_conversation(
    session: Session, account: ChannelAccount, event: InboundEvent, participant_key: str
) -> Conversation | None:
    """Return the conversation `event` continues, or None for a new one."""
    if event.conversation_kind is ConversationKind.EMAIL:
        found = _by_references(session, account, event) or _by_subject(
            session, account, event, participant_key
        )
        if found is not None:
            return found
    key = (account.id, event.conversation_kind.value, event.thread_key, participant_key)
    known: dict[tuple[int, str, str, str], int] = session.info.setdefault("conversation_ids", {})
    if key in known:  # seen earlier in this transaction: the identity map has it, no query
        cached = session.get(Conversation, known[key])
        if (
            cached is not None
            and (
                cached.channel_account_id,
                cached.kind,
                cached.thread_key,
                cached.participant_key,
            )
            == key
        ):
            return cached
    found = session.scalars(
        select(Conversation).where(
            Conversation.channel_account_id == key[0],
            Conversation.kind == key[1],
            Conversation.thread_key == key[2],
            Conversation.participant_key == key[3],
        )
    ).first()
    if found is not None:
        known[key] = found.id
    return found


def _by_references(
    session: Session, account: ChannelAccount, event: InboundEvent
) -> Conversation | None:
    """Email: the nearest referenced message we know (ours or theirs) decides the thread."""
    for ref in reversed(event.references):
        conversation_id = session.scalar(
            select(Message.conversation_id).where(
                Message.channel_account_id == account.id, Message.external_id == ref
            )
        )
        if conversation_id is not None:
            return session.get(Conversation, conversation_id)
    return None


def _by_subject(
    session: Session, account: ChannelAccount, event: InboundEvent, participant_key: str
) -> Conversation | None:
    """Email without usable references: same sender, same normalized subject, within 14 days."""
    subject = normalize_subject(event.subject)
    if not subject:
        return None
    candidates = session.scalars(
        select(Conversation)
        .where(
            Conversation.channel_account_id == account.id,
            Conversation.kind == ConversationKind.EMAIL.value,
            Conversation.participant_key == participant_key,
            Conversation.last_activity_at >= event.sent_at - EMAIL_SUBJECT_WINDOW,
        )
        .order_by(Conversation.last_activity_at.desc())
        .limit(20)
    )
    for conversation in candidates:
        if normalize_subject(conversation.subject) == subject:
            return conversation
    return None
