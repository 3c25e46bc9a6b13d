"""CSAT surveys on SQLite and PostgreSQL: scheduling per inbox, the delay and quiet hours, one
survey per conversation, the platform window and opt-outs, answers and comments that never
reopen the case."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inbox import csat, csat_schedule
from inbox.conversations import Change, apply_change
from inbox.models import ChannelAccount, Conversation, Message
from inbox.models.reports import CsatSurvey
from inbox.replies import close_reply_window
from switchboard.runtime import Runtime
from workers.csat import send_due_surveys
from workers.sweep import sweep

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
SOON = timedelta(seconds=1)


def _enable(rt: Runtime, account: ChannelAccount, **kw: Any) -> None:
    with rt.db.session() as session:
        row = session.get(ChannelAccount, account.id)
        assert row is not None
        csat_schedule.set_config(row, csat_schedule.Config(enabled=True, **kw))


def _set(rt: Runtime, conversation_id: int, status: str) -> None:
    with rt.db.session() as session:
        row = session.get(Conversation, conversation_id)
        assert row is not None
        apply_change(session, row, Change(status=status), actor=None)


def _survey(rt: Runtime, conversation_id: int) -> CsatSurvey | None:
    with rt.db.session() as session:
        return session.scalars(
            select(CsatSurvey).where(CsatSurvey.conversation_id == conversation_id)
        ).first()


def _events(rt: Runtime, conversation_id: int) -> list[str]:
    with rt.db.session() as session:
        return list(
            session.scalars(
                select(Message.text).where(
                    Message.conversation_id == conversation_id, Message.kind == "event"
                )
            )
        )


@BOTH
def test_only_opted_in_inboxes_ask_and_only_once(rt: Runtime, factory: Any) -> None:
    quiet = factory.account(external_id="page-quiet")
    asking = factory.account(external_id="page-ask")
    _enable(rt, asking, delay_minutes=0)
    silent = factory.inbound(quiet, "문의", customer="q1")
    asked = factory.inbound(asking, "문의", customer="a1")
    for conversation in (silent, asked):
        _set(rt, conversation.id, "resolved")
    assert _survey(rt, silent.id) is None
    first = _survey(rt, asked.id)
    assert first is not None and first.status == "scheduled"
    _set(rt, asked.id, "open")
    _set(rt, asked.id, "resolved")  # resolved again: still the one survey
    with rt.db.session() as session:
        assert len(session.scalars(select(CsatSurvey)).all()) == 1
    with pytest.raises(IntegrityError), rt.db.session() as session:
        session.add(CsatSurvey(conversation_id=asked.id, due_at=datetime.now(UTC)))
        session.flush()


@BOTH
def test_due_surveys_go_out_through_the_send_path_once(rt: Runtime, factory: Any) -> None:
    account = factory.account(external_id="page-1")
    _enable(rt, account, delay_minutes=0)
    conversation = factory.inbound(account, "문의", customer="s1")
    _set(rt, conversation.id, "resolved")
    assert send_due_surveys(datetime.now(UTC) + SOON) == 1
    assert rt.jobs.drain()
    survey = _survey(rt, conversation.id)
    assert survey is not None and survey.status == "sent" and survey.message_id
    with rt.db.session() as session:
        question = session.get(Message, survey.message_id)
        assert question is not None and question.status == "sent"
        assert "How satisfied were you?" in (question.text or "")
    assert send_due_surveys(datetime.now(UTC) + SOON) == 0


@BOTH
def test_outside_the_window_or_reopened_it_is_skipped_with_a_reason(
    rt: Runtime, factory: Any
) -> None:
    account = factory.account(external_id="page-1", options={"window_hours": 24})
    _enable(rt, account, delay_minutes=0)
    late = factory.inbound(
        account, "문의", customer="w1", at=datetime.now(UTC) - timedelta(hours=30)
    )
    reopened = factory.inbound(account, "문의", customer="w2")
    _set(rt, late.id, "resolved")
    _set(rt, reopened.id, "resolved")
    with rt.db.session() as session:  # reopened by someone after the survey was planned
        row = session.get(Conversation, reopened.id)
        assert row is not None
        row.status = "open"
    assert send_due_surveys(datetime.now(UTC) + SOON) == 0
    skipped = _survey(rt, late.id)
    assert skipped is not None and skipped.status == "skipped"
    assert "24 hours" in (skipped.skip_reason or "")
    assert any("CSAT survey not sent" in t for t in _events(rt, late.id))
    with rt.db.session() as session:
        email = session.get(Conversation, reopened.id)
        assert email is not None
        email.kind = "email"
        assert csat.not_asked_here(email) is None  # asked with signed one-click links
        email.kind = "comment"
        assert csat.not_asked_here(email) == "surveys are not asked in public threads"
        session.rollback()
    other = _survey(rt, reopened.id)
    assert (
        other is not None and other.skip_reason == "the conversation was reopened before the survey"
    )


@BOTH
def test_answer_and_comment_keep_the_case_resolved_other_text_reopens(
    rt: Runtime, factory: Any
) -> None:
    account = factory.account(external_id="page-1")
    _enable(rt, account, delay_minutes=0)
    conversation = factory.inbound(account, "문의", customer="r1")
    _set(rt, conversation.id, "resolved")
    send_due_surveys(datetime.now(UTC) + SOON)
    rt.jobs.drain()
    factory.inbound(account, "4점", customer="r1")
    factory.inbound(account, "빨랐어요", customer="r1")
    survey = _survey(rt, conversation.id)
    assert survey is not None and (survey.rating, survey.comment) == (4, "빨랐어요")
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None and row.status == "resolved" and row.reopen_count == 0
    factory.inbound(account, "그런데 하나 더 물어볼게요", customer="r1")
    with rt.db.session() as session:
        row = session.get(Conversation, conversation.id)
        assert row is not None and row.status == "open" and row.reopen_count == 1
    events = _events(rt, conversation.id)
    assert "Customer rated the conversation 4/5" in events and "CSAT comment: 빨랐어요" in events


def test_quiet_hours_move_the_survey_to_the_morning() -> None:
    config = csat_schedule.Config(
        enabled=True, delay_minutes=30, quiet_start=time(21), quiet_end=time(9)
    )
    late = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)  # 22:00 in Seoul, +30 min = 22:30
    assert csat_schedule.due_time(config, late) == datetime(
        2026, 12, 6, 0, 0, tzinfo=UTC
    )  # 09:00 KST
    day = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 12:00 in Seoul
    assert csat_schedule.due_time(config, day) == day + timedelta(minutes=30)
    early = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # 05:00 in Seoul the same morning
    assert csat_schedule.due_time(config, early) == datetime(2026, 12, 5, 0, 0, tzinfo=UTC)


def test_ratings_are_read_strictly() -> None:
    assert [bool(csat.RATING.match(t)) for t in ("5", " 3 ", "4점", "2/5", "1.")] == [True] * 5
    assert [bool(csat.RATING.match(t)) for t in ("6", "0", "55", "5 stars please", "")] == [
        False
    ] * 5
    with pytest.raises(ValueError, match="delay"):
        csat_schedule.set_config(
            ChannelAccount(options={}), csat_schedule.Config(enabled=True, delay_minutes=-1)
        )


@BOTH
def test_no_survey_where_an_agent_could_not_write_either(rt: Runtime, factory: Any) -> None:
    """A customer who texted STOP gets no survey by text, and a conversation whose window
    the platform itself reported closed gets none (the composer refuses both for agents)."""
    phone = factory.account("phone", connector="phone", external_id="+8225550100")
    page = factory.account(external_id="page-closed")
    _enable(rt, phone, delay_minutes=0)
    _enable(rt, page, delay_minutes=0)
    stopped = factory.inbound(phone, "배송 언제 되나요?", customer="+821012345678").id
    factory.inbound(phone, "수신거부", customer="+821012345678", extra={"opt_out": "stop"})
    texting = factory.inbound(phone, "영수증 문자로 주세요", customer="+821098765432").id
    refused = factory.inbound(page, "문의", customer="closed-1")
    with rt.db.session() as session:
        row = session.get(Conversation, refused.id)
        assert row is not None
        close_reply_window(session, row, "window_closed: (#10) outside the allowed window")
    for conversation_id in (stopped, texting, refused.id):
        _set(rt, conversation_id, "resolved")
    assert sweep()["csat"] == 1  # the sweeper's own run: only the customer still texting
    opted_out = _survey(rt, stopped)
    assert opted_out is not None and opted_out.status == "skipped"
    assert "opted out of texts" in (opted_out.skip_reason or "")
    closed = _survey(rt, refused.id)
    assert closed is not None and closed.status == "skipped"
    assert "the platform refused the last reply" in (closed.skip_reason or "")
    asked = _survey(rt, texting)
    assert asked is not None and asked.status == "sent"
    assert any("CSAT survey not sent: the customer opted out" in t for t in _events(rt, stopped))


@BOTH
def test_the_survey_waits_for_its_delay_and_the_end_of_quiet_hours(
    rt: Runtime, factory: Any
) -> None:
    """Resolving plans the survey at resolve + delay, or at the end of the inbox's quiet
    hours when that falls inside them; the sweeper sends nothing before that time."""
    seoul = ZoneInfo("Asia/Seoul")
    delayed = factory.account(external_id="page-delay")
    quiet = factory.account(external_id="page-quiet-hours")
    _enable(rt, delayed, delay_minutes=90)
    now = datetime.now(seoul).replace(second=0, microsecond=0)
    # Quiet from an hour ago to three hours from now: resolve + 90 min falls inside.
    _enable(
        rt,
        quiet,
        delay_minutes=90,
        quiet_start=(now - timedelta(hours=1)).time(),
        quiet_end=(now + timedelta(hours=3)).time(),
        timezone="Asia/Seoul",
    )
    later = factory.inbound(delayed, "문의", customer="d1")
    morning = factory.inbound(quiet, "문의", customer="d2")
    before = datetime.now(UTC)
    _set(rt, later.id, "resolved")
    _set(rt, morning.id, "resolved")
    after = datetime.now(UTC)
    first, second = _survey(rt, later.id), _survey(rt, morning.id)
    assert first is not None and second is not None
    due, wake = _aware(first.due_at), _aware(second.due_at)
    assert before + timedelta(minutes=90) <= due <= after + timedelta(minutes=90)
    assert wake == now + timedelta(hours=3)
    assert send_due_surveys(due - timedelta(minutes=1)) == 0
    assert send_due_surveys(due + timedelta(seconds=1)) == 1
    assert send_due_surveys(wake - timedelta(minutes=1)) == 0
    assert send_due_surveys(wake + timedelta(seconds=1)) == 1


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite drops the zone
