"""The per-view counts kept by triggers (inbox/counts.py, migrations 0022 and 0025) always equal
COUNT(*) over `conversation` (and per label over its labelled conversations), whatever changed
the rows (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from inbox import counts as counts_module
from inbox.conversations import Change, apply_change
from inbox.counts import compact, compact_labels, view_counts
from inbox.merge import merge_conversations, split_conversation, undo
from inbox.models import (
    AuditLog,
    ChannelAccount,
    Conversation,
    ConversationCount,
    ConversationLabelCount,
    Label,
    Message,
    Team,
    conversation_label,
)
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


def by_label_key(rt: Runtime) -> tuple[dict[tuple[Any, ...], int], dict[tuple[Any, ...], int]]:
    """by_key() per label: the label deltas' sums and COUNT(*) over the labelled rows."""
    key = [getattr(ConversationLabelCount, c) for c in ("label_id", *KEY)]
    counted_key = [conversation_label.c.label_id, *(getattr(Conversation, c) for c in KEY)]
    with rt.db.session() as session:
        kept = {
            tuple(row[:5]): int(row[5])
            for row in session.execute(
                select(*key, func.sum(ConversationLabelCount.n)).group_by(*key)
            )
            if row[5]
        }
        counted = {
            tuple(row[:5]): int(row[5])
            for row in session.execute(
                select(*counted_key, func.count())
                .select_from(conversation_label)
                .join(Conversation, Conversation.id == conversation_label.c.conversation_id)
                .group_by(*counted_key)
            )
        }
    return kept, counted


def assert_exact(rt: Runtime) -> None:
    kept, counted = by_key(rt)
    assert kept == counted
    kept, counted = by_label_key(rt)
    assert kept == counted


def rows_in(rt: Runtime, model: Any) -> int:
    with rt.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def assert_folding_shrinks(rt: Runtime, model: Any, fold: Any) -> None:
    """Folding a delta table by hand removes rows and leaves every count exact."""
    before = rows_in(rt, model)
    with rt.db.session() as session:
        assert fold(session) > 0
    assert rows_in(rt, model) < before
    assert_exact(rt)


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


def two_inboxes_an_agent_and_a_team(rt: Runtime, factory: Any) -> tuple[Any, Any, Any, int]:
    """Two channel accounts (inboxes), an agent in both, and a team's id: the keys counted."""
    a, b = factory.account(), factory.account("instagram")
    agent = factory.user(inboxes=[a.id, b.id])
    with rt.db.session() as session:
        team = Team(name="배송팀")
        session.add(team)
        session.flush()
        return a, b, agent, team.id


def test_counts_follow_ingest_actions_merge_split_bulk_and_delete(
    rt: Runtime, factory: Any
) -> None:
    a, b, agent, team_id = two_inboxes_an_agent_and_a_team(rt, factory)
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
    assert_folding_shrinks(rt, ConversationCount, compact)
    check()

    # A read that sums more deltas than COMPACT_AFTER folds the table itself.
    for conv in made[6:]:
        change(rt, conv.id, status="pending")
    monkeypatch.setattr(counts_module, "COMPACT_AFTER", 1)
    with rt.db.session() as session:
        view_counts(session, agent.id, account_ids=None, status=None)
    assert rows_in(rt, ConversationCount) == len(by_key(rt)[1])  # one row per key
    assert_exact(rt)
    check()


def labelled(rt: Runtime, conversation_id: int, *names: str) -> None:
    change(rt, conversation_id, labels=names)


def test_label_counts_follow_labels_key_changes_merge_split_bulk_and_delete(
    rt: Runtime, factory: Any
) -> None:
    a, b, agent, team_id = two_inboxes_an_agent_and_a_team(rt, factory)
    first = factory.inbound(a, "배송 문의", customer="c1", thread="t1")
    second = factory.inbound(a, "같은 건", customer="c1", thread="t2")
    third = factory.inbound(b, "환불", customer="c2")
    fourth = factory.inbound(b, "교환", customer="c3")
    factory.inbound(a, "또 문의", customer="c1", thread="t1")

    labelled(rt, first.id, "VIP")  # label added (and created)
    labelled(rt, second.id, "VIP", "환불")
    labelled(rt, third.id, "환불")
    labelled(rt, fourth.id, "VIP", "불량")
    assert_exact(rt)
    assert sum(by_label_key(rt)[0].values()) == 6
    labelled(rt, fourth.id, "불량")  # label removed
    labelled(rt, third.id, "환불", "VIP")
    assert_exact(rt)

    # The key columns of labelled conversations change.
    change(rt, first.id, assignee_id=agent.id)
    change(rt, first.id, team_id=team_id)
    change(rt, third.id, status="pending")
    change(rt, second.id, status="resolved")
    change(rt, first.id, priority="high")  # not part of the key
    assert_exact(rt)
    with rt.db.session() as session:  # moved to another inbox (raw UPDATE)
        session.execute(
            update(Conversation).where(Conversation.id == fourth.id).values(channel_account_id=a.id)
        )
    assert_exact(rt)

    with rt.db.session() as session:
        merge_conversations(session, first.id, second.id, None)  # labels move to the survivor
    assert_exact(rt)
    with rt.db.session() as session:
        undo(session, last_audit(rt, "conversation.merge"), None)
    assert_exact(rt)
    with rt.db.session() as session:
        at = session.scalars(select(Message).where(Message.text == "또 문의")).one()
        split_conversation(session, at.id, None)
    assert_exact(rt)

    with rt.db.session() as session:  # bulk statements, as inbox/bulk.py or an admin may issue
        session.execute(update(Conversation).values(status="open", assignee_id=None))
        vip = session.scalars(select(Label.id).where(Label.name == "VIP")).one()
        session.execute(
            update(conversation_label)
            .where(conversation_label.c.conversation_id == third.id)
            .where(conversation_label.c.label_id == vip)
            .values(conversation_id=fourth.id)
        )
    assert_exact(rt)

    with rt.db.session() as session:  # a conversation deleted: its links go by cascade
        session.execute(delete(Message).where(Message.conversation_id == third.id))
        session.execute(delete(Conversation).where(Conversation.id == third.id))
    assert_exact(rt)
    with rt.db.session() as session:  # through the ORM, which deletes the links itself first
        found = session.get(Conversation, fourth.id)
        assert found is not None
        session.execute(delete(Message).where(Message.conversation_id == fourth.id))
        session.delete(found)
    assert_exact(rt)
    with rt.db.session() as session:  # a label deleted: its links go by cascade
        session.execute(delete(Label).where(Label.name == "VIP"))
    assert_exact(rt)
    assert sum(by_label_key(rt)[0].values()) == sum(by_label_key(rt)[1].values()) > 0


