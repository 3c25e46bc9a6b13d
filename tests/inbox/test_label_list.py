"""The inbox list under a label filter at scale: it filters by the label's id and a rare
label's list can start from the label's own index (PostgreSQL plan test)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy

from inbox.conversations import Change, apply_change
from inbox.models import Conversation, User
from inbox.queries import ConversationFilter, list_conversations


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_label_list_filters_by_the_label_id_and_can_start_from_the_label(
    rt: Any, factory: Any
) -> None:
    """The label filter compares the label's id (so the planner sees how common it is) and
    ix_conversation_label_label lets a rare label's list start from its few links instead of
    walking the queue (70 ms for 20 of 200k open conversations; 0.2 ms from the index)."""
    a = factory.account()
    admin = factory.user("admin")
    made = [factory.inbound(a, f"문의 {i}", customer=f"c{i}") for i in range(4)]
    with rt.db.session() as session:
        for conv, labels in ((made[1], ("VIP",)), (made[3], ("VIP", "환불"))):
            found = session.get(Conversation, conv.id)
            assert found is not None
            apply_change(session, found, Change(labels=labels), actor=None)
    statements: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    sqlalchemy.event.listen(rt.db.engine, "before_cursor_execute", capture)
    try:
        with rt.db.session() as session:
            user = session.get(User, admin.id)
            assert user is not None
            page = list_conversations(
                session, user, ConversationFilter(label="VIP"), cursor=None, limit=10
            )
            assert [c.id for c in page.items] == [made[3].id, made[1].id]
            nothing = list_conversations(
                session, user, ConversationFilter(label="없는 라벨"), cursor=None, limit=10
            )
            assert nothing.items == []
    finally:
        sqlalchemy.event.remove(rt.db.engine, "before_cursor_execute", capture)
    statement, params = next((s, p) for s, p in statements if "ORDER BY conversation.last" in s)
    assert "label.name" not in statement
    with rt.db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_indexscan = off")  # leave the label's own index
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))
    assert "ix_conversation_label_label" in plan, plan
