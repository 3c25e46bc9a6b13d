"""The inbox's per-view counts (all, mine, unassigned, each team) without counting rows.

`conversation_count` (migration 0022) holds signed deltas per (inbox, status, team,
assignee), inserted by triggers whenever a conversation is created, deleted or changes one
of those four columns; summing the deltas of the matching keys gives exactly what COUNT(*)
over `conversation` would, in a few hundred rows instead of a million.
`conversation_label_count` (migration 0025) holds the same deltas per label, kept by triggers
on both `conversation` and `conversation_label`, for the views under a label filter.

The deltas are folded into one row per key (`compact`) when a read has summed more than
COMPACT_AFTER of them; folding deletes the rows it read and inserts their sums in one
transaction, so a delta written meanwhile by another transaction is kept, not lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from inbox.models import ConversationCount, ConversationLabelCount

COMPACT_AFTER = 2000  # deltas summed by one read above which the table is folded
KEY = (
    ConversationCount.channel_account_id,
    ConversationCount.status,
    ConversationCount.team_id,
    ConversationCount.assignee_id,
)
LABEL_KEY = (
    ConversationLabelCount.channel_account_id,
    ConversationLabelCount.status,
    ConversationLabelCount.team_id,
    ConversationLabelCount.assignee_id,
)
# For bench/seed_large.py, which loads with triggers off: the counts from the rows themselves.
REBUILD_SQL = (
    "DELETE FROM conversation_count; "
    "INSERT INTO conversation_count (channel_account_id, status, team_id, assignee_id, n) "
    "SELECT channel_account_id, status, team_id, assignee_id, count(*) FROM conversation "
    "GROUP BY channel_account_id, status, team_id, assignee_id; "
    "DELETE FROM conversation_label_count; "
    "INSERT INTO conversation_label_count "
    "(label_id, channel_account_id, status, team_id, assignee_id, n) "
    "SELECT cl.label_id, c.channel_account_id, c.status, c.team_id, c.assignee_id, count(*) "
    "FROM conversation_label cl JOIN conversation c ON c.id = cl.conversation_id "
    "GROUP BY cl.label_id, c.channel_account_id, c.status, c.team_id, c.assignee_id"
)


@dataclass(frozen=True, slots=True)
class ViewCounts:
    total: int
    mine: int
    unassigned: int
    per_team: dict[int, int]
    deltas: int  # rows summed: how far the table is from one row per key


def view_counts(
    session: Session,
    user_id: int,
    *,
    account_ids: Collection[int] | None,
    status: str | None,
    label_id: int | None = None,
) -> ViewCounts:
    """Counts of the conversations in `account_ids` (None: every inbox) with `status`
    (None: any) and, if given, label `label_id`, overall, assigned to `user_id`, unassigned,
    and per team. Folds both tables (in this transaction) when it summed more than
    COMPACT_AFTER deltas."""
    model: type[ConversationCount] | type[ConversationLabelCount] = (
        ConversationCount if label_id is None else ConversationLabelCount
    )
    query = select(model.team_id, model.assignee_id, func.sum(model.n), func.count()).group_by(
        model.team_id, model.assignee_id
    )
    if label_id is not None:
        query = query.where(ConversationLabelCount.label_id == label_id)
    if account_ids is not None:
        query = query.where(model.channel_account_id.in_(account_ids or {-1}))
    if status is not None:
        query = query.where(model.status == status)
    total = mine = unassigned = deltas = 0
    per_team: Counter[int] = Counter()
    for team_id, assignee_id, n, rows in session.execute(query).tuples():
        n = int(n or 0)
        deltas += rows
        total += n
        if assignee_id is None:
            unassigned += n
        elif assignee_id == user_id:
            mine += n
        if team_id is not None:
            per_team[team_id] += n
    if deltas > COMPACT_AFTER:
        # Both tables: label views are opened far less often than the inbox, and their
        # deltas (two per key change of a labelled conversation) would otherwise pile up
        # until one request folds them all.
        compact(session)
        compact_labels(session)
    return ViewCounts(total, mine, unassigned, dict(per_team), deltas)


def compact(session: Session) -> int:
    """Fold the deltas into one row per key (dropping keys that sum to 0); rows removed."""
    return _fold(session, ConversationCount, KEY)


def compact_labels(session: Session) -> int:
    """compact() for the per-label deltas: one row per (label, key)."""
    return _fold(session, ConversationLabelCount, (ConversationLabelCount.label_id, *LABEL_KEY))


def _fold(
    session: Session,
    model: type[ConversationCount] | type[ConversationLabelCount],
    key: tuple[Any, ...],
) -> int:
    gone = session.execute(delete(model).returning(*key, model.n)).all()
    sums: Counter[tuple[Any, ...]] = Counter()
    for *values, n in gone:
        sums[tuple(values)] += n
    names = [column.key for column in key]
    kept = [{**dict(zip(names, k, strict=True)), "n": n} for k, n in sums.items() if n]
    if kept:
        session.execute(insert(model), kept)
    return len(gone) - len(kept)
