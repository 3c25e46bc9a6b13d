"""Record a whole delivery's events with a few round trips instead of a few per message.

Webhook batches are mostly plain customer messages in conversations we already have. Those
share one conversation lookup and one multi-row INSERT … ON CONFLICT DO NOTHING; everything
else (echoes, receipts, edits, email threading, attachments) goes through `record_event` one
by one. Order is kept: events are taken in runs, and a run of plain messages is stored before
the next event that is not one. The outcome for each event is what `record_event` would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select, text, tuple_
from sqlalchemy.orm import Session

from connectors.base import ConversationKind, EventKind, InboundEvent
from inbox.attachments import AttachmentStore
from inbox.db import with_defaults
from inbox.events import emit
from inbox.ingest import (
    IngestOutcome,
    conversation_for,
    inbound_row,
    record_event,
    touch_for_customer,
)
from inbox.ingest_email import mail_batchable, record_mail_batch
from inbox.models import ChannelAccount, Conversation, Message
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
    rows = session.scalars(
        select(Conversation).where(
            Conversation.channel_account_id == account.id,
            tuple_(Conversation.kind, Conversation.thread_key, Conversation.participant_key).in_(
                wanted
            ),
        )
    )
    for row in rows:
        remember(session, row)


def _insert_messages(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """One multi-row INSERT … ON CONFLICT DO NOTHING; external id → id of the rows it added."""
    columns = tuple(rows[0])
    statement = _multi_insert(len(rows), columns)
    params = {f"{c}_{i}": row[c] for i, row in enumerate(rows) for c in columns}
    return {str(ext): int(row_id) for row_id, ext in session.execute(statement, params)}


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
            Message.channel_account_id == account.id, Message.external_id.in_(missing)
        )
    )
    return {str(external_id): int(row_id) for external_id, row_id in rows}
