"""CSAT (issue 20 item 1): one satisfaction survey per resolved conversation, asked on the
customer's own channel through the ordinary reply path, answered by replying 1-5.

An inbox opts in with `options["csat"]` on its channel account: `enabled`, `delay_minutes`
(default 60) and quiet hours (`quiet_start`/`quiet_end` "HH:MM" in `timezone`, default
Asia/Seoul) during which a survey waits for the morning. Resolving schedules the survey
(the unique key on conversation_id makes a second one impossible, whatever races); the
sweeper sends due ones where the platform's reply window is open and records why it skipped
the others. The customer's "1".."5" reply (a quick-reply tap sends the same text) becomes
the rating and never reopens the conversation; the next message within the hour, if any,
is the comment.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.conversations import system_event
from inbox.csat_schedule import Config, set_config
from inbox.events import emit
from inbox.models import ChannelAccount, Conversation, Message
from inbox.models.reports import CsatSurvey
from inbox.replies import Draft, create_reply

QUESTION = (
    "상담은 만족스러우셨나요? 1(매우 불만족)부터 5(매우 만족) 중 숫자 하나로 답해 주세요.\n"
    "How satisfied were you? Reply with a number from 1 (very unhappy) to 5 (very happy)."
)
RATING = re.compile(r"^\s*([1-5])\s*(점|/\s*5)?\s*[.!]?\s*$")
COMMENT_WINDOW = timedelta(hours=1)
ANSWER_WINDOW = timedelta(days=7)


def configure(session: Session, account_id: int, config: Config, *, actor_id: int | None) -> None:
    """An admin's change of one inbox's survey settings, audited."""
    account = session.get(ChannelAccount, account_id)
    if account is None:
        raise LookupError(f"channel account {account_id} not found")
    set_config(account, config)
    record(
        session, actor_id, "csat.configure", "channel_account", account_id, account.options["csat"]
    )


def due(session: Session, now: datetime, limit: int = 200) -> list[CsatSurvey]:
    return list(
        session.scalars(
            select(CsatSurvey)
            .where(CsatSurvey.status == "scheduled", CsatSurvey.due_at <= now)
            .order_by(CsatSurvey.due_at)
            .limit(limit)
        )
    )


def skip(session: Session, survey: CsatSurvey, reason: str) -> None:
    survey.status, survey.skip_reason = "skipped", reason
    conversation = session.get(Conversation, survey.conversation_id)
    if conversation is not None:
        system_event(session, conversation, f"CSAT survey not sent: {reason}")


def not_asked_here(conversation: Conversation) -> str | None:
    """Why this kind of thread gets no survey, or None. Public comments and mentions are
    not the place to ask; email needs signed one-click links, which are not built yet (an
    emailed "reply 1-5" would come back through the mail ingest, which does not capture
    answers, and reopen the case)."""
    if conversation.kind in ("comment", "mention"):
        return "surveys are not asked in public threads"
    if conversation.kind == "email":
        return "email surveys (signed one-click links) are not available yet"
    return None


def send(session: Session, survey: CsatSurvey, now: datetime) -> Message | None:
    """Store the question as a pending reply (workers/send.py delivers it); the caller has
    checked the platform's reply window. None when the conversation no longer qualifies."""
    conversation = session.get(Conversation, survey.conversation_id)
    if conversation is None or conversation.status != "resolved":
        skip(session, survey, "the conversation was reopened before the survey")
        return None
    reason = not_asked_here(conversation)
    if reason is not None:
        skip(session, survey, reason)
        return None
    message, _ = create_reply(
        session, conversation, None, Draft(text=QUESTION, idempotency_key=f"csat:{survey.id}")
    )
    message.meta = {**(message.meta or {}), "csat_survey_id": survey.id}
    survey.status, survey.sent_at, survey.message_id = "sent", now, message.id
    return message


def capture(session: Session, conversation: Conversation, text: str | None, at: datetime) -> bool:
    """Take a customer's message as the survey answer or its comment; True if it was one
    (the caller then neither reopens the conversation nor starts a response clock)."""
    if conversation.status != "resolved" or not text:
        return False
    survey = session.scalars(
        select(CsatSurvey).where(CsatSurvey.conversation_id == conversation.id)
    ).first()
    if survey is None or survey.sent_at is None:
        return False
    if survey.status == "sent" and at - survey.sent_at <= ANSWER_WINDOW:
        found = RATING.match(text)
        if found is None:
            return False
        answer(session, conversation, survey, int(found.group(1)), at)
        return True
    if (
        survey.status == "answered"
        and survey.comment is None
        and survey.answered_at is not None
        and at - survey.answered_at <= COMMENT_WINDOW
    ):
        survey.comment = text.strip()[:2000]
        survey.answered_at = at  # the roll-up sees the change
        system_event(session, conversation, f"CSAT comment: {survey.comment}")
        return True
    return False


def answer(
    session: Session,
    conversation: Conversation,
    survey: CsatSurvey,
    rating: int,
    at: datetime,
    comment: str | None = None,
) -> None:
    if not 1 <= rating <= 5:
        raise ValueError("a CSAT rating is 1 to 5")
    survey.rating, survey.answered_at, survey.status = rating, at, "answered"
    if comment:
        survey.comment = comment.strip()[:2000]
    system_event(session, conversation, f"Customer rated the conversation {rating}/5")
    emit(
        session,
        "csat.answered",
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        rating=rating,
    )