def test_label_view_counts_match_count_and_compaction_keeps_them(
    rt: Runtime, factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = factory.account(), factory.account("instagram")
    agent = factory.user(inboxes=[a.id, b.id])
    made = [factory.inbound(a if i % 3 else b, f"문의 {i}", customer=f"c{i}") for i in range(9)]
    for conv in made[:6]:
        labelled(rt, conv.id, "VIP")
    labelled(rt, made[7].id, "환불")
    for conv in made[:4]:
        change(rt, conv.id, assignee_id=agent.id)
    for conv in made[2:8]:
        change(rt, conv.id, status="resolved")
    with rt.db.session() as session:
        vip = session.scalars(select(Label.id).where(Label.name == "VIP")).one()
        accounts = set(session.scalars(select(ChannelAccount.id)))

    def count(session: Any, **where: Any) -> int:
        query = (
            select(func.count())
            .select_from(Conversation)
            .join(conversation_label, conversation_label.c.conversation_id == Conversation.id)
            .where(conversation_label.c.label_id == vip)
        )
        for column, value in where.items():
            query = query.where(getattr(Conversation, column) == value)
        return int(session.scalar(query) or 0)

    def check() -> None:
        with rt.db.session() as session:
            every = view_counts(session, agent.id, account_ids=None, status=None, label_id=vip)
            assert every.total == count(session) == 6
            assert every.mine == count(session, assignee_id=agent.id) == 4
            assert every.unassigned == count(session, assignee_id=None) == 2
            resolved_a = view_counts(
                session, agent.id, account_ids={a.id}, status="resolved", label_id=vip
            )
            assert resolved_a.total == count(session, channel_account_id=a.id, status="resolved")
            assert resolved_a.mine == count(
                session, channel_account_id=a.id, status="resolved", assignee_id=agent.id
            )
            both = view_counts(session, agent.id, account_ids=accounts, status=None, label_id=vip)
            assert both.total == 6
            nothing = view_counts(session, agent.id, account_ids=set(), status=None, label_id=vip)
            assert (nothing.total, nothing.mine, nothing.unassigned) == (0, 0, 0)

    check()
    assert_folding_shrinks(rt, ConversationLabelCount, compact_labels)
    check()

    for conv in made[6:]:
        change(rt, conv.id, status="pending")
    monkeypatch.setattr(counts_module, "COMPACT_AFTER", 1)
    with rt.db.session() as session:
        view_counts(session, agent.id, account_ids=None, status=None, label_id=vip)
    assert rows_in(rt, ConversationLabelCount) == len(by_label_key(rt)[1])  # per (label, key)
    assert rows_in(rt, ConversationCount) == len(by_key(rt)[1])  # the other table folded too
    assert_exact(rt)
    check()


@pytest.mark.parametrize("order", ["status first", "label first"])
def test_a_label_added_while_the_status_changes_is_counted_under_the_final_status(
    rt: Runtime, factory: Any, backend: str, order: str
) -> None:
    """Two transactions at once: one changes a conversation's status, the other labels it.
    The link trigger locks the conversation row before reading its key, so whichever comes
    second waits for the first and sees its change (without the lock each read the other's
    old state: the label stayed counted under `open`). SQLite has one writer at a time."""
    if backend != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only")
    import threading

    a = factory.account()
    conv = factory.inbound(a, "문의", customer="c1")
    labelled(rt, conv.id, "VIP")
    labelled(rt, conv.id)  # the label exists, the conversation has none
    with rt.db.session() as session:
        vip = session.scalars(select(Label.id).where(Label.name == "VIP")).one()
    status = update(Conversation).where(Conversation.id == conv.id).values(status="pending")
    link = conversation_label.insert().values(conversation_id=conv.id, label_id=vip)
    one, other = rt.db.engine.connect(), rt.db.engine.connect()
    try:
        first, second = (status, link) if order == "status first" else (link, status)
        one.execute(first)
        waiting = threading.Thread(target=lambda: (other.execute(second), other.commit()))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # the second waits on the conversation's row lock
        one.commit()
        waiting.join(10)
    finally:
        one.close()
        other.close()
    assert_exact(rt)
    assert by_label_key(rt)[0] == {(vip, a.id, "pending", None, None): 1}
