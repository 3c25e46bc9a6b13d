"""Delivery statuses of our outbound messages, whichever arrives first: the status or the id.

A platform answers a send with the provider's message id, and reports `delivered`, `read` or
`failed` for that id on its webhook. The webhook can win the race: the status is ingested
while the send job has not yet committed the id (`mark_sent`), or before the echo of a send
made elsewhere is stored. Such a status is kept in `early_receipt`, one row per
(account, provider id), and applied when the id is recorded, so it is never dropped (rows
whose id never shows up are pruned by the sweep: inbox/retention.py).

Both sides take the channel account's row lock before they look at the other side's table:
whichever commits second sees the first (PostgreSQL reads committed rows per statement;
SQLite has one writer at a time). Statuses only move forward (pending → sending → sent →
delivered → read); `failed` reported by the platform for the id stands over all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.db import insert_returning_id
from inbox.events import emit
from inbox.models import ChannelAccount, EarlyReceipt, Message, utcnow

PROGRESS = ("pending", "sending", "sent", "delivered", "read")
FAILED = "failed"


def ahead(status: str | None, than: str | None) -> bool:
    """Whether `status` is further along the delivery progress than `than`."""
    rank = {name: i for i, name in enumerate(PROGRESS)}
    return rank.get(status or "", -1) > rank.get(than or "", -1)


def lock_account(session: Session, account_id: int) -> None:
    """Serialize "is the id recorded?" against "is a status waiting?" for one account.

    FOR NO KEY UPDATE, not FOR UPDATE: every message written on the account holds a KEY
    SHARE lock on this row (its foreign key) until it commits, and FOR UPDATE waits for
    those. The send job takes this lock after updating the conversation, so a note being
    written on the same conversation (KEY SHARE here, then the conversation's row) made a
    deadlock that failed one of the two (seen in CI; test_row_locks.py). Both sides of the
    receipt race take this same lock, so they still exclude each other.
    """
    session.execute(
        select(ChannelAccount.id)
        .where(ChannelAccount.id == account_id)
        .with_for_update(key_share=True)
    )


def unrecorded(session: Session, account_id: int, external_ids: Iterable[str]) -> list[str]:
    """The ids among `external_ids` that no message of the account carries yet."""
    wanted = list(dict.fromkeys(external_ids))
    if not wanted:
        return []
    found = set(
        session.scalars(
            select(Message.external_id).where(
                Message.channel_account_id == account_id, Message.external_id.in_(wanted)
            )
        )
    )
    return [i for i in wanted if i not in found]


def hold_early(
    session: Session,
    account_id: int,
    external_ids: Iterable[str],
    status: str,
    reason: str | None = None,
) -> list[str]:
    """Keep `status` for the ids not recorded yet; the ids held (the rest are recorded now).

    Takes the account lock first, then looks again: a send committed meanwhile is visible
    and the caller applies the status to it as usual.
    """
    lock_account(session, account_id)
    held = unrecorded(session, account_id, external_ids)
    for external_id in held:
        row = {
            "channel_account_id": account_id,
            "external_id": external_id,
            "status": status,
            "failure_reason": reason,
            "received_at": utcnow(),
        }
        if insert_returning_id(
            session, EarlyReceipt.__table__, row, ["channel_account_id", "external_id"]
        ):
            continue
        existing = session.scalars(
            select(EarlyReceipt).where(
                EarlyReceipt.channel_account_id == account_id,
                EarlyReceipt.external_id == external_id,
            )
        ).one()
        if existing.status != FAILED and (status == FAILED or ahead(status, existing.status)):
            existing.status = status
            existing.failure_reason = reason
    return held


def apply_early(session: Session, message: Message) -> bool:
    """Apply (and forget) a status that arrived before `message`'s provider id was recorded.

    Call after the id is set on the message, in the same transaction. True if one was applied.
    """
    if message.external_id is None:
        return False
    session.flush()
    lock_account(session, message.channel_account_id)
    early = session.scalars(
        select(EarlyReceipt).where(
            EarlyReceipt.channel_account_id == message.channel_account_id,
            EarlyReceipt.external_id == message.external_id,
        )
    ).first()
    if early is None:
        return False
    if early.status == FAILED:
        message.status = FAILED
        message.failure_reason = early.failure_reason or "failed"
        message.next_attempt_at = None
    elif message.status != FAILED and ahead(early.status, message.status):
        message.status = early.status
    session.delete(early)
    emit(
        session,
        "message.updated",
        conversation_id=message.conversation_id,
        message_id=message.id,
        status=message.status,
    )
    return True
