"""Raw deliveries: stored before they are acknowledged, claimed in batches, settled with
their outcome. The one module that writes `inbound_delivery` rows.

Webhooks and the chat endpoint store them (web/webhooks.py, web/chat/delivery.py), poll jobs
keep what a connector could not parse, and the ingest drainers claim and settle them
(workers/ingest.py): the callers decide when and what; the rows change only here.

On PostgreSQL the webhook's store is one INSERT in autocommit mode (`store_delivery`): durable
when it returns, in one round trip instead of three (BEGIN, INSERT, COMMIT); every round trip
is a moment the web thread waits to be scheduled again, which is where the acknowledgement's
tail latency comes from on a busy machine. SQLite keeps the ordinary session: its writers
queue on BEGIN IMMEDIATE (inbox/db.py).

Claims come in two lanes (docs/scaling.md, "Bursts and backlogs"): `claim_oldest` takes the
oldest waiting rows in bulk; `claim_fresh` takes the newest rows that may jump the queue
because no older waiting row concerns the same customer (inbox/ordering.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, literal_column, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause

from inbox.database import Database
from inbox.db import in_values
from inbox.models import InboundDelivery

_DELIVERY = cast(Table, InboundDelivery.__table__)
_COLUMNS = (
    _DELIVERY.c.id,
    _DELIVERY.c.connector,
    _DELIVERY.c.headers,
    _DELIVERY.c.body,
    _DELIVERY.c.attempts,
    _DELIVERY.c.received_at,
)
FRESH_WINDOW = 4  # the fresh lane looks at the newest FRESH_WINDOW × fresh waiting rows
# Spelled as SQL, not a bound parameter: PostgreSQL can use the partial indexes of waiting
# rows (WHERE status = 'received') only when the query says so literally; a parameter stops
# matching them once psycopg prepares the statement and the server picks a generic plan.
_WAITING: ColumnClause[str] = literal_column("'received'")


def store_delivery(
    db: Database,
    *,
    endpoint: str,
    connector: str,
    headers: Mapping[str, str],
    body: bytes,
    route: str | None,
) -> None:
    """The webhook acknowledgement path's one write: durable when it returns."""
    values = {
        "endpoint": endpoint,
        "connector": connector,
        "headers": dict(headers),
        "body": body,
        "route": route,
    }
    if db.dialect != "postgresql":
        with db.session() as session:
            session.add(InboundDelivery(**values))
        return
    try:
        with db.ack_engine.connect() as connection:
            connection.execute(insert(_DELIVERY), values)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # The server dropped that connection (a restart): SQLAlchemy has invalidated the
        # pool's older connections, and a new one is made. If the lost INSERT had committed
        # before the answer was lost, the delivery is stored twice and ingested once (provider
        # ids are unique), as with a platform's own redelivery.
        with db.ack_engine.connect() as connection:
            connection.execute(insert(_DELIVERY), values)


def store(
    session: Session,
    *,
    endpoint: str,
    connector: str,
    headers: Mapping[str, str],
    body: bytes,
    route: str | None = None,
) -> InboundDelivery:
    """A body as received, `received` for the drainers; flushed, so its id is known."""
    delivery = InboundDelivery(
        endpoint=endpoint, connector=connector, headers=dict(headers), body=body, route=route
    )
    session.add(delivery)
    session.flush()
    return delivery


def store_rejected(
    session: Session,
    *,
    endpoint: str,
    connector: str,
    headers: Mapping[str, str],
    body: bytes,
    reason: str,
    at: datetime,
) -> None:
    """A body its connector could not parse (e.g. one item of a poll page): kept with the
    reason, so nothing received is silently dropped."""
    session.add(
        InboundDelivery(
            endpoint=endpoint,
            connector=connector,
            headers=dict(headers),
            body=body,
            status="rejected",
            reason=reason,
            processed_at=at,
        )
    )


