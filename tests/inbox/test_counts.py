"""The per-view counts kept by triggers (inbox/counts.py, migration 0022) always equal COUNT(*)
over `conversation`, whatever changed the rows (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from inbox import counts as counts_module
from inbox.conversations import Change, apply_change
from inbox.counts import compact, view_counts
from inbox.merge import merge_conversations, split_conversation, undo
from inbox.models import AuditLog, Conversation, ConversationCount, Message, Team
from switchboard.runtime import Runtime

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
KEY = ("channel_account_id", "status", "team_id", "assignee_id")


def by_key(rt: Runtime) -> tuple[dict[tuple[Any, ...], int], dict[tuple[Any, ...], int]]:
    """(the deltas' sums, COUNT(*)) per key, keys that sum to 0 left out."""
    with rt.db.session() as session:
        kept = {
            tuple(row[:4]): int(row[4])
            for row in session.execute(
                select(
                    *(getattr(ConversationCount, c) for c in KEY), func.sum(ConversationCount.n)
                ).group_by(*(getattr(ConversationCount, c) for c in KEY))
            )
            if row[4]
        }
        counted = {
            tuple(row[:4]): int(row[4])
            for row in session.execute(
                select(*(getattr(Conversation, c) for c in KEY), func.count()).group_by(
                    *(getattr(Conversation, c) for c in KEY)
                )
            )
        }
    return kept, counted


def assert_exact(rt: Runtime) -> None:
    kept, counted = by_key(rt)
    assert kept == counted


def change(rt: Runtime, conversation_id: int, **fields: Any) -> None:
    with rt.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        apply_change(session, conversation, Change(**fields), actor=None)


def last_audit(rt: Runtime, action: str) -> int:
    with rt.db.session() as session:
        found = session.scalar(
            select(AuditLog.id).where(AuditLog.action == action).order_by(AuditLog.id.desc())
        )
        assert found is not None
        return found


def test_counts_follow_ingest_actions_merge_split_bulk_and_delete(
    rt: Runtime, factory: Any
) -> None:
    a, b = factory.account(), factory.account("instagram")
    agent = factory.user(inboxes=[a.id, b.id])
    with rt.db.session() as session:
        team = Team(name="배송팀")
        session.add(team)
        session.flush()
        team_id = team.id
    first = factory.inbound(a, "배송 문의", customer="c1", thread="t1")
    second = factory.inbound(a, "같은 건", customer="c1", thread="t2")
    third = factory.inbound(b, "환불", customer="c2")
    factory.inbound(a, "또 문의", customer="c1", thread="t1")  # a message, not a conversation
    assert_exact(rt)
    assert sum(by_key(rt)[0].values()) == 3

    change(rt, first.id, assignee_id=agent.id)
    change(rt, first.id, team_id=team_id)
    change(rt, third.id, status="pending")
    change(rt, third.id, status="resolved")
    change(rt, first.id, priority="high")  # not part of the key: no delta
    assert_exact(rt)

    with rt.db.session() as session:
        merge_conversations(session, first.id, second.id, None)
    assert_exact(rt)
    with rt.db.session() as session:
        undo(session, last_audit(rt, "conversation.merge"), None)
    assert_exact(rt)
    with rt.db.session() as session:
        at = session.scalars(select(Message).where(Message.text == "또 문의")).one()
        split_conversation(session, at.id, None)
    assert_exact(rt)

    with rt.db.session() as session:  # a bulk UPDATE statement, as inbox/bulk.py may issue
        session.execute(update(Conversation).values(status="open", assignee_id=None))
    assert_exact(rt)
    with rt.db.session() as session:
        session.execute(delete(Message).where(Message.conversation_id == third.id))
        session.execute(delete(Conversation).where(Conversation.id == third.id))
    assert_exact(rt)
    assert sum(by_key(rt)[0].values()) == 3  # first, second and the split-off one


def test_view_counts_match_count_and_compaction_keeps_them(
    rt: Runtime, factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = factory.account(), factory.account("instagram")
    agent = factory.user(inboxes=[a.id, b.id])
    made = [factory.inbound(a if i % 3 else b, f"문의 {i}", customer=f"c{i}") for i in range(9)]
    for conv in made[:4]:
        change(rt, conv.id, assignee_id=agent.id)
    for conv in made[2:6]:
        change(rt, conv.id, status="resolved")

    def count(session: Any, **where: Any) -> int:
        query = select(func.count()).select_from(Conversation)
        for column, value in where.items():
            column_ = getattr(Conversation, column.removesuffix("_in"))
            query = query.where(column_.in_(value) if column.endswith("_in") else column_ == value)
        return int(session.scalar(query) or 0)

    def check() -> None:
        with rt.db.session() as session:
            every = view_counts(session, agent.id, account_ids=None, status=None)
            assert every.total == count(session) == 9
            assert every.mine == count(session, assignee_id=agent.id) == 4
            mine_open = view_counts(session, agent.id, account_ids={a.id}, status="open")
            assert mine_open.total == count(session, channel_account_id=a.id, status="open")
            assert mine_open.mine == count(
                session, channel_account_id=a.id, status="open", assignee_id=agent.id
            )
            nothing = view_counts(session, agent.id, account_ids=set(), status=None)
            assert (nothing.total, nothing.mine, nothing.unassigned) == (0, 0, 0)

    check()
    with rt.db.session() as session:
        rows_before = session.scalar(select(func.count()).select_from(ConversationCount))
        assert compact(session) > 0
        rows_after = session.scalar(select(func.count()).select_from(ConversationCount))
    assert rows_after is not None and rows_before is not None and rows_after < rows_before
    assert_exact(rt)
    check()

    # A read that sums more deltas than COMPACT_AFTER folds the table itself.
    for conv in made[6:]:
        change(rt, conv.id, status="pending")
    monkeypatch.setattr(counts_module, "COMPACT_AFTER", 1)
    with rt.db.session() as session:
        view_counts(session, agent.id, account_ids=None, status=None)
    with rt.db.session() as session:
        rows = session.scalar(select(func.count()).select_from(ConversationCount))
    assert rows == len(by_key(rt)[1])  # one row per key
    assert_exact(rt)
    check()
