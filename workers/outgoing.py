"""The outgoing-webhook job: post one stored delivery, record the attempt, plan the next.

The request happens outside any transaction; the claim before it and the record after it are
each committed on their own, so a crash in between leaves a `sending` row the sweeper settles.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import requests

from inbox.outgoing_webhooks import (
    Claimed,
    Outcome,
    WebhookError,
    check_host,
    claim,
    due_for_sweep,
    parse_schedule,
    record_attempt,
)
from workers.context import runtime

TIMEOUT_SECONDS = 10
EXCERPT_BYTES = 500


def deliver(delivery_id: int) -> str | None:
    """Post delivery `delivery_id` if it is due; return its new status (None: nothing to do)."""
    rt = runtime()
    with rt.db.session() as session:
        claimed = claim(session, delivery_id, datetime.now(UTC), rt.vault)
    if claimed is None:
        return None
    try:
        check_host(claimed.url, rt.settings.get("WEBHOOK_ALLOW_HOSTS", ""))
    except WebhookError as exc:
        outcome = Outcome(None, f"refused: {exc}", None, 0)
    else:
        outcome = post(claimed)
    schedule = parse_schedule(rt.settings.get("WEBHOOK_RETRY_SCHEDULE", ""))
    with rt.db.session() as session:
        return record_attempt(session, claimed, outcome, datetime.now(UTC), schedule)


def post(claimed: Claimed) -> Outcome:
    """One POST, no redirects followed (a redirect is an answer, not a delivery)."""
    started = time.monotonic()
    try:
        response = requests.post(
            claimed.url,
            data=claimed.body,
            headers=claimed.headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return Outcome(None, _short(repr(exc)), None, _ms(started))
    excerpt = response.content[:EXCERPT_BYTES].decode("utf-8", "replace")
    error = None if response.ok else f"HTTP {response.status_code} {response.reason or ''}".strip()
    return Outcome(response.status_code, error, excerpt, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _short(text: str) -> str:
    return text if len(text) <= 500 else text[:499] + "…"


def sweep_webhooks(now: datetime, stale: datetime) -> int:
    """Re-enqueue deliveries whose job was lost (Redis flushed, worker killed); how many."""
    rt = runtime()
    with rt.db.session() as session:
        ids = due_for_sweep(session, now, stale)
    for delivery_id in ids:
        rt.jobs.enqueue("workers.outgoing.deliver", delivery_id, queue="send")
    return len(ids)
