"""CSAT surveys on SQLite and PostgreSQL: scheduling per inbox, quiet hours, one survey per
conversation, the platform window, answers and comments that never reopen the case."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inbox import csat, csat_schedule
from inbox.conversations import Change, apply_change
from inbox.models import ChannelAccount, Conversation, Message
from inbox.models.reports import CsatSurvey
from switchboard.runtime import Runtime
from workers.csat import send_due_surveys

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
