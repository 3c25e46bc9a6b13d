"""CSAT over X DMs (issue 20) through the X sandbox: the survey is sent once as plain text (X
has no quick replies), the customer's "5" and comment are parsed from the polled DMs without
reopening the case, and a public mention thread is never asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inbox import csat_schedule
from inbox.conversations import Change, apply_change
from inbox.models import ChannelAccount, Conversation, Message
from inbox.models.reports import CsatSurvey
from switchboard.runtime import Runtime
from tests.connectors.x import test_end_to_end as e2e
from tests.connectors.x.conftest import Sandbox
from workers.csat import send_due_surveys
from workers.poll import poll_account

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
settings_overrides = e2e.settings_overrides  # the sandbox's URL and consumer keys
x_account = e2e.x_account


def _later() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=1)


def _resolve(rt: Runtime, conversation_id: int) -> None:
    with rt.db.session() as s:
        row = s.get(Conversation, conversation_id)
        assert row is not None
        apply_change(s, row, Change(status="resolved"), actor=None)


def _survey(rt: Runtime, conversation_id: int) -> CsatSurvey | None:
    with rt.db.session() as s:
        survey = s.scalars(
            select(CsatSurvey).where(CsatSurvey.conversation_id == conversation_id)
        ).first()
        if survey is not None:
            s.expunge(survey)
        return survey


def _conversation(rt: Runtime, kind: str) -> Conversation:
    with rt.db.session() as s:
        row = s.scalars(select(Conversation).where(Conversation.kind == kind)).one()
        s.expunge(row)
        return row


@BOTH
def test_x_dm_survey_is_asked_once_and_the_answer_parsed(
    rt: Runtime, sandbox: Sandbox, x_account: ChannelAccount
) -> None:
    with rt.db.session() as s:
        row = s.get(ChannelAccount, x_account.id)
        assert row is not None
        csat_schedule.set_config(row, csat_schedule.Config(enabled=True, delay_minutes=0))
    sandbox.emu("dms", **{"from": "yuna_jj", "text": "환불 신청했는데 확인 부탁드려요"})
    e2e._mention(sandbox, "배송이 너무 느려요")
    poll_account(x_account.id)
    dm, mention = _conversation(rt, "dm"), _conversation(rt, "mention")
    _resolve(rt, dm.id)
    _resolve(rt, mention.id)
    assert send_due_surveys(_later()) == 1
    assert rt.jobs.drain()
    assert send_due_surveys(_later()) == 0  # never a second survey
    posted = sandbox.received("POST", f"/2/dm_conversations/with/{e2e.YUNA}/messages")
    assert len(posted) == 1
    assert set(posted[0]["json"]) == {"text"}  # plain text: X DMs get no quick replies
    assert "How satisfied were you?" in posted[0]["json"]["text"]
    assert not sandbox.received("POST", "/2/tweets")  # the public thread was not asked
    skipped = _survey(rt, mention.id)
    assert skipped is not None and skipped.status == "skipped"
    assert skipped.skip_reason == "surveys are not asked in public threads"

    sandbox.emu("dms", **{"from": "yuna_jj", "text": "5점"})
    poll_account(x_account.id)  # brings back our question (echo) and the answer
    survey = _survey(rt, dm.id)
    assert survey is not None and (survey.status, survey.rating) == ("answered", 5)
    sandbox.emu("dms", **{"from": "yuna_jj", "text": "빠르게 처리해 주셨어요"})
    poll_account(x_account.id)
    survey = _survey(rt, dm.id)
    assert survey is not None and survey.comment == "빠르게 처리해 주셨어요"
    after = _conversation(rt, "dm")
    assert after.status == "resolved" and after.reopen_count == 0
    with rt.db.session() as s:
        question = s.get(Message, survey.message_id)
        assert question is not None and question.status == "sent" and question.external_id
        texts = list(s.scalars(select(Message.text).where(Message.conversation_id == dm.id)))
    assert "Customer rated the conversation 5/5" in texts
    assert texts.count(posted[0]["json"]["text"]) == 1  # the echo matched, not stored twice

    sandbox.emu("dms", **{"from": "yuna_jj", "text": "하나 더 여쭤볼게요"})
    poll_account(x_account.id)
    assert _conversation(rt, "dm").status == "open"
