"""SLA clocks, business hours and holidays, pausing, breach announcements — both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inbox.business_hours import (
    Schedule,
    parse_holidays,
    parse_weekly_text,
    save_hours,
)
from inbox.conversations import Change, apply_change
from inbox.models import Conversation, Message
from inbox.models.sla import BusinessHours, ConversationSla
from inbox.sla import check_clocks, clock_of, refresh, save_policy

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
SEOUL_9_TO_6 = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def _schedule(**kw) -> Schedule:
    hours = BusinessHours(
        name="office",
        timezone=kw.get("timezone", "Asia/Seoul"),
        always_open=kw.get("always_open", False),
        weekly=kw.get("weekly", SEOUL_9_TO_6),
        holidays=kw.get("holidays", []),
    )
    return Schedule.of(hours)


def test_business_time_skips_nights_weekends_and_holidays():
    office = _schedule(holidays=["2026-12-07"])
    friday_5pm_seoul = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)  # 17:00 KST, Friday
    # One hour left on Friday; Saturday, Sunday and the Monday holiday are closed.
    due = office.add(friday_5pm_seoul, 4 * 3600)
    assert due == datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # Tuesday 12:00 KST
    assert office.open_seconds(friday_5pm_seoul, due) == 4 * 3600
    assert not office.is_open(datetime(2026, 12, 5, 3, 0, tzinfo=UTC))  # Saturday noon
    assert office.is_open(datetime(2026, 12, 8, 0, 30, tzinfo=UTC))  # Tuesday 09:30
    always = _schedule(always_open=True)
    assert always.add(friday_5pm_seoul, 60) == friday_5pm_seoul + timedelta(minutes=1)


def test_weekly_text_and_holiday_list_parse_and_refuse_nonsense():
    assert parse_weekly_text("mon 09:00-12:00, 13:00-18:00\nsat 10:00-14:00") == {
        "mon": [["09:00", "12:00"], ["13:00", "18:00"]],
        "sat": [["10:00", "14:00"]],
    }
    assert parse_holidays("2026-12-25 성탄절\n\n2026-01-01\n") == ["2026-01-01", "2026-12-25"]
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_weekly_text("mon 18:00-09:00")
    with pytest.raises(ValueError, match="not a date"):
        parse_holidays("Christmas")


def _policy(rt, **kw):
    with rt.db.session() as s:
        save_policy(
            s,
            name=kw.get("name", "default"),
            priority=kw.get("priority", "any"),
            account_id=kw.get("account_id"),
            first_response_minutes=kw.get("first", 60),
            next_response_minutes=kw.get("next", 30),
            resolution_minutes=kw.get("resolution", 24 * 60),
            warn_minutes=kw.get("warn", 10),
            actor_id=None,
        )


@BOTH
def test_first_response_clock_breaches_once_with_thread_event_and_domain_event(rt, factory):
    account = factory.account()
    _policy(rt, first=60)
    conversation = factory.inbound(account, "배송 언제 와요?", customer="c1")
    rt.jobs.drain()
    with rt.db.session() as s:
        clock = s.get(ConversationSla, conversation.id)
        created = s.get(Conversation, conversation.id).created_at
        assert clock.target == "first_response"
        assert clock.due_at == created + timedelta(minutes=60)
        assert check_clocks(s, now=created + timedelta(minutes=55)) == {
            "warnings": 1,
            "breaches": 0,
        }
        assert check_clocks(s, now=created + timedelta(minutes=56)) == {
            "warnings": 0,
            "breaches": 0,
        }
    published: list[dict] = []
    rt.db.on_events, original = (lambda ev: (published.extend(ev), original(ev))), rt.db.on_events
    try:
        with rt.db.session() as s:
            assert check_clocks(s, now=created + timedelta(minutes=61))["breaches"] == 1
            assert check_clocks(s, now=created + timedelta(minutes=62))["breaches"] == 0
    finally:
        rt.db.on_events = original
    breach = [e for e in published if e["topic"] == "sla.breached"]
    assert breach and breach[0]["conversation_id"] == conversation.id
    with rt.db.session() as s:
        texts = s.scalars(select(Message.text).where(Message.conversation_id == conversation.id))
        joined = "\n".join(t or "" for t in texts)
        assert "SLA about to breach: first response due" in joined
        assert "SLA breached: first response due" in joined


@BOTH
def test_pending_pauses_the_clock_and_the_paused_time_extends_the_target(rt, factory):
    account = factory.account()
    _policy(rt, first=None, next=None, resolution=120)
    conversation = factory.inbound(account, "환불 문의", customer="c2")
    rt.jobs.drain()
    with rt.db.session() as s:
        convo = s.get(Conversation, conversation.id)
        t0 = convo.created_at
        convo.status = "pending"
        refresh(s, [convo], now=t0 + timedelta(minutes=30))
        clock = s.get(ConversationSla, convo.id)
        assert clock.due_at is None
        assert clock_of(clock, None, t0 + timedelta(minutes=40)).state == "paused"
        convo.status = "open"
        refresh(s, [convo], now=t0 + timedelta(minutes=90))  # paused for an hour
        assert clock.due_at == t0 + timedelta(minutes=180)
        assert clock_of(clock, None, t0 + timedelta(minutes=170)).state == "warning"
        assert clock_of(clock, None, t0 + timedelta(minutes=181)).state == "breached"


@BOTH
def test_most_specific_policy_wins_and_priority_changes_the_target(rt, factory):
    account = factory.account()
    _policy(rt, name="any", first=120, next=None, resolution=None)
    _policy(rt, name="urgent", priority="urgent", first=15, next=None, resolution=None)
    conversation = factory.inbound(account, "급해요", customer="c3")
    rt.jobs.drain()
    with rt.db.session() as s:
        created = s.get(Conversation, conversation.id).created_at
        assert s.get(ConversationSla, conversation.id).due_at == created + timedelta(minutes=120)
        apply_change(s, s.get(Conversation, conversation.id), Change(priority="urgent"), actor=None)
    rt.jobs.drain()
    with rt.db.session() as s:
        assert s.get(ConversationSla, conversation.id).due_at == created + timedelta(minutes=15)


@BOTH
def test_inbox_business_hours_move_the_due_time(rt, factory):
    account = factory.account()
    with rt.db.session() as s:
        save_hours(
            s,
            name="Seoul office",
            timezone="Asia/Seoul",
            always_open=False,
            weekly=SEOUL_9_TO_6,
            holidays=[],
            account_id=account.id,
            actor_id=None,
        )
    _policy(rt, first=60, next=None, resolution=None)
    saturday = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    conversation = factory.inbound(account, "주말 문의", customer="c4", at=saturday)
    with rt.db.session() as s:
        convo = s.get(Conversation, conversation.id)
        convo.created_at = saturday
        refresh(s, [convo], now=saturday)
        # Monday 09:00 KST + 1 h = 10:00 KST = 01:00 UTC
        assert s.get(ConversationSla, convo.id).due_at == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


@BOTH
def test_a_reply_moves_the_clock_to_the_next_response_target(rt, factory):
    account = factory.account()
    _policy(rt, first=60, next=30, resolution=None)
    conversation = factory.inbound(account, "hello", customer="c5")
    rt.jobs.drain()
    with rt.db.session() as s:
        convo = s.get(Conversation, conversation.id)
        convo.first_response_at = convo.created_at + timedelta(minutes=5)
        convo.waiting_since = convo.created_at + timedelta(minutes=10)
        refresh(s, [convo])
        clock = s.get(ConversationSla, convo.id)
        assert clock.target == "next_response"
        assert clock.due_at == convo.waiting_since + timedelta(minutes=30)
        convo.waiting_since = None
        refresh(s, [convo])
        assert clock.due_at is None and clock_of(clock, None, convo.created_at).state == "met"
