"""FAQ gaps: what visitors asked that self-service could not answer, grouped by likeness.

Two outcomes count as a gap (inbox.selfservice): `no_match` (no article was a believable answer,
the visitor went straight to a person) and `handed_off` (answers were shown and the visitor
still wanted a person, or wrote again instead of choosing). The visitor's first message is the
question. Questions are grouped greedily by the overlap of their Hangul bigrams and English
words (the same folding as the search: synonyms, scaffolding removed), so "교환 되나요" and
"교환 가능한가요" land together; the biggest groups are the articles worth writing next.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inbox.faq.text import content
from inbox.models import Conversation, Message

GAP_OUTCOMES = ("no_match", "handed_off")
MAX_QUESTIONS = 2000  # newest first; a month of a busy widget
SIMILARITY = 0.3  # share of the smaller question's features the two have in common


@dataclass
class GapGroup:
    questions: list[str] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    latest: datetime | None = None
    features: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        return len(self.questions)


def features(text: str) -> frozenset[str]:
    """Hangul syllable bigrams (spaces removed) and English words, after the search's folding."""
    runs, words = content(text)
    out: set[str] = {run[i : i + 2] for run in runs for i in range(len(run) - 1)}
    out.update(w for w in words if not w.isdigit())
    return frozenset(out)


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    # Overlap over the smaller set, not Jaccard: "교환 되나요" is all in "교환 가능한가요".
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= SIMILARITY


def questions(
    session: Session, *, since: datetime, until: datetime
) -> list[tuple[int, str, str, datetime]]:
    """(conversation id, outcome, first visitor message, when) for each gap, newest first."""
    first = (
        select(Message.conversation_id, func.min(Message.id).label("message_id"))
        .where(Message.direction == "inbound", Message.text.is_not(None))
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = session.execute(
        select(Conversation.id, Conversation.self_service, Message.text, Conversation.created_at)
        .join(first, first.c.conversation_id == Conversation.id)
        .join(Message, Message.id == first.c.message_id)
        .where(
            Conversation.self_service.in_(GAP_OUTCOMES),
            Conversation.created_at >= since,
            Conversation.created_at < until,
        )
        .order_by(Conversation.created_at.desc(), Conversation.id.desc())
        .limit(MAX_QUESTIONS)
    )
    return [(cid, outcome, text or "", at) for cid, outcome, text, at in rows]


def group(rows: list[tuple[int, str, str, datetime]]) -> list[GapGroup]:
    """Rows (newest first) into groups of alike questions, biggest first."""
    groups: list[GapGroup] = []
    for conversation_id, outcome, text, at in rows:
        found = features(text)
        target = next((g for g in groups if _similar(g.features, found)), None)
        if target is None:
            target = GapGroup(features=found, latest=at)
            groups.append(target)
        target.questions.append(text)
        target.conversation_ids.append(conversation_id)
        target.outcomes[outcome] += 1
        if target.latest is None or at > target.latest:
            target.latest = at
    groups.sort(key=lambda g: (-g.size, -(g.latest.timestamp() if g.latest else 0)))
    return groups


def report(session: Session, *, since: datetime, until: datetime) -> list[GapGroup]:
    return group(questions(session, since=since, until=until))
