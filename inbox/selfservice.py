"""Self-service in the chat widget: FAQ answers first, one click to a person.

A visitor's question is stored like any chat message. When FAQ answers are shown for it, the
conversation waits as `pending` with `self_service="offered"` (out of the agents' open queue)
and each answer shown is written into the thread as an event, so an agent who takes over sees
exactly what the visitor read. The visitor's click then records the outcome the issue asks
for: `resolved` (the answer solved it; the conversation is resolved and counts as deflected)
or `handed_off` (the conversation opens for agents, its SLA clock starting at the hand-off).
When no article is a believable answer the visitor is not shown any: the conversation goes
straight to the agents marked `no_match`, which the FAQ gaps report collects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.conversations import Change, apply_change, system_event
from inbox.events import emit
from inbox.faq import evidence
from inbox.faq.service import Suggestion, suggest
from inbox.faq.text import content
from inbox.models import Conversation, Message, utcnow

OFFERED = "offered"
RESOLVED = "resolved"
HANDED_OFF = "handed_off"
NO_MATCH = "no_match"

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


class SelfServiceError(ValueError):
    """The outcome does not fit the conversation's state; the message says why."""


def detect_locale(text: str) -> str:
    """The language to answer in: Korean when the text has any Hangul, else English."""
    return "ko" if _HANGUL.search(text) else "en"


def latest_customer_text(session: Session, conversation_id: int) -> str | None:
    """The text of the customer's most recent non-empty message in the conversation."""
    return session.scalars(
        select(Message.text)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == "inbound",
            Message.deleted_at.is_(None),
            Message.text.is_not(None),
            Message.text != "",
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()


def has_question(text: str) -> bool:
    """Does the text say anything beyond greetings and filler ("안녕하세요", "저기요", "?")?"""
    runs, words = content(text)
    return any(len(run) >= 2 for run in runs) or bool(words)


def may_offer(
    session: Session, prior: tuple[str, str | None] | None, conversation: Conversation
) -> bool:
    """Offer FAQ answers for this message? On a new conversation (or one after a resolved one),
    and after a visitor's greeting while no answer and no agent has come yet: "안녕하세요" then
    "배송 언제 와요" is still a question for self-service."""
    if prior is None or prior[0] == "resolved":
        return True
    if prior[1] is not None:  # offered, handed off, no match: self-service had its turn
        return False
    replied = session.scalars(
        select(Message.id)
        .where(
            Message.conversation_id == conversation.id,
            Message.direction == "outbound",
            Message.kind != "event",
        )
        .limit(1)
    ).first()
    return replied is None


def answers_for(
    session: Session, text: str, *, locale: str | None = None, limit: int = 3
) -> list[Suggestion]:
    """FAQ answers for a customer's text, in `locale` or in the language the text is written in."""
    if not text.strip():
        return []
    return suggest(session, text, locale=locale or detect_locale(text), limit=limit)


def offer(session: Session, conversation: Conversation, answers: Sequence[Suggestion]) -> None:
    """Record that the visitor was shown `answers`; the conversation waits for their choice."""
    if not answers:
        return
    for rank, answer in enumerate(answers, start=1):
        system_event(
            session,
            conversation,
            f"Self-service answer {rank}/{len(answers)} shown to the visitor: "
            f"“{answer.title}” ({answer.slug})\n{answer.answer}",
        )
    conversation.self_service = OFFERED
    if conversation.status == "open":
        conversation.status = "pending"
    _announce(session, conversation)


def resolve(session: Session, conversation: Conversation, *, slug: str | None) -> None:
    """The visitor said an answer solved it: resolved by self-service, no agent needed."""
    if conversation.self_service not in (OFFERED, RESOLVED):
        raise SelfServiceError("no self-service answers were offered in this conversation")
    system_event(
        session,
        conversation,
        f"Visitor: this solved it ({slug})" if slug else "Visitor: this solved it",
    )
    question = latest_customer_text(session, conversation.id)
    if slug and question:
        evidence.record(
            session,
            slug,
            question,
            locale=detect_locale(question),
            source=evidence.VISITOR,
            conversation_id=conversation.id,
        )
    conversation.self_service = RESOLVED
    conversation.waiting_since = None
    apply_change(
        session,
        conversation,
        Change(status="resolved", category=slug if slug and not conversation.category else None),
        actor=None,
    )
    _announce(session, conversation)


def no_match(session: Session, conversation: Conversation) -> None:
    """No FAQ answer fits the visitor's question: a person takes it from the start."""
    if conversation.self_service in (OFFERED, HANDED_OFF, NO_MATCH):
        return
    system_event(session, conversation, "No FAQ answer fits; waiting for an agent")
    conversation.self_service = NO_MATCH
    _announce(session, conversation)


def hand_off(session: Session, conversation: Conversation, *, reason: str) -> None:
    """The visitor wants a person: the conversation opens for agents with the transcript."""
    if conversation.self_service == HANDED_OFF and conversation.status == "open":
        return
    system_event(session, conversation, f"Handed off to an agent: {reason}")
    conversation.self_service = HANDED_OFF
    conversation.waiting_since = utcnow()
    if conversation.status != "open":
        apply_change(session, conversation, Change(status="open"), actor=None)
    _announce(session, conversation)


def _announce(session: Session, conversation: Conversation) -> None:
    emit(
        session,
        "conversation.updated",
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        self_service=conversation.self_service,
    )
