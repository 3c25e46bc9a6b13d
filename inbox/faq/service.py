"""The FAQ knowledge base in the database: seeding, import/export, versioned edits, suggestions.

Every function takes a Session and leaves committing to the caller. Suggestions come from an
in-memory FaqIndex cached per database; the cache is keyed by a fingerprint of the current
versions, so an edit committed by any process (another web worker, the CLI) is picked up on
the next suggestion, not only edits made in this one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inbox import audit
from inbox.events import emit
from inbox.faq import evidence as learned
from inbox.faq.articles import (
    LOCALES,
    Article,
    LocalizedText,
    default_articles,
    dumps,
    loads,
)
from inbox.faq.models import FaqArticle, FaqArticleVersion, FaqEvidence
from inbox.faq.search import FaqIndex
from inbox.models.base import utcnow


class UnknownArticle(LookupError):
    """No article has this slug."""


class DuplicateArticle(ValueError):
    """An article with this slug already exists."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    slug: str
    category: str
    locale: str
    title: str
    answer: str
    score: float


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


def _article_from(row: FaqArticle) -> Article:
    version = row.current_version
    if version is None:  # only mid-creation, inside create_article
        raise UnknownArticle(row.slug)
    return Article(
        slug=row.slug,
        category=version.category,
        texts={
            "ko": LocalizedText(version.title_ko, version.answer_ko, tuple(version.keywords_ko)),
            "en": LocalizedText(version.title_en, version.answer_en, tuple(version.keywords_en)),
        },
    )


def _row(session: Session, slug: str) -> FaqArticle:
    row = session.scalars(select(FaqArticle).where(FaqArticle.slug == slug)).one_or_none()
    if row is None:
        raise UnknownArticle(slug)
    return row


def _add_version(
    session: Session, row: FaqArticle, article: Article, *, editor_id: int | None, note: str | None
) -> FaqArticleVersion:
    """Append `article`'s content as the next version of `row` and point the row at it."""
    ko, en = article.texts["ko"], article.texts["en"]
    number = 1 + max((v.number for v in row.versions), default=0)
    version = FaqArticleVersion(
        number=number,
        category=article.category,
        title_ko=ko.title,
        answer_ko=ko.answer,
        keywords_ko=list(ko.keywords),
        title_en=en.title,
        answer_en=en.answer,
        keywords_en=list(en.keywords),
        editor_id=editor_id,
        note=note,
    )
    row.versions.append(version)
    row.current_version = version
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session, editor_id, "faq.edit", "faq_article", row.id, {"slug": row.slug, "version": number}
    )
    emit(session, "faq.updated", slug=row.slug, version=number)
    return version


def get_article(session: Session, slug: str) -> Article:
    """The current content of `slug`; UnknownArticle if there is none."""
    return _article_from(_row(session, slug))


def list_articles(session: Session) -> list[Article]:
    """Every article's current content, in creation order (the seed file's order).

    An article without a current version (its row written by hand, or its versions deleted
    in SQL) is skipped rather than breaking the help page and every suggestion.
    """
    rows = session.scalars(
        select(FaqArticle).where(FaqArticle.current_version_id.is_not(None)).order_by(FaqArticle.id)
    )
    return [_article_from(row) for row in rows]


def history(session: Session, slug: str) -> list[FaqArticleVersion]:
    """All versions of `slug`, oldest first."""
    return list(_row(session, slug).versions)


def create_article(
    session: Session, article: Article, *, editor_id: int | None = None, note: str | None = None
) -> FaqArticle:
    if session.scalars(select(FaqArticle.id).where(FaqArticle.slug == article.slug)).first():
        raise DuplicateArticle(article.slug)
    row = FaqArticle(slug=article.slug)
    session.add(row)
    session.flush()
    _add_version(session, row, article, editor_id=editor_id, note=note)
    return row


def update_article(
    session: Session,
    slug: str,
    *,
    texts: Mapping[str, LocalizedText] | None = None,
    category: str | None = None,
    editor_id: int | None,
    note: str | None = None,
) -> FaqArticleVersion:
    """Save a new version with the given locales and/or category replaced.

    Locales not passed keep their current text. Saving identical content adds no version and
    returns the current one, so a double-submitted form does not pad the history.
    """
    row = _row(session, slug)
    current = _article_from(row)
    unknown = set(texts or {}) - set(LOCALES)
    if unknown:
        raise ValueError(f"unknown locale(s): {', '.join(sorted(unknown))}")
    article = Article(
        slug=slug,
        category=category if category is not None else current.category,
        texts={**current.texts, **(texts or {})},
    )
    if article == current and row.current_version is not None:
        return row.current_version
    return _add_version(session, row, article, editor_id=editor_id, note=note)


