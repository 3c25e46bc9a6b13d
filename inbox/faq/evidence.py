"""What agents and visitors teach the FAQ ranking: phrasings an article turned out to answer.

An agent who inserts an article into a reply, and a visitor who says an answer solved it, both
say "this customer's words mean that article". Those words are stored (FaqEvidence) and become
a field of the article in the index, so the next customer who phrases it the same way (or
close) finds the article even when its keywords do not say it that way. Evidence fades with age
(half weight after EVIDENCE_HALF_LIFE_DAYS) and only the newest EVIDENCE_PER_ARTICLE phrasings
per article count, so one busy week cannot bury an article's own keywords; an admin can remove
a phrasing that taught the wrong thing (Admin → FAQ → the article).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox import audit
from inbox.db import insert_ignore
from inbox.events import emit
from inbox.faq.models import FaqArticle, FaqEvidence
from inbox.models.base import utcnow

AGENT = "agent"
VISITOR = "visitor"
SOURCES = (AGENT, VISITOR)

EVIDENCE_HALF_LIFE_DAYS = 180.0
EVIDENCE_PER_ARTICLE = 50
MAX_PHRASE_CHARS = 300  # a question, not a whole email thread


@dataclass(frozen=True, slots=True)
class Phrasing:
    text: str
    weight: float  # 1.0 when new, halving every EVIDENCE_HALF_LIFE_DAYS


def record(
    session: Session,
    slug: str,
    phrase: str,
    *,
    locale: str,
    source: str,
    conversation_id: int | None,
    user_id: int | None = None,
) -> bool:
    """Store `phrase` as evidence for `slug`; False if there is nothing to learn from.

    Idempotent per (article, conversation, source): the reply form sent twice, or a visitor
    clicking "solved" twice, leaves one row.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown evidence source {source!r}")
    phrase = " ".join(phrase.split())[:MAX_PHRASE_CHARS]
    article_id = session.scalars(select(FaqArticle.id).where(FaqArticle.slug == slug)).first()
    if article_id is None or not phrase:
        return False
    insert_ignore(
        session,
        FaqEvidence.__table__,
        {
            "article_id": article_id,
            "phrase": phrase,
            "locale": locale,
            "source": source,
            "conversation_id": conversation_id,
            "user_id": user_id,
            "created_at": utcnow(),
        },
        ("article_id", "conversation_id", "source"),
    )
    emit(session, "faq.evidence", slug=slug, source=source)
    return True


def remove(session: Session, evidence_id: int, *, user_id: int | None) -> FaqEvidence:
    """Stop using one phrasing for ranking (kept, marked removed, audited)."""
    row = session.get(FaqEvidence, evidence_id)
    if row is None:
        raise LookupError(f"no FAQ evidence {evidence_id}")
    if row.removed_at is None:
        row.removed_at = utcnow()
        row.removed_by_id = user_id
        audit.record(
            session,
            user_id,
            "faq.evidence.remove",
            "faq_evidence",
            row.id,
            {"article_id": row.article_id, "source": row.source},
        )
        emit(session, "faq.evidence", slug=row.article.slug, removed=row.id)
    return row


def for_article(session: Session, slug: str, *, limit: int = 200) -> list[FaqEvidence]:
    """An article's evidence, newest first, removed rows included (the admin reviews both)."""
    return list(
        session.scalars(
            select(FaqEvidence)
            .join(FaqArticle, FaqArticle.id == FaqEvidence.article_id)
            .where(FaqArticle.slug == slug)
            .order_by(FaqEvidence.created_at.desc(), FaqEvidence.id.desc())
            .limit(limit)
        )
    )


def decay(created_at: datetime, now: datetime) -> float:
    age_days = max(0.0, (now - created_at).total_seconds() / 86400)
    return float(0.5 ** (age_days / EVIDENCE_HALF_LIFE_DAYS))


def phrasings(session: Session, *, now: datetime | None = None) -> dict[str, list[Phrasing]]:
    """slug -> the active phrasings the index learns from, newest first, capped per article."""
    now = now or utcnow()
    rows = session.execute(
        select(FaqArticle.slug, FaqEvidence.phrase, FaqEvidence.created_at)
        .join(FaqArticle, FaqArticle.id == FaqEvidence.article_id)
        .where(FaqEvidence.removed_at.is_(None))
        .order_by(FaqEvidence.created_at.desc(), FaqEvidence.id.desc())
    )
    out: dict[str, list[Phrasing]] = defaultdict(list)
    for slug, phrase, created_at in rows:
        if len(out[slug]) < EVIDENCE_PER_ARTICLE:
            out[slug].append(Phrasing(phrase, decay(created_at, now)))
    return dict(out)


def as_index_input(found: Mapping[str, Sequence[Phrasing]]) -> dict[str, list[tuple[str, float]]]:
    return {slug: [(p.text, p.weight) for p in items] for slug, items in found.items()}
