"""The sweeper: finishes what a dead worker or a lost Redis left behind, starts polls, and
rolls up the reports.

The database is the source of truth for pending work (deliveries `received`, messages
`pending`), so re-enqueueing from it is always safe: the jobs are idempotent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select

from connectors import behaviour
from connectors.base import Capability, FindSent
from inbox.conversations import wake_snoozed
from inbox.models import ChannelAccount, InboundDelivery, Message, SyncCursor
from inbox.replies import mark_outcome_unknown, mark_unknown, requeue_interrupted
from inbox.retention import prune_early_receipts, prune_processed_deliveries
from workers.automation import assign_everywhere, silence_tick, sla_tick
from workers.context import runtime
from workers.csat import send_due_surveys
from workers.moderation import sweep_moderation
from workers.outgoing import sweep_webhooks
from workers.phone import sweep_calls
from workers.privacy import sweep_erasures
from workers.publish import sweep_publishing
from workers.reports import roll_up_reports
from workers.tokens import due_refreshes


def sweep() -> dict[str, int]:
    rt = runtime()
    now = datetime.now(UTC)
    stale = now - timedelta(seconds=rt.settings.int("SWEEP_STALE_SECONDS"))
    counts = {"deliveries": 0, "sends": 0, "unknown": 0, "woken": 0, "polls": 0}
    with rt.db.session() as session:
        # Failed ones are retried one by one; fresh ones still waiting mean a lost wake-up.
        deliveries = session.scalars(
            select(InboundDelivery.id)
            .where(
                InboundDelivery.status == "received",
                InboundDelivery.received_at <= stale,
                InboundDelivery.attempts > 0,
            )
            .order_by(InboundDelivery.id)
            .limit(5000)
        ).all()
        unclaimed = session.scalar(
            select(InboundDelivery.id)
            .where(
                InboundDelivery.status == "received",
                InboundDelivery.received_at <= stale,
                InboundDelivery.attempts == 0,
            )
            .limit(1)
        )
        sends = session.scalars(
            select(Message.id)
            .where(
                Message.status == "pending",
                or_(
                    Message.next_attempt_at.is_(None) & (Message.stored_at <= stale),
                    Message.next_attempt_at <= stale,
                ),
            )
            .limit(5000)
        ).all()
        stuck = session.scalars(
            select(Message).where(Message.status == "sending", Message.sending_started_at <= stale)
        ).all()
        for message in stuck:
            connector = rt.connector(message.conversation.account)
            if Capability.IDEMPOTENT_SEND in connector.capabilities:
                requeue_interrupted(session, message)
                sends = [*sends, message.id]
            elif behaviour(connector, FindSent) is not None:
                # The provider may have it: the next attempt looks for it before sending.
                since = message.sending_started_at or now
                mark_outcome_unknown(
                    session, message, "the worker stopped while sending", since, now
                )
                sends = [*sends, message.id]
                counts["unknown"] += 1
            else:
                # Nobody can tell whether it went out; sending again could double-post.
                mark_unknown(session, message, "the worker stopped while sending")
                counts["unknown"] += 1
        counts["woken"] = wake_snoozed(session, now)
        counts["pruned"] = prune_processed_deliveries(
            session, now=now, keep_days=rt.settings.int("INBOUND_RETENTION_DAYS")
        )
        counts["early_receipts_pruned"] = prune_early_receipts(session, now=now)
    counts["csat"] = send_due_surveys(now)  # its own session, like the polls below
    due_polls = _due_polls(now)  # its own session: SQLite allows one writer per thread at a time
    if unclaimed is not None:
        rt.jobs.wake("ingest")
    for delivery_id in deliveries:
        rt.jobs.enqueue(
            "workers.ingest.process_delivery",
            delivery_id,
            queue="ingest",
            job_id=f"ingest:{delivery_id}",
        )
    for message_id in sends:
        rt.jobs.enqueue(
            "workers.send.send_message", message_id, queue="send", job_id=f"send:{message_id}"
        )
    for account_id in due_polls:
        rt.jobs.enqueue(
            "workers.poll.poll_account", account_id, queue="poll", job_id=f"poll:{account_id}"
        )
    counts.update(
        deliveries=len(deliveries) + (unclaimed is not None), sends=len(sends), polls=len(due_polls)
    )
    for account_id in due_refreshes(rt, now):  # OAuth 2.0 tokens, renewed before they end
        rt.jobs.enqueue(
            "workers.tokens.refresh_account",
            account_id,
            queue="maintenance",
            job_id=f"refresh:{account_id}",
        )
    counts.update({f"publish_{k}": v for k, v in sweep_publishing().items()})
    counts["webhooks"] = sweep_webhooks(now, stale)
    counts["moderation"] = sweep_moderation(now, stale)
    counts["calls"] = sweep_calls(now)

    counts.update({f"sla_{k}": v for k, v in sla_tick().items()})
    counts["rules_silent"] = silence_tick()
    counts["assigned"] = assign_everywhere()

    counts["erasures"] = sweep_erasures(stale)
    # Last: it reads what the steps above changed, and views read it (workers/reports.py).
    counts["reports_hours"] = roll_up_reports()
    return counts


def _due_polls(now: datetime) -> list[int]:
    rt = runtime()
    due: list[int] = []
    with rt.db.session() as session:
        accounts = session.scalars(
            select(ChannelAccount).where(
                ChannelAccount.enabled.is_(True), ChannelAccount.health != "reconnect_needed"
            )
        ).all()
        for account in accounts:
            try:
                connector = rt.connector(account)
            except KeyError:
                continue
            if Capability.POLLING not in connector.capabilities:
                continue
            if account.options.get("poll", True) is False:
                continue
            next_times = session.scalars(
                select(SyncCursor.next_poll_at).where(SyncCursor.channel_account_id == account.id)
            ).all()
            if not next_times or any(t is None or t <= now for t in next_times):
                due.append(account.id)
    return due
