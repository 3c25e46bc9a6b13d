"""Record a batch's events with a few round trips in all instead of a few per message.

A batch is one delivery or hundreds of them (workers/ingest.py drains many at once). Its
plain customer messages share one conversation lookup, one multi-row INSERT for the
conversations, contacts and identities that do not exist yet, and one multi-row
INSERT … ON CONFLICT DO NOTHING for the messages; everything
else (echoes, receipts, edits, email threading, attachments) goes through `record_event` one
by one. Order is kept: events are taken in runs, and a run of plain messages is stored before
the next event that is not one. The outcome for each event is what `record_event` would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, bindparam, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from connectors.base import ConversationKind, EventKind, InboundEvent
from inbox.attachments import AttachmentStore
from inbox.contacts import resolve_contact_ids
from inbox.db import in_values, with_defaults
from inbox.events import emit
from inbox.ingest import (
    IngestOutcome,
    conversation_for,
    inbound_row,
    record_event,
    touch_for_customer,
)
from inbox.ingest_email import mail_batchable, record_mail_batch
from inbox.models import ChannelAccount, Conversation, Message, utcnow
from inbox.threading import known_conversations, remember

MAX_RUN = 500  # rows per INSERT: well inside SQLite's and PostgreSQL's bind-parameter limits


def record_batch(
    session: Session,
    account: ChannelAccount,
    events: Sequence[InboundEvent],
    *,
    store: AttachmentStore | None = None,
    max_chars: int = 20_000,
) -> list[IngestOutcome]:
    if any(mail_batchable(e) for e in events):  # a poll page of mail: inbox/ingest_email.py
        return record_mail_batch(session, account, events, store=store, max_chars=max_chars)
    outcomes: list[IngestOutcome] = []
    run: list[InboundEvent] = []
    for event in events:
        plain = _plain(event, max_chars)
        if run and (not plain or len(run) == MAX_RUN):
            outcomes += _record_run(session, account, run)
            run = []
        if plain:
            run.append(event)
        else:
            # Echoes, receipts and edits look rows up by their state: earlier events of
            # the batch (an echo before its read receipt) must be visible to that query.
            session.flush()
            outcomes.append(record_event(session, account, event, store=store, max_chars=max_chars))
    outcomes += _record_run(session, account, run)
    return outcomes


def _plain(event: InboundEvent, max_chars: int) -> bool:
    """A customer message that needs no threading rule, attachment or fetch of its own."""
    return (
        event.kind is EventKind.MESSAGE
        and event.conversation_kind is not ConversationKind.EMAIL
        and event.customer is not None
        and not event.attachments
        and not event.html
        and not event.needs_fetch
        and (event.text is None or len(event.text) <= max_chars)
    )


def _record_run(
    session: Session, account: ChannelAccount, run: list[InboundEvent]
) -> list[IngestOutcome]:
    if not run:
        return []
    _prefetch_conversations(session, account, run)
    _create_conversations(session, account, run)
    conversations = [conversation_for(session, account, event) for event in run]
    rows = [
        with_defaults(Message.__table__, inbound_row(account, conversation, event))
        for event, conversation in zip(run, conversations, strict=True)
    ]
    created = _insert_messages(session, rows)
    existing = _existing_ids(session, account, [e.external_id for e in run], created)
    outcomes = []
    claimed: set[str] = set()
    for event, conversation in zip(run, conversations, strict=True):
        message_id = created.get(event.external_id)
        if message_id is None or event.external_id in claimed:
            found = existing.get(event.external_id, message_id)
            outcomes.append(IngestOutcome("duplicate", found, conversation.id))
            continue
        claimed.add(event.external_id)
        touch_for_customer(session, conversation, event)
        emit(
            session,
            "message.created",
            conversation_id=conversation.id,
            message_id=message_id,
            channel_account_id=account.id,
            direction="inbound",
        )
        outcomes.append(IngestOutcome("created", message_id, conversation.id))
    return outcomes


def _prefetch_conversations(
    session: Session, account: ChannelAccount, run: list[InboundEvent]
) -> None:
    """Load the run's known conversations in one query; conversation_for then finds them."""
    keys = {
        (e.conversation_kind.value, e.thread_key, e.customer.external_id)
        for e in run
        if e.customer is not None
    }
    known = known_conversations(session)
    wanted = [k for k in keys if (account.id, *k) not in known]
    if not wanted:
        return
    for row in _conversations_by_key(session, account, wanted):
        remember(session, row)


def _conversations_by_key(
    session: Session, account: ChannelAccount, keys: list[tuple[str, str, str]]
) -> Any:
    """The account's conversations with these (kind, thread key, participant) keys.

    PostgreSQL gets three array parameters joined with unnest: a short statement whatever
    the batch size; SQLite a tuple IN list.
    """
    if session.get_bind().dialect.name == "postgresql":
        kinds, threads, participants = (list(column) for column in zip(*keys, strict=True))
        return session.scalars(
            select(Conversation).from_statement(_BY_KEYS),
            {"account": account.id, "kinds": kinds, "threads": threads, "parts": participants},
        )
    return session.scalars(
        select(Conversation).where(
            Conversation.channel_account_id == account.id,
            tuple_(Conversation.kind, Conversation.thread_key, Conversation.participant_key).in_(
                keys
            ),
        )
    )