def restore_version(
    session: Session, slug: str, number: int, *, editor_id: int | None
) -> FaqArticleVersion:
    """Make an old version current again by copying it forward (history stays append-only)."""
    row = _row(session, slug)
    old = next((v for v in row.versions if v.number == number), None)
    if old is None:
        raise UnknownArticle(f"{slug} v{number}")
    texts = {
        "ko": LocalizedText(old.title_ko, old.answer_ko, tuple(old.keywords_ko)),
        "en": LocalizedText(old.title_en, old.answer_en, tuple(old.keywords_en)),
    }
    return update_article(
        session,
        slug,
        texts=texts,
        category=old.category,
        editor_id=editor_id,
        note=f"restored version {number}",
    )


def seed_default_articles(session: Session) -> list[str]:
    """Create the shipped articles that are missing; never touch ones that exist (edited)."""
    existing = set(session.scalars(select(FaqArticle.slug)))
    created = []
    for article in default_articles():
        if article.slug not in existing:
            create_article(session, article, note="seed")
            created.append(article.slug)
    return created


def import_json(session: Session, text: str, *, editor_id: int | None = None) -> ImportResult:
    """Create or update articles from an FAQ document; unchanged articles get no new version.

    The whole document is validated before anything is written (ArticleFormatError), and
    articles absent from the file are left alone: import never deletes.
    """
    return import_articles(session, loads(text), editor_id=editor_id)


def import_articles(
    session: Session, incoming: Sequence[Article], *, editor_id: int | None = None
) -> ImportResult:
    """Create or update these (already validated) articles; callers may import in batches."""
    existing = {row.slug: row for row in session.scalars(select(FaqArticle))}
    created, updated, unchanged = [], [], []
    for article in incoming:
        row = existing.get(article.slug)
        if row is None:
            create_article(session, article, editor_id=editor_id, note="import")
            created.append(article.slug)
        elif _article_from(row) == article:
            unchanged.append(article.slug)
        else:
            _add_version(session, row, article, editor_id=editor_id, note="import")
            updated.append(article.slug)
    return ImportResult(tuple(created), tuple(updated), tuple(unchanged))


def export_json(session: Session) -> str:
    """Every article's current version as an FAQ document that import_json reads back."""
    return dumps(list_articles(session))


# --- suggestions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cached:
    fingerprint: tuple[Any, ...]
    articles: Mapping[str, Article]
    index: FaqIndex


_CACHE: OrderedDict[str, _Cached] = OrderedDict()
_CACHE_SIZE = 4  # databases per process: one in production, a few in tests
_LOCK = threading.Lock()


def _fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever any article's current version or its evidence does, in any process.

    updated_at is included because SQLite may hand a rolled-back version's id to the next one.
    The day is included because evidence weights decay with age.
    """
    count, top, total, stamp = session.execute(
        select(
            func.count(FaqArticle.id),
            func.max(FaqArticle.current_version_id),
            func.sum(FaqArticle.current_version_id),
            func.max(FaqArticle.updated_at),
        )
    ).one()
    learned_count, learned_top, removed = session.execute(
        select(
            func.count(FaqEvidence.id),
            func.max(FaqEvidence.id),
            func.max(FaqEvidence.removed_at),
        )
    ).one()
    return (
        count,
        top,
        total,
        _stamp(stamp),
        learned_count,
        learned_top,
        _stamp(removed),
        utcnow().date().isoformat(),
    )


def _stamp(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _cache_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=False)


def _cached_index(session: Session) -> _Cached:
    key, fingerprint = _cache_key(session), _fingerprint(session)
    cached = _CACHE.get(key)
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    with _LOCK:
        articles = list_articles(session)
        evidence = learned.as_index_input(learned.phrasings(session))
        index = FaqIndex(articles, evidence=evidence)
        cached = _Cached(fingerprint, {a.slug: a for a in articles}, index)
        _CACHE[key] = cached
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return cached


def invalidate_cache() -> None:
    """Forget every built index (tests; edits are detected without this)."""
    with _LOCK:
        _CACHE.clear()


def suggest(
    session: Session, query: str, *, locale: str = "ko", limit: int = 3
) -> list[Suggestion]:
    """The best `limit` articles for a customer's question, written in `locale` (else Korean).

    Empty when no article is a believable answer (FaqIndex.answer): greetings, nonsense and
    off-topic questions get no suggestion, so the chat widget offers a person at once.
    """
    cached = _cached_index(session)
    out = []
    for hit in cached.index.answer(query, limit=limit):
        article = cached.articles[hit.slug]
        text = article.text(locale)
        out.append(
            Suggestion(
                slug=hit.slug,
                category=article.category,
                locale=locale if locale in article.texts else LOCALES[0],
                title=text.title,
                answer=text.answer,
                score=hit.score,
            )
        )
    return out
