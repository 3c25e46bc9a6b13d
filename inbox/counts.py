"""The inbox's per-view counts (all, mine, unassigned, each team) without counting rows.

`conversation_count` (migration 0022) holds signed deltas per (inbox, status, team,
assignee), inserted by triggers whenever a conversation is created, deleted or changes one
of those four columns; summing the deltas of the matching keys gives exactly what COUNT(*)
over `conversation` would, in a few hundred rows instead of a million. Filters outside the
key (a label) fall back to COUNT in web/ui/inbox.py.

The deltas are folded into one row per key (`compact`) when a read has summed more than
COMPACT_AFTER of them; folding deletes the rows it read and inserts their sums in one
transaction, so a delta written meanwhile by another transaction is kept, not lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from inbox.models import ConversationCount

COMPACT_AFTER = 2000  # deltas summed by one read above which the table is folded
KEY = (
    ConversationCount.channel_account_id,
    ConversationCount.status,
    ConversationCount.team_id,
    ConversationCount.assignee_id,
)
# For bench/seed_large.py, which loads with triggers off: the counts from the rows themselves.
REBUILD_SQL = (
    "DELETE FROM conversation_count; "
    "INSERT INTO conversation_count (channel_account_id, status, team_id, assignee_id, n) "
    "SELECT channel_account_id, status, team_id, assignee_id, count(*) FROM conversation "
    "GROUP BY channel_account_id, status, team_id, assignee_id"
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
) -> ViewCounts:
    """Counts of the conversations in `account_ids` (None: every inbox) with `status`
    (None: any), overall, assigned to `user_id`, unassigned, and per team. Folds the table
    (in this transaction) when it summed more than COMPACT_AFTER deltas."""
    query = select(
        ConversationCount.team_id,
        ConversationCount.assignee_id,
        func.sum(ConversationCount.n),
        func.count(),
    ).group_by(ConversationCount.team_id, ConversationCount.assignee_id)
    if account_ids is not None:
        query = query.where(ConversationCount.channel_account_id.in_(account_ids or {-1}))
    if status is not None:
        query = query.where(ConversationCount.status == status)
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
        compact(session)
    return ViewCounts(total, mine, unassigned, dict(per_team), deltas)


def compact(session: Session) -> int:
    """Fold the deltas into one row per key (dropping keys that sum to 0); rows removed."""
    gone = session.execute(delete(ConversationCount).returning(*KEY, ConversationCount.n)).all()
    sums: Counter[tuple[int, str, int | None, int | None]] = Counter()
    for account_id, status, team_id, assignee_id, n in gone:
        sums[(account_id, status, team_id, assignee_id)] += n
    kept = [
        {"channel_account_id": k[0], "status": k[1], "team_id": k[2], "assignee_id": k[3], "n": n}
        for k, n in sums.items()
        if n
    ]
    if kept:
        session.execute(insert(ConversationCount), kept)
    return len(gone) - len(kept)
