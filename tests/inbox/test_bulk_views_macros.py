"""Bulk actions, saved views and macros through the domain (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from inbox.bulk_actions import BulkChange, apply_bulk
from inbox.conversations import Change
from inbox.macros import delete_macro, macros_for, run_macro, save_macro, usable_macro
from inbox.models import Conversation, Message, User
from inbox.models.notifications import Notification
from inbox.views import delete_view, save_view, views_for
from switchboard.runtime import Runtime

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def user(rt: Runtime, user_id: int) -> User:
    with rt.db.session() as session:
        found = session.get(User, user_id)
        assert found is not None
        return found


def test_bulk_assign_label_and_status_skips_what_the_agent_cannot_see(
    rt: Runtime, factory: Any
) -> None:
    a, b = factory.account(), factory.account("instagram")
    mina = factory.user(inboxes=[a.id], name="Mina")
    joon = factory.user(inboxes=[a.id], name="Joon")
    mine = [factory.inbound(a, f"문의 {i}", customer=f"c{i}").id for i in range(3)]
    hidden = factory.inbound(b, "다른 인박스", customer="x").id
    with rt.db.session() as session:
        me = session.get(User, mina.id)
        assert me is not None
        result = apply_bulk(
            session,
            me,
            [*mine, hidden, 999999],
            BulkChange(Change(assignee_id=joon.id, status="pending"), add_labels=("환불",)),
        )
    assert result.changed == mine and result.skipped == [hidden, 999999]
    with rt.db.session() as session:
        rows = session.scalars(select(Conversation).where(Conversation.id.in_(mine))).all()
        assert {(c.assignee_id, c.status, tuple(x.name for x in c.labels)) for c in rows} == {
            (joon.id, "pending", ("환불",))
        }
        other = session.get(Conversation, hidden)
        assert other is not None and other.assignee_id is None
        # Each row got its own notification for the new assignee.
        assert (
            len(session.scalars(select(Notification).where(Notification.user_id == joon.id)).all())
            == 3
        )
        me = session.get(User, mina.id)
        assert me is not None
        again = apply_bulk(session, me, mine, BulkChange(Change(), remove_labels=("환불",)))
        assert again.changed == mine
    with pytest.raises(ValueError), rt.db.session() as session:
        apply_bulk(session, user(rt, mina.id), [], BulkChange(Change(status="open")))


def test_saved_views_own_and_shared(rt: Runtime, factory: Any) -> None:
    mina, joon = factory.user(name="Mina"), factory.user(name="Joon")
    with rt.db.session() as session:
        me = session.get(User, mina.id)
        assert me is not None
        own = save_view(session, me, "내 환불", {"label": "환불", "status": "open", "evil": "x"})
        save_view(session, me, "긴급", {"sort": "sla"}, shared=True)
        own_id = own.id
        assert own.query == {"label": "환불", "status": "open"}
    with rt.db.session() as session:
        other = session.get(User, joon.id)
        assert other is not None
        assert [v.name for v in views_for(session, other)] == ["긴급"]
        with pytest.raises(LookupError):
            delete_view(session, other, own_id)
    with rt.db.session() as session:
        me = session.get(User, mina.id)
        assert me is not None
        delete_view(session, me, own_id)
        assert [v.name for v in views_for(session, me)] == ["긴급"]


def test_macro_replies_then_acts_and_is_shared_or_private(rt: Runtime, factory: Any) -> None:
    account = factory.account()
    mina = factory.user(inboxes=[account.id], name="Mina")
    joon = factory.user(inboxes=[account.id], name="Joon")
    conversation = factory.inbound(account, "환불해 주세요", name="이서연")
    with rt.db.session() as session:
        me = session.get(User, mina.id)
        assert me is not None
        with pytest.raises(ValueError):
            save_macro(session, me, name="bad", actions={"status": "gone"})
        macro = save_macro(
            session,
            me,
            name="환불 접수",
            actions={
                "assignee": "me",
                "add_labels": "환불, 결제",
                "priority": "high",
                "status": "pending",
            },
            reply="{{contact_name}}님, 환불 접수되었습니다.",
        )
        macro_id = macro.id
        fresh = session.get(Conversation, conversation.id)
        assert fresh is not None
        run = run_macro(session, macro, fresh, me)
        assert run.message is not None and run.message.text == "이서연님, 환불 접수되었습니다."
    rt.jobs.drain()
    with rt.db.session() as session:
        fresh = session.get(Conversation, conversation.id)
        assert fresh is not None
        assert (fresh.assignee_id, fresh.priority, fresh.status) == (mina.id, "high", "pending")
        assert sorted(x.name for x in fresh.labels) == ["결제", "환불"]
        sent = session.scalars(
            select(Message).where(
                Message.conversation_id == conversation.id, Message.direction == "outbound"
            )
        ).one()
        assert sent.status == "sent"  # the send job ran after the commit
        other = session.get(User, joon.id)
        assert other is not None
        assert macros_for(session, other) == []
        with pytest.raises(LookupError):
            usable_macro(session, other, macro_id)
        with pytest.raises(LookupError):
            delete_macro(session, other, macro_id)
