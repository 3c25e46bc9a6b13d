"""Ingest: stored raw deliveries become messages, many deliveries per transaction.

`drain` claims up to INGEST_BATCH_SIZE `received` deliveries in one transaction (PostgreSQL:
`FOR UPDATE SKIP LOCKED`, so concurrent workers on any number of machines take disjoint
sets; SQLite: `BEGIN IMMEDIATE`, one writer at a time), parses them, records all their events
set-based, marks them processed and commits once. Until that commit nothing of the batch
exists: a worker killed mid-batch leaves its rows `received` and unlocked for the next drain,
and a delivery is processed by exactly one transaction that commits.

Two lanes: besides batches of the oldest, a small "fresh lane" transaction takes the newest
waiting deliveries that may jump the queue (inbox/ordering.py: none of their customer's
deliveries is older and still waiting), so a new message reaches the screen during a backlog
while the backlog still drains oldest first. `drain` runs both; the worker runs the fresh
lane in a thread of its own (`drain_fresh`), so it never waits for a batch of the oldest.

A delivery that fails (a parser crash, a fetch that must be retried) is rolled back alone to
its savepoint and stays `received` with its reason and attempt count; the sweeper retries it
one by one (`process_delivery`) until MAX_ATTEMPTS, then stores it `rejected`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from connectors import behaviour
from connectors.base import Attachment as AttachmentIn
from connectors.base import (
    Connector,
    ConnectorError,
    Enrich,
    FetchAttachment,
    InboundEvent,
    RetryableSendError,
    UnsupportedEvent,
)
from inbox import deliveries
from inbox.attachments import fetch_failed, fetched
from inbox.db import forget_since, pending_mark
from inbox.events import after_commit as request_job
from inbox.ingest import IngestOutcome, find_account, record_event
from inbox.ingest_batch import record_batch
from inbox.models import ChannelAccount, Message
from switchboard.metrics import INGEST_LAG, INGESTED, REJECTED
from workers.context import runtime
from workers.lookups import JOB as LOOKUPS_JOB
from workers.lookups import wanted as lookups_wanted

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FETCH_JOB = "workers.ingest.fetch_attachments"


class DeliveryFailed(Exception):
    """A delivery could not be recorded this time; it stays `received` for a retry."""


@dataclass(slots=True)
class _Parsed:
    delivery: Row[Any]
    connector: Connector
    events: list[InboundEvent]


def drain(limit: int | None = None, *, fresh: int | None = None) -> int:
    """Ingest `received` deliveries batch after batch until none is left; how many were done.

    Fresh deliveries only (attempts = 0): one that failed waits for the sweeper's retry
    instead of failing again in every batch. Each step commits the fresh lane on its own (up
    to `fresh`, INGEST_FRESH_SIZE; 0 for none: the worker gives that lane its own thread),
    then one batch of up to `limit` (INGEST_BATCH_SIZE) of the oldest.
    """
    settings = runtime().settings
    size = limit or settings.int("INGEST_BATCH_SIZE")
    if fresh is None:
        fresh = settings.int("INGEST_FRESH_SIZE")
    total = 0
    while True:
        newest, oldest = _step(size, fresh)
        total += len(newest) + len(oldest)
        if len(oldest) < size:
            return total


def drain_fresh() -> int:
    """The fresh lane alone, until it comes back short; how many were done.

    The worker's fresh drainer: however long the oldest batches take, a new message is
    claimed as soon as it is woken, in a transaction of a few rows.
    """
    fresh = runtime().settings.int("INGEST_FRESH_SIZE")
    total = 0
    while fresh > 0:
        done = len(_ingest_claimed(lambda session: deliveries.claim_fresh(session, fresh)))
        total += done
        if done < fresh:
            break
    return total


def ingest_batch(size: int, fresh: int | None = None) -> list[int]:
    """One step of `drain`: the fresh lane's commit, then a batch of the oldest; all ids.

    The fresh lane is up to `fresh` (INGEST_FRESH_SIZE) of the newest waiting deliveries that
    no older waiting one concerns the same customer as; the batch is up to `size` of the
    oldest, each in its own transaction.
    """
    if fresh is None:
        fresh = runtime().settings.int("INGEST_FRESH_SIZE")
    newest, oldest = _step(size, fresh)
    return sorted([*newest, *oldest])


def _step(size: int, fresh: int) -> tuple[list[int], list[int]]:
    newest: list[int] = []
    if fresh > 0:
        newest = _ingest_claimed(lambda session: deliveries.claim_fresh(session, fresh))
    oldest = _ingest_claimed(lambda session: deliveries.claim_oldest(session, size))
    return newest, oldest


def _ingest_claimed(claim: Callable[[Session], list[Row[Any]]]) -> list[int]:
    """Claim, record and commit one batch; the ids it claimed."""
    with runtime().db.session() as session:
        claimed = claim(session)
        if claimed:
            _ingest(session, claimed)
    return [delivery.id for delivery in claimed]


def process_delivery(delivery_id: int) -> None:
    """Ingest one delivery now (sweeper retries, the chat endpoint); the batch path for one.

    Safe to run twice or concurrently with a drain: the row is claimed the same way. Raises
    DeliveryFailed if it failed and will be retried, so a caller can fall back to the queue.
    """
    with runtime().db.session() as session:
        claimed = deliveries.claim(session, ids=[delivery_id])
        results = _ingest(session, claimed) if claimed else []
    for result in results:
        if result["status"] == "received":
            raise DeliveryFailed(result["reason"])


def _ingest(session: Session, claimed: Sequence[Row[Any]]) -> list[dict[str, Any]]:
    """Parse each delivery, record all their events, store every delivery's outcome."""
    rt = runtime()
    now = datetime.now(UTC)
    results: list[dict[str, Any]] = []
    parsed: list[_Parsed] = []
    for delivery in claimed:
        if delivery.attempts == 0:  # a retry's age is the sweeper's pace, not drain lag
            INGEST_LAG.observe(max((now - delivery.received_at).total_seconds(), 0.0))
        try:
            connector = rt.connector_by_slug(delivery.connector)
            events = list(connector.parse(delivery.headers, delivery.body))
        except UnsupportedEvent as exc:
            results.append(_rejected(delivery, exc.reason, now))
            continue
        except Exception as exc:
            log.exception("delivery %s could not be parsed", delivery.id)
            results.append(_failed(delivery, exc, now))
            continue
        parsed.append(_Parsed(delivery, connector, events))
    results += _record_parsed(session, parsed, now)
    deliveries.settle(session, results)
    return results


