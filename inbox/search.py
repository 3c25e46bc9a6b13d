"""Conversation search: Korean and English substrings in messages, subjects, contacts, handles.

What a query means
    The query is split on whitespace into terms ("quoted phrases" stay one term, a leading
    "@" is dropped so "@minho" finds the handle "minho_82"). A conversation matches when
    EVERY term occurs, as a case-insensitive substring, somewhere in it: the text of one of its
    messages (notes included; deleted messages have no text), its subject, its contact's name
    or email, or a handle / display name of one of its contact's identities. Substring, not
    word, semantics is what Korean needs: particles and endings are glued to the noun, so 환불
    must find 환불해주세요, 환불이, 전액환불. Ranking is the list's own order (last activity).

Korean particles in the query (issue 21)
    The same gluing works against the agent when the particle is in the QUERY: 배송이 is not a
    substring of "배송 언제 오나요", so it found nothing where 배송 found the thread. An
    unquoted term made only of Hangul syllables therefore loses ONE common trailing particle or
    ending (PARTICLES, tried longest first: 으로 before 로, 이요 before 요), provided what
    remains is still at least two syllables: 배송이 → 배송, 고객님께서 → 고객님, but 가이, 도로
    and 회의 stay whole. Only the stem is searched, never "stem OR original": the stem is a
    substring of the original, so every text containing the original also contains the stem
    and the OR would add nothing. The price is precision on the rare noun whose last syllable
    looks like a particle (고양이 searches 고양, 제주도 searches 제주), which a quoted term
    avoids: "quoted phrases" are exact and never stripped. Latin, digits, mixed terms (2026년에,
    iPhone이) are left alone. The stem is also what the list and thread highlight
    (web/ui/text.py, highlight).

How it is served
    PostgreSQL (migration 0005): per searched column a pg_trgm GIN index (gin_trgm_ops, for
    terms of 3+ characters) and a GIN index over sb_bigrams(column), the array of the
    lower-cased text's character pairs (for 2-character terms, which have no trigram; 환불,
    배송, 교환 and most Korean given names are two syllables). Each term is first probed
    through those indexes with a LIMIT of PROBE_LIMIT rows per source:
    - rare term (fewer hits): the hits become lists of conversation ids and contact ids, and
      the list query fetches those conversations by primary key and sorts them;
    - common term: the list query walks conversations newest first (ix_conversation_activity
      or the filter's own index) and checks each one with a correlated EXISTS on its messages,
      stopping at the page size. Hashing the full match set of a common term would cost
      0.3-1 s at a million messages; walking costs about a millisecond.
    A message-text probe the planner expects to match more than SURELY_COMMON rows is not
    run (EXPLAIN only): its bitmap would read the whole posting list of the term, which at
    ten million messages costs more than the walk itself. For a 2-character term the
    estimate is that of the bigram condition alone: the planner multiplies in the ILIKE
    recheck as if independent, although every row with the bigram matches it, and so
    expected 1,919 rows for 곰팡 at ten million messages (1.8% of them contain it). A bigram
    absent from the planner's element statistics is estimated at a fixed floor (half the
    rarest tracked element's frequency: 11,500 rows at ten million messages, whether the term
    occurs 0 or 10,000 times), so a term walks at once only when its estimate is above
    that floor (it is in the statistics, hence at least twice as frequent) as well as above
    SURELY_COMMON; at the floor it is probed.
    ILIKE always rechecks, so the index choice never changes the result.

    SQLite (embedded mode, migration 0005): FTS5 tables with the trigram tokenizer (SQLite
    >= 3.34) as external content over message.text, conversation.subject, contact.name/email
    and contact_identity.handle/display_name, kept in sync by triggers. Terms of three or more
    characters use MATCH with a quoted phrase (case-insensitive, Unicode case-folded); the
    2-character terms fall back to LIKE on the base columns (FTS5 trigram cannot match them;
    embedded installs are small).

    BENCHMARKS.md ("Inbox list and search") has the measured figures.

Both paths return a boolean clause on Conversation, so filters, access restriction and
keyset paging in inbox/queries.py stay exactly as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    any_,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    union,
)
from sqlalchemy.dialects.postgresql import array as pg_array
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from inbox.models import Contact, ContactIdentity, Conversation, Message

MIN_TERM = 2  # one-character terms are dropped: no index can serve them (see module doc)
MIN_TRIGRAM = 3  # shorter terms cannot use a trigram index (pg_trgm or FTS5)
MAX_TERMS = 8
PROBE_LIMIT = 1000  # matching rows above which a PostgreSQL term walks instead of listing ids
# Estimated matching messages above which the probe is skipped: the term walks at once. Well
# above PROBE_LIMIT, so a misestimated rare term (whose walk would find nothing to stop at)
# is still probed. At a million messages the estimates were within 30% for common terms
# (배송, tracking, 안녕하세요) and 53 rows for absent ones (an order number, zzqx).
SURELY_COMMON = 10 * PROBE_LIMIT
MAX_TERM_CHARS = 100

_TERM = re.compile(r'"([^"]*)"|(\S+)')
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
MIN_STEM = 2  # syllables a stripped term keeps at least (see "Korean particles" above)

# Case particles, auxiliary particles and the polite 요 that customers glue to a noun. Longest
# first, so 배송으로 loses 으로 (not just 로, leaving 배송으) and 배송이요 loses 이요. Verb
# endings (해요, 했어요) are not listed: a verb stem is rarely what an agent types.
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        (
            "이", "가", "을", "를", "은", "는", "에", "의", "도", "만", "와", "과", "로", "께",
            "요", "랑", "에서", "으로", "이랑", "한테", "에게", "이요", "께서", "까지", "부터",
            "에게서", "한테서", "처럼", "보다", "이나",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip


def strip_particle(term: str) -> str:
    """`term` without one trailing Korean particle, when it is all Hangul and keeps MIN_STEM
    syllables; otherwise `term` unchanged (see "Korean particles" in the module doc)."""
    if not _HANGUL_WORD.fullmatch(term):
        return term
    for particle in PARTICLES:
        if term.endswith(particle) and len(term) - len(particle) >= MIN_STEM:
            return term[: -len(particle)]
    return term


def parse_terms(q: str) -> list[str]:
    """Whitespace-separated terms, "quoted phrases" kept whole and exact; unquoted Korean terms
    lose one trailing particle (strip_particle); duplicates and terms shorter than MIN_TERM
    dropped. These are also the strings the UI highlights."""
    terms: list[str] = []
    for match in _TERM.finditer(q):
        quoted = match.group(1) is not None
        term = (match.group(1) if quoted else match.group(2)).strip()
        if term.startswith("@"):
            term = term[1:]
        term = term[:MAX_TERM_CHARS]
        if not quoted:
            term = strip_particle(term)
        if len(term) >= MIN_TERM and term.casefold() not in {t.casefold() for t in terms}:
            terms.append(term)
    return terms[:MAX_TERMS]


def conversation_match(session: Session, q: str) -> ColumnElement[bool]:
    """A WHERE clause on Conversation: every term of `q` occurs somewhere in the conversation.

    A query with no term of MIN_TERM characters or more matches nothing (rather than
    everything); a search box should ask for at least two characters.
    """
    terms = parse_terms(q)
    if not terms:
        return false()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # psycopg prepares a statement after 5 executions and PostgreSQL may then switch to a
        # generic plan, which cannot see the pattern: it picks a sequential scan (seconds at a
        # million messages) even for a term no message contains. Plan with the real values
        # for the rest of this transaction (the search probes and the list query).
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        return and_(*(_postgresql_term(session, term) for term in terms))
    build = _sqlite_term if dialect == "sqlite" else _generic_term
    return and_(*(build(term) for term in terms))


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _generic_term(term: str) -> ColumnElement[bool]:
    """Plain ILIKE on every searched column: SQLite's 2-character terms, other dialects."""
    like = _like(term)
    other = aliased(Conversation)
    by_contact = aliased(Conversation)
    in_messages = select(Message.conversation_id).where(Message.text.ilike(like, escape="\\"))
    in_subject = select(other.id).where(other.subject.ilike(like, escape="\\"))
    contacts = union(
        select(Contact.id).where(
            or_(Contact.name.ilike(like, escape="\\"), Contact.email.ilike(like, escape="\\"))
        ),
        select(ContactIdentity.contact_id).where(
            or_(
                ContactIdentity.handle.ilike(like, escape="\\"),
                ContactIdentity.display_name.ilike(like, escape="\\"),
            )
        ),
    )
    in_contact = select(by_contact.id).where(by_contact.contact_id.in_(contacts))
    return Conversation.id.in_(union(in_messages, in_subject, in_contact))