def claim(
    session: Session, *, limit: int | None = None, ids: Sequence[int] | None = None
) -> list[Row[Any]]:
    """Lock and return waiting deliveries; rows another transaction holds are skipped.

    Without `ids`: the oldest fresh ones (attempts = 0), so one that failed waits for the
    sweeper's retry instead of failing again in every batch.
    """
    if ids is None:
        return claim_oldest(session, limit)
    query = select(*_COLUMNS).where(_DELIVERY.c.status == "received", _DELIVERY.c.id.in_(list(ids)))
    return list(session.execute(query.with_for_update(skip_locked=True)))


def claim_oldest(session: Session, size: int | None) -> list[Row[Any]]:
    """The bulk lane: the oldest waiting deliveries that have not failed yet."""
    query = (
        select(*_COLUMNS)
        .where(_DELIVERY.c.status == _WAITING, _DELIVERY.c.attempts == 0)
        .order_by(_DELIVERY.c.id)
        .limit(size)
    )
    return list(session.execute(query.with_for_update(skip_locked=True)))


def claim_fresh(session: Session, fresh: int) -> list[Row[Any]]:
    """Newest waiting deliveries that may jump the queue (inbox/ordering.py).

    Eligible: a known route, and no older waiting delivery of the same connector with the same
    route or an unknown one (rows other batches hold count as waiting: they are not committed).
    Only the newest rows are looked at, so a long backlog of blocked rows costs nothing.
    """
    older = _DELIVERY.alias("older")
    window = (
        select(_DELIVERY.c.id)
        .where(
            _DELIVERY.c.status == _WAITING,
            _DELIVERY.c.attempts == 0,
            _DELIVERY.c.route.is_not(None),
        )
        .order_by(_DELIVERY.c.id.desc())
        .limit(fresh * FRESH_WINDOW)
        .scalar_subquery()
    )

    def older_waiting(route: Any) -> Any:
        return (
            select(older.c.id)
            .where(
                older.c.status == _WAITING,
                older.c.attempts == 0,
                older.c.connector == _DELIVERY.c.connector,
                route,
                older.c.id < _DELIVERY.c.id,
            )
            .exists()
        )

    # Two probes, not one with `route = … OR route IS NULL`: with the OR, PostgreSQL can put
    # only the connector and the id into the index condition and filters the route row by
    # row — every older waiting row of the connector, for each candidate (390 ms behind a
    # 5,000-row backlog, measured); separately each is one probe of
    # ix_inbound_delivery_waiting_route on (connector, route, id).
    blocked = or_(
        older_waiting(older.c.route == _DELIVERY.c.route),
        older_waiting(older.c.route.is_(None)),
    )
    query = (
        select(*_COLUMNS)
        .where(
            _DELIVERY.c.id.in_(window),
            _DELIVERY.c.status == _WAITING,
            _DELIVERY.c.attempts == 0,
            or_(_DELIVERY.c.route == "", ~blocked),
        )
        .order_by(_DELIVERY.c.id.desc())
        .limit(fresh)
    )
    return list(session.execute(query.with_for_update(of=_DELIVERY, skip_locked=True)))


def settle(session: Session, outcomes: Sequence[Mapping[str, Any]]) -> None:
    """Store each claimed delivery's outcome: a mapping with `b_id`, `status`, `reason`,
    `attempts` and `processed_at`. Plain successes in one UPDATE; the rest (notes,
    rejections, retries) in one executemany."""
    plain = [o for o in outcomes if o["status"] == "processed" and o["reason"] is None]
    others = [dict(o) for o in outcomes if not (o["status"] == "processed" and o["reason"] is None)]
    if plain:
        session.execute(
            update(_DELIVERY)
            .where(in_values(session, _DELIVERY.c.id, [o["b_id"] for o in plain]))
            .values(status="processed", processed_at=plain[0]["processed_at"], reason=None)
        )
    if others:
        session.execute(
            update(_DELIVERY)
            .where(_DELIVERY.c.id == bindparam("b_id"))
            .values(
                status=bindparam("status"),
                reason=bindparam("reason"),
                attempts=bindparam("attempts"),
                processed_at=bindparam("processed_at"),
            ),
            others,
        )