def _record_parsed(session: Session, parsed: list[_Parsed], now: datetime) -> list[dict[str, Any]]:
    """All deliveries' events in one savepoint; if that fails, delivery by delivery."""
    if not parsed:
        return []
    mark = pending_mark(session)
    try:
        with session.begin_nested(), session.no_autoflush:
            notes = _record_owned(session, _work_of(parsed), isolate=False)
        return [_processed(p.delivery, notes.get(i, []), now) for i, p in enumerate(parsed)]
    except Exception:
        log.exception("batch of %d deliveries failed; recording them one by one", len(parsed))
        _forget(session, mark)
    results = []
    for item in parsed:
        mark = pending_mark(session)
        try:
            with session.begin_nested():
                notes_of_one = record_events(
                    session, item.connector, item.delivery.connector, item.events
                )
        except Exception as exc:
            log.exception("delivery %s failed", item.delivery.id)
            _forget(session, mark)
            results.append(_failed(item.delivery, exc, now))
        else:
            failures = [note for note in notes_of_one if ": failed: " in note]
            if item.events and len(failures) == len(item.events):
                # Nothing of it could be stored: a poison delivery, kept with its reason.
                results.append(_rejected(item.delivery, "; ".join(failures), now))
            else:
                results.append(_processed(item.delivery, notes_of_one, now))
    return results


def _forget(session: Session, mark: tuple[int, ...]) -> None:
    """After a rolled-back savepoint: drop its queued events/jobs and its cached rows."""
    forget_since(session, mark)
    session.expire_all()
    session.info.pop("conversations", None)


def _processed(delivery: Row[Any], notes: list[str], now: datetime) -> dict[str, Any]:
    reason = "; ".join(notes)[:4000] or None
    return _result(delivery, "processed", reason, delivery.attempts, now)


def _rejected(delivery: Row[Any], reason: str, now: datetime) -> dict[str, Any]:
    REJECTED.labels(delivery.connector).inc()
    return _result(delivery, "rejected", reason[:4000], delivery.attempts, now)


def _failed(delivery: Row[Any], exc: BaseException, now: datetime) -> dict[str, Any]:
    attempt = delivery.attempts + 1
    reason = f"attempt {attempt} failed: {exc!r}"[:2000]
    if attempt >= MAX_ATTEMPTS:
        REJECTED.labels(delivery.connector).inc()
        return _result(delivery, "rejected", reason, attempt, now)
    return _result(delivery, "received", reason, attempt, None)


def _result(
    delivery: Row[Any], status: str, reason: str | None, attempts: int, at: datetime | None
) -> dict[str, Any]:
    return {
        "b_id": delivery.id,
        "status": status,
        "reason": reason,
        "attempts": attempts,
        "processed_at": at,
    }


def record_events(
    session: Session, connector: Connector, slug: str, events: Sequence[InboundEvent]
) -> list[str]:
    """Record one delivery's or poll page's events in one savepoint; if anything in it
    fails, redo it event by event, so a bad event never loses the others."""
    work: _Work = {slug: (connector, [(0, event) for event in events])}
    mark = pending_mark(session)
    try:
        with session.begin_nested(), session.no_autoflush:
            return _record_owned(session, work, isolate=False).get(0, [])
    except RetryableSendError:
        raise
    except Exception:
        log.exception("batch of %d events failed; recording them one by one", len(events))
        _forget(session, mark)
        return _record_owned(session, work, isolate=True).get(0, [])