def _pg_indexed(column: QueryableAttribute[Any], term: str) -> ColumnElement[bool]:
    """`column` contains `term`, spelled so a pg_trgm (3+) or sb_bigrams (2) index can serve it."""
    like = column.ilike(_like(term), escape="\\")
    if len(term) == 2:
        return and_(_bigram(column, term), like)
    return like


def _bigram(column: QueryableAttribute[Any], term: str) -> ColumnElement[bool]:
    """`column`'s bigrams (sb_bigrams, migration 0005) include the 2-character `term`."""
    return func.sb_bigrams(column).op("@>")(cast(pg_array([term.lower()]), ARRAY(Text)))


# No text contains this pair (two private-use characters): the estimate for it is the
# planner's floor for a bigram missing from its statistics.
UNSEEN_BIGRAM = "\ue000\ue001"
FLOOR_MARGIN = 1.5  # estimate / floor above which a bigram is taken as in the statistics


def _estimated_rows(session: Session, query: Select[tuple[int]]) -> float:
    """The planner's row estimate for `query` (EXPLAIN, nothing executed)."""
    compiled = query.compile(dialect=session.get_bind().dialect)
    plan = (
        session.connection()
        .exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params)
        .scalar_one()
    )
    return float(plan[0]["Plan"]["Plan Rows"])