_BY_KEYS = text(
    # One unique-index probe per key: LIMIT 1 keeps the planner from turning this into a
    # scan of the account's conversations when its statistics are stale (a young table).
    "SELECT c.* FROM unnest(CAST(:kinds AS TEXT[]), CAST(:threads AS TEXT[]), "
    "CAST(:parts AS TEXT[])) AS k(kind, thread_key, participant_key) CROSS JOIN LATERAL "
    "(SELECT * FROM conversation WHERE conversation.channel_account_id = :account "
    "AND conversation.kind = k.kind AND conversation.thread_key = k.thread_key "
    "AND conversation.participant_key = k.participant_key LIMIT 1) AS c"
)


def _create_conversations(
    session: Session, account: ChannelAccount, run: list[InboundEvent]
) -> None:
    """Create the run's missing conversations (and their contacts) set-based.

    Each new conversation takes the fields of its first event, as `conversation_for` would;
    a racing worker's conversation wins the unique key and is used instead.
    """
    known = known_conversations(session)
    first: dict[tuple[str, str, str], InboundEvent] = {}
    for event in run:
        assert event.customer is not None  # _plain guarantees it
        key = (event.conversation_kind.value, event.thread_key, event.customer.external_id)
        if (account.id, *key) not in known and key not in first:
            first[key] = event
    if not first:
        return
    contact_ids = resolve_contact_ids(
        session, account.channel, [e.customer for e in first.values() if e.customer]
    )
    now = utcnow()
    rows = [
        with_defaults(
            Conversation.__table__,
            {
                "channel_account_id": account.id,
                "contact_id": contact_ids[participant],
                "kind": kind,
                "thread_key": thread_key,
                "participant_key": participant,
                "subject": event.subject,
                "context": dict(event.context),
                "last_activity_at": event.sent_at,
                "status": "open",
                "priority": "none",
                "created_at": now,
            },
        )
        # Sorted: concurrent batches lock the same keys in the same order (no deadlock).
        for (kind, thread_key, participant), event in sorted(first.items())
    ]
    table = Conversation.__table__
    insert_fn: Any = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert_fn(table)
        .on_conflict_do_nothing(
            index_elements=["channel_account_id", "kind", "thread_key", "participant_key"]
        )
        .returning(table.c.id)
    )
    created = set(session.scalars(statement, rows))  # executemany: compiled once, cached
    for conversation in _conversations_by_key(session, account, list(first)):
        remember(session, conversation)
        if conversation.id in created:
            emit(
                session,
                "conversation.created",
                conversation_id=conversation.id,
                channel_account_id=account.id,
            )


def _insert_messages(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """One multi-row INSERT … ON CONFLICT DO NOTHING; external id → id of the rows it added."""
    columns = tuple(rows[0])
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        # One array per column: a short statement (psycopg caches its parsing, PostgreSQL
        # plans it quickly) instead of thousands of placeholders.
        params = {}
        for c in columns:
            process = Message.__table__.c[c].type.bind_processor(dialect)
            values = [row[c] for row in rows]
            params[c] = [process(v) for v in values] if process else values
        result = session.connection().exec_driver_sql(_unnest_insert(columns, dialect), params)
        return {str(ext): int(row_id) for row_id, ext in result}
    statement = _multi_insert(len(rows), columns)
    params = {f"{c}_{i}": row[c] for i, row in enumerate(rows) for c in columns}
    return {str(ext): int(row_id) for row_id, ext in session.execute(statement, params)}


@lru_cache(maxsize=16)
def _unnest_insert(columns: tuple[str, ...], dialect: Any) -> str:
    table = Message.__table__
    arrays, selected = [], []
    for c in columns:
        kind = table.c[c].type
        if isinstance(kind, JSON):
            arrays.append(f"CAST(%({c})s AS TEXT[])")
            selected.append(f"CAST({c} AS JSON)")
        else:
            arrays.append(f"CAST(%({c})s AS {kind.compile(dialect=dialect)}[])")
            selected.append(c)
    names = ", ".join(columns)
    return (
        f"INSERT INTO message ({names}) SELECT {', '.join(selected)} "  # noqa: S608
        f"FROM unnest({', '.join(arrays)}) AS u({names}) "
        "ON CONFLICT (channel_account_id, external_id) DO NOTHING RETURNING id, external_id"
    )


@lru_cache(maxsize=64)
def _multi_insert(count: int, columns: tuple[str, ...]) -> Any:
    """The statement for `count` rows, built once: SQLAlchemy cannot cache ON CONFLICT inserts."""
    table = Message.__table__
    values = ", ".join("(" + ", ".join(f":{c}_{i}" for c in columns) + ")" for i in range(count))
    sql = (
        f"INSERT INTO message ({', '.join(columns)}) VALUES {values} "  # noqa: S608
        "ON CONFLICT (channel_account_id, external_id) DO NOTHING RETURNING id, external_id"
    )
    binds = [bindparam(f"{c}_{i}", type_=table.c[c].type) for i in range(count) for c in columns]
    return text(sql).bindparams(*binds)


def _existing_ids(
    session: Session, account: ChannelAccount, external_ids: list[str], created: dict[str, int]
) -> dict[str, int]:
    missing = [x for x in set(external_ids) if x not in created]
    if not missing:
        return {}
    rows = session.execute(
        select(Message.external_id, Message.id).where(
            Message.channel_account_id == account.id,
            in_values(session, Message.external_id, missing),
        )
    )
    return {str(external_id): int(row_id) for external_id, row_id in rows}
