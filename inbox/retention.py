"""How long raw inbound deliveries are kept.

A delivery holds a webhook body exactly as received: customer names, texts and sometimes
base64 images. Once processed, the messages it made are the record, so the raw body is only
worth keeping for a while (debugging, re-parsing after a connector fix). Deliveries not yet
processed, and rejected ones (an admin reviews those), are never pruned here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from inbox.models import InboundDelivery

BATCH = 5000


def prune_processed_deliveries(session: Session, *, now: datetime, keep_days: int) -> int:
    """Delete up to BATCH processed deliveries received more than `keep_days` ago (0: keep
    all); the count deleted. Batches keep each sweep's transaction short: the next sweep
    takes the next batch."""
    if keep_days <= 0:
        return 0
    cutoff = now - timedelta(days=keep_days)
    ids = session.scalars(
        select(InboundDelivery.id)
        .where(InboundDelivery.status == "processed", InboundDelivery.received_at <= cutoff)
        .order_by(InboundDelivery.id)
        .limit(BATCH)
    ).all()
    if ids:
        session.execute(delete(InboundDelivery).where(InboundDelivery.id.in_(ids)))
    return len(ids)