def surely_common(session: Session, column: QueryableAttribute[Any], term: str) -> bool:
    """The planner expects `term` in more than SURELY_COMMON rows of `column`, and (for a
    2-character term) knows it from its statistics rather than assuming its floor for an
    unseen bigram (see "How it is served" above)."""
    table = column.class_
    if len(term) != 2:
        query = select(table.id).where(_pg_indexed(column, term))
        return _estimated_rows(session, query) > SURELY_COMMON
    estimate = _estimated_rows(session, select(table.id).where(_bigram(column, term)))
    if estimate <= SURELY_COMMON:
        return False
    key = f"search:bigram-floor:{column}"
    floor = session.info.get(key)
    if floor is None:  # once per session (a request): a second 2-character term reuses it
        unseen = select(table.id).where(_bigram(column, UNSEEN_BIGRAM))
        floor = session.info[key] = _estimated_rows(session, unseen)
    return bool(estimate > FLOOR_MARGIN * floor)


def _probe_union(
    session: Session,
    *queries: Select[tuple[int]],
    common: Sequence[Callable[[], bool]] = (),
) -> list[int] | None:
    """The distinct ids the queries yield, or None as soon as one yields PROBE_LIMIT rows.

    Each query runs on its own with a LIMIT and no DISTINCT, so a common term costs at most
    PROBE_LIMIT index hits per query instead of its whole match set. A query whose
    `common[i]` says so (surely_common: EXPLAIN only) is not run at all, None at once:
    through a GIN index even the LIMITed probe reads the term's whole posting list (a
    bitmap) and fetches PROBE_LIMIT rows, which for 배송 in ten million messages is most of
    the search's time.
    """
    ids: set[int] = set()
    for i, query in enumerate(queries):
        if i < len(common) and common[i]():
            return None
        rows = session.scalars(query.limit(PROBE_LIMIT)).all()
        if len(rows) >= PROBE_LIMIT:
            return None
        ids.update(rows)
    return sorted(ids)