# Per connector slug: the connector, and every event tagged with the index of its delivery.
_Work = dict[str, tuple[Connector, list[tuple[int, InboundEvent]]]]


def _work_of(parsed: list[_Parsed]) -> _Work:
    work: _Work = {}
    for owner, item in enumerate(parsed):
        entry = work.setdefault(item.delivery.connector, (item.connector, []))
        entry[1].extend((owner, event) for event in item.events)
    return work


def _record_owned(session: Session, work: _Work, *, isolate: bool) -> dict[int, list[str]]:
    """Record the events of many deliveries together; notes come back per delivery index.

    Events are grouped by connector, then by account in arrival order, so one account's
    plain messages from hundreds of deliveries become one set-based run (ingest_batch).
    """
    rt = runtime()
    notes: dict[int, list[str]] = defaultdict(list)
    max_chars = rt.settings.int("MESSAGE_MAX_CHARS")
    for slug, (connector, owned) in work.items():
        for account, group in _by_account(session, slug, owned, notes):
            try:
                group = [(o, _enriched(connector, account, e)) for o, e in group]
            except RetryableSendError:
                raise  # e.g. a mention's text could not be fetched yet: retry the delivery
            events = [event for _, event in group]
            outcomes: Sequence[IngestOutcome | None]
            if isolate:
                outcomes = [
                    _one(session, account, event, max_chars, notes[owner]) for owner, event in group
                ]
            else:
                outcomes = record_batch(
                    session, account, events, store=rt.store, max_chars=max_chars
                )
            for (owner, event), outcome in zip(group, outcomes, strict=True):
                if outcome is not None:
                    _after(session, connector, account, event, outcome, notes[owner])
            _ask_for_lookups(session, connector, account, outcomes)
    return notes


def _ask_for_lookups(
    session: Session,
    connector: Connector,
    account: ChannelAccount,
    outcomes: Sequence[IngestOutcome | None],
) -> None:
    """New messages may bring a new customer or a new post: one lookup job per account after
    commit (coalesced while it waits), which finds what is missing by itself."""
    if not any(o is not None and o.action == "created" for o in outcomes):
        return
    if not lookups_wanted(connector):
        return
    request_job(session, LOOKUPS_JOB, account.id, queue="poll", job_id=f"lookups:{account.id}")


def _by_account(
    session: Session,
    slug: str,
    owned: Sequence[tuple[int, InboundEvent]],
    notes: dict[int, list[str]],
) -> list[tuple[ChannelAccount, list[tuple[int, InboundEvent]]]]:
    """Events grouped by account, in arrival order within each; unknown accounts are noted."""
    accounts: dict[tuple[str | None, str], ChannelAccount | None] = {}
    groups: dict[int, tuple[ChannelAccount, list[tuple[int, InboundEvent]]]] = {}
    for owner, event in owned:
        key = (event.channel, event.account_external_id)
        if key not in accounts:
            accounts[key] = find_account(
                session, channel=event.channel, connector=slug, external_id=key[1]
            )
        account = accounts[key]
        if account is None:
            notes[owner].append(
                f"{event.external_id}: no connected account {event.account_external_id}"
            )
        else:
            groups.setdefault(account.id, (account, []))[1].append((owner, event))
    return list(groups.values())


def _enriched(connector: Connector, account: ChannelAccount, event: InboundEvent) -> InboundEvent:
    enricher = behaviour(connector, Enrich)
    if event.needs_fetch and enricher is not None:
        try:
            enriched = enricher.enrich(runtime().account_config(account), event)
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
    mark = pending_mark(session)
    try:
        with session.begin_nested():
            return record_event(session, account, event, store=rt.store, max_chars=max_chars)
    except Exception as exc:
        log.exception("event %s failed", event.external_id)
        _forget(session, mark)
        notes.append(f"{event.external_id}: failed: {exc!r}"[:500])
        return None


def _after(
    session: Session,
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
        and behaviour(connector, FetchAttachment) is not None
    ):
        # A job request, sent after the commit (a job that ran first would not find the
        # message) and dropped with its savepoint if the batch rolls back.
        request_job(session, FETCH_JOB, outcome.message_id, queue="ingest")


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
        fetcher = behaviour(rt.connector(account), FetchAttachment)
        if fetcher is None:
            return
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
                data = fetcher.fetch_attachment(config, incoming)
                fetched(row, rt.store.put(data), len(data))
            except Exception as exc:  # recorded for the agent, never fatal
                fetch_failed(row, f"could not fetch: {exc}")
