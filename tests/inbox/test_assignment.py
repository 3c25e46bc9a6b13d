"""Auto-assignment: capacity, queue order, shifts, inbox membership, events — both databases."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from inbox.assignment import assign_waiting, queue_position, save_policy
from inbox.conversations import Change, apply_change
from inbox.models import AuditLog, Conversation, Message, User
from inbox.users import update_user

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _setup(rt, factory, *, agents=3, capacity=2, mode="round_robin", off_shift=False):
    account = factory.account()
    users = [factory.user(inboxes=[account.id], name=f"agent{i}") for i in range(agents)]
    with rt.db.session() as s:
        save_policy(
            s,
            account.id,
            enabled=True,
            mode=mode,
            capacity=capacity,
            reassign_off_shift=off_shift,
            actor_id=None,
        )
    rt.jobs.drain()
    return account, users


def _loads(rt, account_id):
    with rt.db.session() as s:
        return dict(
            s.execute(
                select(Conversation.assignee_id, func.count())
                .where(Conversation.channel_account_id == account_id)
                .group_by(Conversation.assignee_id)
            )
            .tuples()
            .all()
        )


@BOTH
def test_new_conversations_are_spread_evenly_and_wait_beyond_capacity(rt, factory):
    account, users = _setup(rt, factory, agents=3, capacity=2)
    outsider = factory.user(name="not a member")  # must never receive one
    for i in range(8):
        factory.inbound(account, f"hello {i}", customer=f"c{i}")
    rt.jobs.drain()
    loads = _loads(rt, account.id)
    assert {u.id: loads.get(u.id) for u in users} == {u.id: 2 for u in users}
    assert loads.get(None) == 2  # the queue
    assert outsider.id not in loads
    with rt.db.session() as s:
        events = s.scalars(
            select(Message.text).where(Message.text.like("Auto-assigned to %"))
        ).all()
        assert len(events) == 6
        assert any("round-robin; 1 of 2 open" in t for t in events)
        assert (
            s.scalar(select(func.count()).where(AuditLog.action == "conversation.auto_assign")) == 6
        )


@BOTH
def test_freed_capacity_takes_the_oldest_waiting_conversation_first(rt, factory):
    account, users = _setup(rt, factory, agents=1, capacity=1)
    first = factory.inbound(account, "first", customer="a")
    second = factory.inbound(account, "second", customer="b")
    third = factory.inbound(account, "third", customer="c")
    rt.jobs.drain()
    with rt.db.session() as s:
        assert s.get(Conversation, first.id).assignee_id == users[0].id
        assert queue_position(s, account.id) == [second.id, third.id]
        apply_change(s, s.get(Conversation, third.id), Change(priority="urgent"), actor=None)
    rt.jobs.drain()
    with rt.db.session() as s:
        assert queue_position(s, account.id) == [third.id, second.id]  # urgency first
        apply_change(s, s.get(Conversation, first.id), Change(status="resolved"), actor=None)
    rt.jobs.drain()  # resolving frees a slot: the urgent one is assigned at once
    with rt.db.session() as s:
        assert s.get(Conversation, third.id).assignee_id == users[0].id
        assert s.get(Conversation, second.id).assignee_id is None


@BOTH
def test_off_shift_agents_get_nothing_and_coming_on_shift_drains_the_queue(rt, factory):
    account, users = _setup(rt, factory, agents=2, capacity=5)
    with rt.db.session() as s:
        for user in users:
            update_user(s, s.get(User, user.id), actor_id=None, available=False)
    factory.inbound(account, "anyone there?", customer="x")
    rt.jobs.drain()
    assert _loads(rt, account.id) == {None: 1}
    with rt.db.session() as s:
        update_user(s, s.get(User, users[1].id), actor_id=None, available=True)
    rt.jobs.drain()
    assert _loads(rt, account.id) == {users[1].id: 1}


@BOTH
def test_a_reopened_conversation_leaves_an_off_shift_assignee(rt, factory):
    account, _users = _setup(rt, factory, agents=2, capacity=5)
    conversation = factory.inbound(account, "hi", customer="x")
    rt.jobs.drain()
    with rt.db.session() as s:
        convo = s.get(Conversation, conversation.id)
        first = convo.assignee_id
        apply_change(s, convo, Change(status="resolved"), actor=None)
        update_user(s, s.get(User, first), actor_id=None, available=False)
    rt.jobs.drain()
    factory.inbound(account, "it broke again", customer="x")  # reopens
    rt.jobs.drain()
    with rt.db.session() as s:
        convo = s.get(Conversation, conversation.id)
        assert convo.status == "open"
        assert convo.assignee_id not in (None, first)
        texts = s.scalars(select(Message.text).where(Message.conversation_id == convo.id)).all()
        assert any("previous assignee off shift" in (t or "") for t in texts)


@BOTH
def test_reassign_on_going_off_shift_only_when_configured(rt, factory):
    account, _users = _setup(rt, factory, agents=2, capacity=5, mode="least_open", off_shift=True)
    conversation = factory.inbound(account, "hi", customer="x")
    rt.jobs.drain()
    with rt.db.session() as s:
        convo = s.get(Conversation, conversation.id)
        # The agent answered: nobody is waiting, yet the setting moves it anyway.
        convo.waiting_since = None
        first = convo.assignee_id
        update_user(s, s.get(User, first), actor_id=None, available=False)
    rt.jobs.drain()
    with rt.db.session() as s:
        assert s.get(Conversation, conversation.id).assignee_id not in (None, first)


@BOTH
def test_team_conversations_go_to_team_members_only(rt, factory):
    from inbox.teams import save_team

    account, users = _setup(rt, factory, agents=3, capacity=5)
    with rt.db.session() as s:
        team = save_team(s, name="환불팀", member_ids={users[2].id}, actor_id=None)
        team_id = team.id
        save_policy(
            s,
            account.id,
            enabled=False,
            mode="round_robin",
            capacity=5,
            reassign_off_shift=False,
            actor_id=None,
        )
    conversations = [factory.inbound(account, "환불", customer=f"t{i}") for i in range(3)]
    with rt.db.session() as s:
        for c in conversations:
            apply_change(s, s.get(Conversation, c.id), Change(team_id=team_id), actor=None)
        save_policy(
            s,
            account.id,
            enabled=True,
            mode="round_robin",
            capacity=5,
            reassign_off_shift=False,
            actor_id=None,
        )
    rt.jobs.drain()
    assert _loads(rt, account.id) == {users[2].id: 3}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_concurrent_deciders_never_exceed_capacity_on_postgresql(rt, factory):
    account, users = _setup(rt, factory, agents=3, capacity=4)
    with rt.db.session() as s:
        save_policy(
            s,
            account.id,
            enabled=False,
            mode="round_robin",
            capacity=4,
            reassign_off_shift=False,
            actor_id=None,
        )
    for i in range(20):
        factory.inbound(account, f"m{i}", customer=f"p{i}")
    with rt.db.session() as s:
        save_policy(
            s,
            account.id,
            enabled=True,
            mode="round_robin",
            capacity=4,
            reassign_off_shift=False,
            actor_id=None,
        )
    rt.jobs.drain()
    with rt.db.session() as s:  # undo what the reaction job did, then race four deciders
        s.execute(Conversation.__table__.update().values(assignee_id=None))
    barrier = threading.Barrier(4)
    results: list[int] = []

    def decide() -> None:
        barrier.wait()
        with rt.db.session() as s:
            results.append(len(assign_waiting(s, account.id)))

    threads = [threading.Thread(target=decide) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 12
    loads = _loads(rt, account.id)
    assert sorted(loads[u.id] for u in users) == [4, 4, 4]


@BOTH
def test_a_decider_that_read_the_clock_before_the_lock_keeps_the_rotation(rt, factory):
    """Found by bench/assignment_burst.py: turns stamped with a stale clock broke round-robin."""
    from datetime import timedelta

    from inbox.models import utcnow

    account, users = _setup(rt, factory, agents=2, capacity=10)
    with rt.db.session() as s:
        save_policy(
            s,
            account.id,
            enabled=False,
            mode="round_robin",
            capacity=10,
            reassign_off_shift=False,
            actor_id=None,
        )
    for i in range(4):
        factory.inbound(account, f"m{i}", customer=f"s{i}")
    with rt.db.session() as s:
        save_policy(
            s,
            account.id,
            enabled=True,
            mode="round_robin",
            capacity=10,
            reassign_off_shift=False,
            actor_id=None,
        )
    rt.jobs.drain()
    with rt.db.session() as s:
        s.execute(Conversation.__table__.update().values(assignee_id=None))
    stale = utcnow() - timedelta(hours=1)
    picked = []
    for _ in range(4):
        with rt.db.session() as s:
            ids = queue_position(s, account.id)
            # one conversation per pass, each pass with a clock older than the last turn
            for other in ids[1:]:
                s.get(Conversation, other).status = "pending"
            decision = assign_waiting(s, account.id, now=stale)
            picked.append(decision[0].user_id)
            for other in ids[1:]:
                s.get(Conversation, other).status = "open"
    assert sorted(picked) == sorted([users[0].id, users[1].id] * 2)
    assert picked[0] != picked[1] and picked[2] != picked[3]
