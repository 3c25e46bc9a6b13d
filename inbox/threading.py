"""Which conversation a new message belongs to (docs/design.md §3.4)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import ConversationKind, InboundEvent
from connectors.email import subjects as email_subjects
from inbox.models import ChannelAccount, Conversation, Message

EMAIL_SUBJECT_WINDOW = timedelta(days=14)


def threads_by_subject(subject: str | None) -> bool:
    """Only a reply or forward ("Re:", "Fwd:", "회신:", "전달:", an auto-reply …) may join an
    earlier conversation by its subject; a fresh mail under a reused subject is a new case."""
    return email_subjects.has_reply_prefix(subject)


def normalize_subject(subject: str | None) -> str:
    """Subjects compare without Re:/Fwd:/회신:/전달: stacks, spacing or case.

    The grammar of mail subjects belongs to the email connector, which also writes our
    "Re:" lines; threading only folds case on top of it.
    """
    return email_subjects.normalize_subject(subject).casefold()


def find_conversation(
    session: Session, account: ChannelAccount, event: InboundEvent, participant_key: str
) -> Conversation | None:
    """Return the conversation `event` continues, or None for a new one."""
    if event.conversation_kind is ConversationKind.EMAIL:
        found = _by_references(session, account, event, participant_key) or _by_subject(
            session, account, event, participant_key
        )
        if found is not None:
            return found
    key = (account.id, event.conversation_kind.value, event.thread_key, participant_key)
    cached = known_conversations(session).get(key)
    if cached is not None:  # seen earlier in this transaction: no query
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
        remember(session, found)
    return found


ConversationKey = tuple[int, str, str, str]


def known_conversations(session: Session) -> dict[ConversationKey, Conversation]:
    """Conversations this transaction already loaded, by thread key.

    Held strongly here because the session's identity map only holds weak references; the
    cache is dropped with the session, and by the ingest job when it rolls a batch back.
    """
    cache: dict[ConversationKey, Conversation] = session.info.setdefault("conversations", {})
    return cache


def remember(session: Session, conversation: Conversation) -> None:
    key = (
        conversation.channel_account_id,
        conversation.kind,
        conversation.thread_key,
        conversation.participant_key,
    )
    known_conversations(session)[key] = conversation


def _by_references(
    session: Session, account: ChannelAccount, event: InboundEvent, participant_key: str
) -> Conversation | None:
    """Email: the nearest referenced message we know decides the thread, for this sender.

    Replies from several people to one outbound mail (a bulk notice) each get their own
    conversation: a reference only threads into a conversation with the same participant.
    """
    for ref in reversed(event.references):
        conversation = session.scalars(
            select(Conversation)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(
                Message.channel_account_id == account.id,
                Message.external_id == ref,
                Conversation.participant_key == participant_key,
            )
        ).first()
        if conversation is not None:
            return conversation
    return None


def _by_subject(
    session: Session, account: ChannelAccount, event: InboundEvent, participant_key: str
) -> Conversation | None:
    """Email without usable references: a reply/forward subject, same sender, same normalized
    subject, within 14 days."""
    if not threads_by_subject(event.subject):
        return None
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
