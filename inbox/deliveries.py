"""Raw deliveries: stored before they are acknowledged, claimed in batches, settled with
their outcome. The one module that writes `inbound_delivery` rows.

Webhooks and the chat endpoint store them (web/webhooks.py, web/chat/delivery.py), poll jobs
keep what a connector could not parse, and the ingest drainers claim and settle them
(workers/ingest.py): the callers decide when and what; the rows change only here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from inbox.db import in_values
from inbox.models import InboundDelivery

_DELIVERY = cast(Table, InboundDelivery.__table__)


def store(
    session: Session, *, endpoint: str, connector: str, headers: Mapping[str, str], body: bytes
) -> InboundDelivery:
    """A body as received, `received` for the drainers; flushed, so its id is known."""
    delivery = InboundDelivery(
        endpoint=endpoint, connector=connector, headers=dict(headers), body=body
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
    query = select(
        _DELIVERY.c.id,
        _DELIVERY.c.connector,
        _DELIVERY.c.headers,
        _DELIVERY.c.body,
        _DELIVERY.c.attempts,
    ).where(_DELIVERY.c.status == "received")
    if ids is not None:
        query = query.where(_DELIVERY.c.id.in_(list(ids)))
    else:
        query = query.where(_DELIVERY.c.attempts == 0).order_by(_DELIVERY.c.id).limit(limit)
    return list(session.execute(query.with_for_update(skip_locked=True)))


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