def _ids(column: QueryableAttribute[Any], ids: list[int]) -> ColumnElement[bool]:
    return column == any_(cast(pg_array(ids), ARRAY(Integer))) if ids else false()


def _postgresql_term(session: Session, term: str) -> ColumnElement[bool]:
    """Probe the indexes first, then pick the plan (see "How it is served" above).

    A term with fewer than PROBE_LIMIT matching rows becomes a list of conversation / contact
    ids (the planner then fetches those conversations by primary key and sorts them); a
    commoner term becomes a per-conversation EXISTS that PostgreSQL evaluates while walking
    the newest conversations, stopping at the page size.
    """
    like = _like(term)
    conversation_ids = _probe_union(
        session,
        select(Message.conversation_id).where(_pg_indexed(Message.text, term)),
        select(Conversation.id).where(_pg_indexed(Conversation.subject, term)),
        common=(
            lambda: surely_common(session, Message.text, term),
            lambda: surely_common(session, Conversation.subject, term),
        ),
    )
    contact_ids = _probe_union(
        session,
        select(Contact.id).where(
            or_(_pg_indexed(Contact.name, term), _pg_indexed(Contact.email, term))
        ),
        select(ContactIdentity.contact_id).where(
            or_(
                _pg_indexed(ContactIdentity.handle, term),
                _pg_indexed(ContactIdentity.display_name, term),
            )
        ),
    )
    if conversation_ids is not None:
        in_conversation = _ids(Conversation.id, conversation_ids)
    else:
        # OFFSET 0 keeps the EXISTS correlated (PostgreSQL would otherwise hash the whole
        # match set first, which is what we are avoiding for common terms).
        in_conversation = or_(
            Conversation.subject.ilike(like, escape="\\"),
            select(Message.id)
            .where(
                Message.conversation_id == Conversation.id,
                Message.text.ilike(like, escape="\\"),
            )
            .offset(0)
            .exists(),
        )
    if contact_ids is not None:
        in_contact = _ids(Conversation.contact_id, contact_ids)
    else:
        in_contact = or_(
            select(Contact.id)
            .where(
                Contact.id == Conversation.contact_id,
                or_(Contact.name.ilike(like, escape="\\"), Contact.email.ilike(like, escape="\\")),
            )
            .offset(0)
            .exists(),
            select(ContactIdentity.id)
            .where(
                ContactIdentity.contact_id == Conversation.contact_id,
                or_(
                    ContactIdentity.handle.ilike(like, escape="\\"),
                    ContactIdentity.display_name.ilike(like, escape="\\"),
                ),
            )
            .offset(0)
            .exists(),
        )
    return or_(in_conversation, in_contact)


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts_rowids(fts_table: str, term: str) -> Select[tuple[int]]:
    """Rowids (= base ids) of an FTS5 table whose any column contains `term` as a phrase."""
    phrase = _fts_phrase(term)
    return (
        select(literal_column("rowid", Integer))
        .select_from(table(fts_table))
        .where(literal_column(fts_table).op("MATCH")(phrase))
    )


def _sqlite_term(term: str) -> ColumnElement[bool]:
    """SQLite: FTS5 trigram MATCH for terms of 3+ characters, LIKE on the base rows otherwise."""
    if len(term) < MIN_TRIGRAM:
        return _generic_term(term)
    other = aliased(Conversation)
    in_messages = select(Message.conversation_id).where(
        Message.id.in_(_fts_rowids("message_fts", term))
    )
    in_subject = _fts_rowids("conversation_fts", term)
    contacts = union(
        _fts_rowids("contact_fts", term),
        select(ContactIdentity.contact_id).where(
            ContactIdentity.id.in_(_fts_rowids("contact_identity_fts", term))
        ),
    )
    in_contact = select(other.id).where(other.contact_id.in_(contacts))
    return Conversation.id.in_(union(in_messages, in_subject, in_contact))
