"""Automation rules: triggers, conditions, actions, order, stop, no loops, idempotency."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import ANY

import pytest
from sqlalchemy import func, select

from connectors.base import ConversationKind
from inbox.canned import save_canned
from inbox.conversations import Change, apply_change
from inbox.models import Conversation, Message, utcnow
from inbox.models.rules import RuleFiring
from inbox.rules import language_of, run_for_events, save_rule
from inbox.teams import save_team

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
REFUND = [{"field": "text", "op": "contains", "value": "환불|반품"}]


def _rule(rt, name, trigger, conditions, actions, **kw):
    with rt.db.session() as s:
        return save_rule(
            s,
            name=name,
            trigger=trigger,
            conditions=conditions,
            actions=actions,
            actor_id=None,
            **kw,
        ).id


def _texts(rt, conversation_id):
    with rt.db.session() as s:
        return [
            t or ""
            for t in s.scalars(
                select(Message.text)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            )
        ]


def _team(rt, name, members):
    with rt.db.session() as s:
        return save_team(s, name=name, member_ids=set(members), actor_id=None).id


@BOTH
def test_korean_refund_message_is_labelled_and_sent_to_the_refund_team(rt, factory):
    account = factory.account()
    agent = factory.user(inboxes=[account.id], name="환불담당")
    team_id = _team(rt, "환불팀", [agent.id])
    _rule(
        rt,
        "환불 분류",
        "customer_message",
        [*REFUND, {"field": "language", "op": "in", "value": ["ko"]}],
        [
            {"type": "add_label", "value": "환불"},
            {"type": "assign_team", "value": team_id},
            {"type": "set_priority", "value": "high"},
            {"type": "assign_agent", "value": agent.id},
        ],
    )
    refund = factory.inbound(account, "환불하고 싶어요. 주문번호 2026120500123", customer="k1")
    other = factory.inbound(account, "배송 언제 와요?", customer="k2")
    english = factory.inbound(account, "I want a refund", customer="k3")
    rt.jobs.drain()
    with rt.db.session() as s:
        convo = s.get(Conversation, refund.id)
        assert [label.name for label in convo.labels] == ["환불"]
        assert (convo.team_id, convo.priority, convo.assignee_id) == (team_id, "high", agent.id)
        assert s.get(Conversation, other.id).labels == []
        assert s.get(Conversation, english.id).labels == []  # language condition
    fired = [t for t in _texts(rt, refund.id) if t.startswith("Rule “환불 분류” ran:")]
    assert fired == [
        "Rule “환불 분류” ran: label 환불; team 환불팀; priority high; assigned 환불담당"
    ]


@BOTH
def test_rules_run_in_order_stop_processing_and_do_not_retrigger_themselves(rt, factory):
    account = factory.account()
    _rule(
        rt,
        "first",
        "customer_message",
        [],
        [{"type": "add_label", "value": "a"}],
        stop_processing=True,
    )
    _rule(rt, "second", "customer_message", [], [{"type": "add_label", "value": "b"}])
    # Would loop forever if a rule's own status change triggered rules again.
    _rule(rt, "ping", "status_changed", [], [{"type": "resolve", "value": None}])
    conversation = factory.inbound(account, "hello", customer="o1")
    rt.jobs.drain()
    with rt.db.session() as s:
        convo = s.get(Conversation, conversation.id)
        assert [label.name for label in convo.labels] == ["a"]
        apply_change(s, convo, Change(status="pending"), actor=None)  # an agent's change
    rt.jobs.drain()
    with rt.db.session() as s:
        assert s.get(Conversation, conversation.id).status == "resolved"
        assert s.scalar(select(func.count()).select_from(RuleFiring)) == 2  # first + ping


@BOTH
def test_a_replayed_event_fires_nothing_twice(rt, factory):
    account = factory.account()
    _rule(rt, "note it", "customer_message", REFUND, [{"type": "note", "value": "환불 절차 확인"}])
    conversation = factory.inbound(account, "반품할게요", customer="r1")
    rt.jobs.drain()
    with rt.db.session() as s:
        message_id = s.scalars(
            select(Message.id).where(
                Message.conversation_id == conversation.id, Message.direction == "inbound"
            )
        ).one()
        event = {
            "topic": "message.created",
            "conversation_id": conversation.id,
            "message_id": message_id,
            "direction": "inbound",
        }
        assert rt.jobs.failures == []
        assert s.scalar(select(func.count()).select_from(RuleFiring)) == 1
        assert run_for_events(s, [event]).fired == []
    notes = [t for t in _texts(rt, conversation.id) if t == "환불 절차 확인"]
    assert len(notes) == 1


@BOTH
def test_canned_reply_in_the_customers_language_is_queued_for_sending(rt, factory):
    account = factory.account()
    with rt.db.session() as s:
        save_canned(
            s, shortcut="refund-ko", title="환불", body="{{contact_name}}님, 환불 접수했습니다."
        )
        save_canned(
            s, shortcut="refund-en", title="Refund", body="We received your refund.", locale="en"
        )
    _rule(
        rt,
        "auto answer",
        "conversation_created",
        [{"field": "text", "op": "regex", "value": r"refund|환불"}],
        [{"type": "reply_canned", "value": "refund-ko, refund-en"}],
    )
    ko = factory.inbound(account, "환불 가능한가요?", customer="l1", name="이수진")
    en = factory.inbound(account, "Can I get a refund?", customer="l2", name="Alex")
    rt.jobs.drain()
    with rt.db.session() as s:
        replies = dict(
            s.execute(
                select(Message.conversation_id, Message.text).where(Message.direction == "outbound")
            )
            .tuples()
            .all()
        )
    assert replies[ko.id] == "이수진님, 환불 접수했습니다."
    assert replies[en.id] == "We received your refund."


@BOTH
def test_sla_breach_trigger_raises_priority(rt, factory):
    from inbox.sla import check_clocks
    from inbox.sla import save_policy as save_sla

    account = factory.account()
    with rt.db.session() as s:
        save_sla(
            s,
            name="std",
            priority="any",
            account_id=None,
            first_response_minutes=30,
            next_response_minutes=None,
            resolution_minutes=None,
            actor_id=None,
        )
    _rule(rt, "escalate", "sla_breached", [], [{"type": "set_priority", "value": "urgent"}])
    conversation = factory.inbound(account, "hello", customer="s1", kind=ConversationKind.DM)
    rt.jobs.drain()
    with rt.db.session() as s:
        check_clocks(s, now=utcnow() + timedelta(minutes=31))
    rt.jobs.drain()
    with rt.db.session() as s:
        assert s.get(Conversation, conversation.id).priority == "urgent"


@BOTH
def test_customer_silent_rule_resolves_after_the_wait(rt, factory):
    from workers.automation import silence_tick

    account = factory.account()
    _rule(
        rt,
        "close quiet ones",
        "customer_silent",
        [{"field": "minutes_since_customer_message", "op": "at_least", "value": 60}],
        [{"type": "resolve", "value": None}],
    )
    quiet = factory.inbound(account, "thanks", customer="q1")
    fresh = factory.inbound(account, "still there?", customer="q2")
    rt.jobs.drain()
    with rt.db.session() as s:
        s.get(Conversation, quiet.id).last_customer_message_at = utcnow() - timedelta(hours=2)
    assert silence_tick() == 1
    assert silence_tick() == 0  # once per customer message
    with rt.db.session() as s:
        assert s.get(Conversation, quiet.id).status == "resolved"
        assert s.get(Conversation, fresh.id).status == "open"


def test_bad_rules_are_refused_with_a_reason(rt):
    with rt.db.session() as s:
        for conditions, actions, message in (
            (
                [{"field": "mood", "op": "is", "value": 1}],
                [{"type": "resolve"}],
                "unknown condition",
            ),
            ([{"field": "text", "op": "regex", "value": "("}], [{"type": "resolve"}], "regular"),
            ([], [], "at least one action"),
            ([], [{"type": "explode"}], "unknown action"),
            ([], [{"type": "set_priority", "value": "max"}], "priority must be"),
        ):
            with pytest.raises(ValueError, match=message):
                save_rule(
                    s,
                    name="x",
                    trigger="customer_message",
                    conditions=conditions,
                    actions=actions,
                    actor_id=None,
                )


def test_language_of_uses_the_script():
    assert language_of("환불해 주세요") == "ko"
    assert language_of("refund please 감사") == "ko"
    assert language_of("Where is my order?") == "en"
    assert language_of("ありがとう") == "ja"
    assert language_of("12345") is None


def _inbound_event(s, conversation_id):
    message_id = s.scalars(
        select(Message.id).where(
            Message.conversation_id == conversation_id, Message.direction == "inbound"
        )
    ).one()
    return {
        "topic": "message.created",
        "conversation_id": conversation_id,
        "message_id": message_id,
        "direction": "inbound",
    }


@BOTH
def test_a_batch_fires_each_rule_once_per_occasion_and_shares_new_labels(rt, factory):
    """Issue 12 (`thru`): one batch of occasions, claims in one statement, one label row."""
    account = factory.account()
    conversations = [factory.inbound(account, "반품할게요", customer=f"b{n}") for n in range(6)]
    rt.jobs.drain()  # their own jobs ran before any rule existed
    _rule(
        rt,
        "refund",
        "customer_message",
        REFUND,
        [{"type": "add_label", "value": "환불-일괄"}, {"type": "set_priority", "value": "high"}],
    )
    _rule(rt, "second", "customer_message", [], [{"type": "note", "value": "둘째 규칙"}])
    with rt.db.session() as s:
        events = [_inbound_event(s, c.id) for c in conversations]
        outcome = run_for_events(s, events)
    assert len(outcome.fired) == 12
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(RuleFiring)) == 12
        for c in conversations:
            fresh = s.get(Conversation, c.id)
            assert fresh is not None
            assert fresh.priority == "high"
            assert [label.name for label in fresh.labels] == ["환불-일괄"]
    assert all(_texts(rt, c.id).count("둘째 규칙") == 1 for c in conversations)


@BOTH
def test_a_batch_with_one_occasion_already_fired_fires_only_the_others(rt, factory):
    """A replayed event inside a batch: the batch's claim finds it taken, the savepoint is
    rolled back and the batch runs claim by claim; nothing fires twice, nothing is missed."""
    account = factory.account()
    first = factory.inbound(account, "반품할게요", customer="x1")
    second = factory.inbound(account, "환불해 주세요", customer="x2")
    rt.jobs.drain()  # their own jobs ran before the rule existed
    _rule(rt, "note it", "customer_message", REFUND, [{"type": "note", "value": "환불 절차"}])
    with rt.db.session() as s:
        assert run_for_events(s, [_inbound_event(s, first.id)]).fired == [(ANY, first.id)]
    with rt.db.session() as s:
        outcome = run_for_events(s, [_inbound_event(s, first.id), _inbound_event(s, second.id)])
    assert outcome.fired and {cid for _, cid in outcome.fired} == {second.id}
    assert _texts(rt, first.id).count("환불 절차") == 1
    assert _texts(rt, second.id).count("환불 절차") == 1
