"""Bulk actions on the list: one change applied to many conversations in one transaction.

Each conversation goes through `apply_change`, so every row gets its own thread event, audit
line and domain event (notifications and webhooks follow); rows the agent cannot see are
skipped and reported, never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.access import restrict
from inbox.audit import record
from inbox.conversations import Change, apply_change
from inbox.models import Conversation, User

MAX_BULK = 500


@dataclass(frozen=True, slots=True)
class BulkChange:
    """`change` for every row, plus labels added to / removed from each row's own set."""

    change: Change
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BulkResult:
    changed: list[int]
    unchanged: list[int]
    skipped: list[int]  # not found or not visible to the agent


def apply_bulk(
    session: Session, user: User, conversation_ids: list[int], bulk: BulkChange
) -> BulkResult:
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise ValueError(Words("select at least one conversation", "대화를 하나 이상 고르세요"))
    if len(ids) > MAX_BULK:
        raise ValueError(
            Words(
                f"at most {MAX_BULK} conversations at once",
                f"한 번에 대화 {MAX_BULK}개까지 바꿀 수 있습니다",
            )
        )
    query = restrict(select(Conversation).where(Conversation.id.in_(ids)), session, user)
    found = {c.id: c for c in session.scalars(query.order_by(Conversation.id))}
    changed: list[int] = []
    unchanged: list[int] = []
    for conversation_id in ids:
        conversation = found.get(conversation_id)
        if conversation is None:
            continue
        change = bulk.change
        if bulk.add_labels or bulk.remove_labels:
            names = {label.name for label in conversation.labels}
            names = (names | {n.strip() for n in bulk.add_labels if n.strip()}) - set(
                bulk.remove_labels
            )
            change = replace(change, labels=tuple(sorted(names)))
        notes = apply_change(session, conversation, change, actor=user)
        (changed if notes else unchanged).append(conversation_id)
    skipped = [i for i in ids if i not in found]
    if changed:
        record(session, user.id, "conversation.bulk_update", "conversation", None, {"ids": changed})
    return BulkResult(changed, unchanged, skipped)
