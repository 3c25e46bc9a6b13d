"""How long raw inbound deliveries (and statuses waiting for their send) are kept.

A delivery holds a webhook body exactly as received: customer names, texts and sometimes
base64 images. Once processed, the messages it made are the record, so the raw body is only
worth keeping for a while (debugging, re-parsing after a connector fix). Deliveries not yet
processed, and rejected ones (an admin reviews those), are never pruned here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from inbox.models import EarlyReceipt, InboundDelivery

BATCH = 5000


def prune_processed_deliveries(session: Session, *, now: datetime, keep_days: int) -> int:
    """Delete up to BATCH processed deliveries received more than `keep_days` ago (0: keep
    all); the count deleted. Batches keep each sweep's transaction short: the next sweep
    takes the next batch."""
    if keep_days <= 0:
        return 0
    cutoff = now - timedelta(days=keep_days)
    return _delete_batch(
        session,
        InboundDelivery,
        InboundDelivery.status == "processed",
        InboundDelivery.received_at <= cutoff,
    )


def prune_early_receipts(session: Session, *, now: datetime, keep_days: int = 7) -> int:
    """Forget up to BATCH early statuses (inbox/receipts.py) older than `keep_days` whose
    provider id never showed up: an id not recorded within a week never will be."""
    cutoff = now - timedelta(days=keep_days)
    return _delete_batch(session, EarlyReceipt, EarlyReceipt.received_at <= cutoff)


def _delete_batch(session: Session, model: Any, *conditions: Any) -> int:
    """Delete the first BATCH rows of `model` matching `conditions`; the count deleted."""
    ids = session.scalars(select(model.id).where(*conditions).order_by(model.id).limit(BATCH)).all()
    if ids:
        session.execute(delete(model).where(model.id.in_(ids)))
    return len(ids)
