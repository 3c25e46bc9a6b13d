"""Ingest jobs: turn a stored raw delivery into messages (webhooks), or a poll page (pulls)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from connectors.base import Attachment as AttachmentIn
from connectors.base import (
    Connector,
    ConnectorError,
    InboundEvent,
    RetryableSendError,
    UnsupportedEvent,
)
from inbox.ingest import IngestOutcome, find_account, record_event
from inbox.ingest_batch import record_batch
from inbox.models import ChannelAccount, InboundDelivery, Message
from switchboard.metrics import INGESTED, REJECTED
from workers.context import runtime

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def process_delivery(delivery_id: int) -> None:
    """Parse and record one webhook delivery; safe to run twice or concurrently."""
    rt = runtime()
    with rt.db.session() as session:
        delivery = session.get(InboundDelivery, delivery_id)
        if delivery is None or delivery.status != "received":
            return
        delivery.attempts += 1
        attempt = delivery.attempts
    try:
        with rt.db.session() as session:
            delivery = session.get(InboundDelivery, delivery_id)
            if delivery is None or delivery.status != "received":
                return
            _process(session, delivery)
    except Exception as exc:
        log.exception("delivery %s failed (attempt %s)", delivery_id, attempt)
        with rt.db.session() as session:
            delivery = session.get(InboundDelivery, delivery_id)
            if delivery is not None and delivery.status == "received":
                delivery.reason = f"attempt {attempt} failed: {exc!r}"[:2000]
                if attempt >= MAX_ATTEMPTS:
                    delivery.status = "rejected"
                    delivery.processed_at = datetime.now(UTC)
                    REJECTED.labels(delivery.connector).inc()
        if attempt < MAX_ATTEMPTS:
            raise


def _process(session: Session, delivery: InboundDelivery) -> None:
    rt = runtime()
    connector = rt.connector_by_slug(delivery.connector)
    try:
        events = connector.parse(delivery.headers, delivery.body)
    except UnsupportedEvent as exc:
        delivery.status = "rejected"
        delivery.reason = exc.reason
        delivery.processed_at = datetime.now(UTC)
        REJECTED.labels(delivery.connector).inc()
        return
    notes = record_events(session, connector, delivery.connector, events)
    delivery.status = "processed"
    delivery.reason = "; ".join(notes)[:4000] or None
    delivery.processed_at = datetime.now(UTC)


def record_events(
    session: Session, connector: Connector, slug: str, events: Sequence[InboundEvent]
) -> list[str]:
    """Record a batch in one savepoint; if anything in it fails, redo it event by event.

    The fast path stores a run of plain messages with a few round trips in all
    (inbox/ingest_batch.py); the slow path isolates a bad event in its own savepoint so it
    never loses the others.
    """
    try:
        with session.begin_nested(), session.no_autoflush:
            return _record_all(session, connector, slug, events, isolate=False)
    except RetryableSendError:
        raise
    except Exception:
        log.exception("batch of %d events failed; recording them one by one", len(events))
        session.expire_all()
        session.info.pop("conversations", None)  # rows of the rolled-back batch
        return _record_all(session, connector, slug, events, isolate=True)


def _record_all(
    session: Session,
    connector: Connector,
    slug: str,
    events: Sequence[InboundEvent],
    *,
    isolate: bool,
) -> list[str]:
    rt = runtime()
    notes: list[str] = []
    max_chars = rt.settings.int("MESSAGE_MAX_CHARS")
    for account, group in _by_account(session, slug, events, notes):
        try:
            group = [_enriched(connector, account, event) for event in group]
        except RetryableSendError:
            raise  # e.g. a mention's text could not be fetched yet: retry the whole delivery
        outcomes: Sequence[IngestOutcome | None]
        if isolate:
            outcomes = [_one(session, account, event, max_chars, notes) for event in group]
        else:
            outcomes = record_batch(session, account, group, store=rt.store, max_chars=max_chars)
        for event, outcome in zip(group, outcomes, strict=True):
            if outcome is not None:
                _after(connector, account, event, outcome, notes)
    return notes


def _by_account(
    session: Session, slug: str, events: Sequence[InboundEvent], notes: list[str]
) -> list[tuple[ChannelAccount, list[InboundEvent]]]:
    """Consecutive events of one account, in delivery order; unknown accounts are noted."""
    accounts: dict[tuple[str | None, str], ChannelAccount | None] = {}
    runs: list[tuple[ChannelAccount, list[InboundEvent]]] = []
    for event in events:
        key = (event.channel, event.account_external_id)
        if key not in accounts:
            accounts[key] = find_account(
                session, channel=event.channel, connector=slug, external_id=key[1]
            )
        account = accounts[key]
        if account is None:
            notes.append(f"{event.external_id}: no connected account {event.account_external_id}")
        elif runs and runs[-1][0] is account:
            runs[-1][1].append(event)
        else:
            runs.append((account, [event]))
    return runs


def _enriched(connector: Connector, account: ChannelAccount, event: InboundEvent) -> InboundEvent:
    if event.needs_fetch and hasattr(connector, "enrich"):
        try:
            enriched: InboundEvent = connector.enrich(runtime().account_config(account), event)
            return enriched
        except RetryableSendError:
            raise
        except ConnectorError:
            return event  # stored as it is: the lookup is impossible, not late
    return event


def _one(
    session: Session,
    account: ChannelAccount,
    event: InboundEvent,
    max_chars: int,
    notes: list[str],
) -> IngestOutcome | None:
    rt = runtime()
    try:
        with session.begin_nested():
            return record_event(session, account, event, store=rt.store, max_chars=max_chars)
    except Exception as exc:
        notes.append(f"{event.external_id}: failed: {exc!r}"[:500])
        return None


def _after(
    connector: Connector,
    account: ChannelAccount,
    event: InboundEvent,
    outcome: IngestOutcome,
    notes: list[str],
) -> None:
    _count(account.channel, outcome)
    if outcome.detail and outcome.action == "ignored":
        notes.append(f"{event.external_id}: {outcome.detail}")
    if (
        outcome.action == "created"
        and outcome.message_id
        and any(a.url and a.data is None for a in event.attachments)
        and hasattr(connector, "fetch_attachment")
    ):
        runtime().jobs.enqueue(
            "workers.ingest.fetch_attachments", outcome.message_id, queue="ingest"
        )


def _count(channel: str, outcome: IngestOutcome) -> None:
    INGESTED.labels(channel, outcome.action).inc()


def fetch_attachments(message_id: int) -> None:
    """Download attachments that came as URLs (Meta's CDN links expire within hours)."""
    rt = runtime()
    with rt.db.session() as session:
        message = session.get(Message, message_id)
        if message is None:
            return
        account = message.conversation.account
        connector = rt.connector(account)
        config = rt.account_config(account)
        for row in message.attachments:
            if row.sha256 is not None or not row.source_url:
                continue
            incoming = AttachmentIn(
                kind=row.kind,
                url=row.source_url,
                filename=row.filename,
                content_type=row.content_type,
            )
            try:
                data: bytes = connector.fetch_attachment(config, incoming)  # type: ignore[attr-defined]
                row.sha256 = rt.store.put(data)
                row.size = len(data)
                row.problem = None
            except Exception as exc:  # recorded for the agent, never fatal
                row.problem = f"could not fetch: {exc}"[:500]
