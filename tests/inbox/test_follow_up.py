"""Resolve with a follow-up (snooze, then reopen with the task) and per-category resolution
summaries, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbox.category_rules import required_categories, set_required
from inbox.conversations import Change, apply_change, wake_snoozed
from inbox.models import AuditLog, Conversation, Message, User, utcnow
from inbox.models.notifications import Notification
from switchboard.runtime import Runtime

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def case(rt: Runtime, factory: Any) -> dict[str, Any]:
    account = factory.account("facebook")
    agent = factory.user("agent", inboxes=[account.id], name="민아")
    conversation = factory.inbound(account, "환불해 주세요", customer="f1")
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None
        apply_change(session, row, Change(assignee_id=agent.id, category="refund"), actor=None)
    return {"conversation": conversation, "agent": agent}


def _apply(rt: Runtime, case: dict[str, Any], change: Change) -> Conversation:
    with rt.db.session() as session:
        row = session.get(Conversation, case["conversation"].id)
        actor = session.get(User, case["agent"].id)
        assert row is not None
        apply_change(session, row, change, actor=actor)
        return row


def _events(rt: Runtime, conversation_id: int) -> list[str]:
    with rt.db.session() as session:
        return [
            m.text or ""
            for m in session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.kind == "event")
                .order_by(Message.id)
            )
        ]


@BOTH
def test_summary_required_per_category(rt: Runtime, case: dict[str, Any]) -> None:
    with rt.db.session() as session:
        set_required(session, {"refund"}, known={"refund", "shipping"}, actor_id=None)
    with rt.db.session() as session:
        assert required_categories(session) == {"refund"}
        audit = session.scalars(select(AuditLog).where(AuditLog.target_id == "refund")).one()
        assert audit.detail == {"required": True}
    with pytest.raises(ValueError, match="needs a resolution summary"):
        _apply(rt, case, Change(status="resolved", resolution_summary="  "))
    row = _apply(rt, case, Change(status="resolved", resolution_summary="환불 처리 완료"))
    assert (row.status, row.resolution_summary) == ("resolved", "환불 처리 완료")
    assert any("resolution summary: 환불 처리 완료" in t for t in _events(rt, row.id))
    with rt.db.session() as session:
        set_required(session, set(), known={"refund"}, actor_id=None)
        assert required_categories(session) == set()


@BOTH
def test_resolve_with_follow_up_snoozes_then_reopens_with_the_task(
    rt: Runtime, case: dict[str, Any]
) -> None:
    before = utcnow()
    row = _apply(
        rt,
        case,
        Change(status="resolved", follow_up_days=3, follow_up_task="배송 도착 확인 전화"),
    )
    assert row.status == "snoozed" and row.follow_up_task == "배송 도착 확인 전화"
    assert row.snoozed_until is not None
    assert before + timedelta(days=3) <= row.snoozed_until <= utcnow() + timedelta(days=3)
    with rt.db.session() as session:
        assert wake_snoozed(session, utcnow() + timedelta(days=2)) == 0
    with rt.db.session() as session:
        assert wake_snoozed(session, utcnow() + timedelta(days=3, minutes=1)) == 1
    with rt.db.session() as session:
        woken = session.get(Conversation, row.id)
        assert woken is not None and woken.status == "open" and woken.reopen_count == 0
        note = session.scalars(select(Notification).where(Notification.kind == "follow_up")).one()
        assert note.user_id == case["agent"].id and "배송 도착 확인 전화" in note.text
    assert "Follow-up due: 배송 도착 확인 전화" in _events(rt, row.id)
    done = _apply(rt, case, Change(status="resolved"))
    assert done.follow_up_task is None  # done: a later reopen starts without it


@BOTH
def test_follow_up_refuses_bad_input(rt: Runtime, case: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="1 to 90 days"):
        _apply(rt, case, Change(status="resolved", follow_up_days=0))
    with pytest.raises(ValueError, match="when resolving"):
        _apply(rt, case, Change(status="pending", follow_up_days=2))
    row = _apply(rt, case, Change(status="resolved", follow_up_days=1))
    assert row.follow_up_task == "Follow up with the customer"
