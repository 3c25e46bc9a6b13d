"""CSAT (issue 20 item 1): one satisfaction survey per resolved conversation, asked on the
customer's own channel through the ordinary reply path, answered by replying 1-5.

An inbox opts in with `options["csat"]` on its channel account: `enabled`, `delay_minutes`
(default 60) and quiet hours (`quiet_start`/`quiet_end` "HH:MM" in `timezone`, default
Asia/Seoul) during which a survey waits for the morning. Resolving schedules the survey
(the unique key on conversation_id makes a second one impossible, whatever races); the
sweeper sends due ones where the platform's reply window is open and records why it skipped
the others. The customer's "1".."5" reply (a quick-reply tap sends the same text) becomes
the rating and never reopens the conversation; the next message within the hour, if any,
is the comment. Messenger and Instagram get the five answers as quick replies (payload
`CSAT:<survey>:<n>`, read back from the tap), WhatsApp as an interactive list with the same
ids (connectors/whatsapp/choices.py); email gets signed one-click links to the public
page (inbox/csat_links.py); the chat widget draws a rating card for the question's message.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.conversations import system_event
from inbox.csat_links import rating_links
from inbox.csat_schedule import Config, set_config
from inbox.events import emit
from inbox.models import ChannelAccount, Conversation, Message
from inbox.models.reports import CsatSurvey
from inbox.replies import Draft, create_reply

QUESTION = (
    "상담은 만족스러우셨나요? 1(매우 불만족)부터 5(매우 만족) 중 숫자 하나로 답해 주세요.\n"
    "How satisfied were you? Reply with a number from 1 (very unhappy) to 5 (very happy)."
)
EMAIL_QUESTION = (
    "상담은 만족스러우셨나요? 아래에서 점수를 하나 눌러 주세요.\n"
    "How satisfied were you? Click one score below.\n\n"
    "{links}\n\n"
    "링크는 14일 동안 유효합니다. / The links work for 14 days."
)
LABELS = {
    1: "1 매우 불만족 / very unhappy",
    2: "2 불만족 / unhappy",
    3: "3 보통 / neutral",
    4: "4 만족 / happy",
    5: "5 매우 만족 / very happy",
}
RATING = re.compile(r"^\s*([1-5])\s*(점|/\s*5)?\s*[.!]?\s*$")
PAYLOAD = re.compile(r"^CSAT:(\d+):([1-5])$")
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
    """Why this kind of thread gets no survey, or None: public comments and mentions are
    not the place to ask (a survey under a post is noise)."""
    if conversation.kind in ("comment", "mention"):
        return "surveys are not asked in public threads"
    return None


def quick_replies(survey_id: int) -> list[dict[str, str]]:
    """The five answers as quick replies (OutboundReply.options; connectors without them
    ignore the option and the customer types the digit the question asks for)."""
    return [{"title": str(n), "payload": f"CSAT:{survey_id}:{n}"} for n in range(1, 6)]


def _draft(
    conversation: Conversation, survey: CsatSurvey, now: datetime, secret: str, base_url: str
) -> Draft:
    key = f"csat:{survey.id}"
    if conversation.kind == "email":
        links = rating_links(secret, base_url, survey.id, now)
        lines = "\n".join(f"{LABELS[n]}: {link}" for n, link in enumerate(links, start=1))
        return Draft(text=EMAIL_QUESTION.format(links=lines), idempotency_key=key)
    return Draft(
        text=QUESTION, idempotency_key=key, options={"quick_replies": quick_replies(survey.id)}
    )


def send(
    session: Session,
    survey: CsatSurvey,
    now: datetime,
    *,
    secret: str = "",
    base_url: str = "",
) -> Message | None:
    """Store the question as a pending reply (workers/send.py delivers it); the caller has
    checked the platform's reply window. None when the conversation no longer qualifies.
    `secret` and `base_url` sign and address the one-click links of an email survey."""
    conversation = session.get(Conversation, survey.conversation_id)
    if conversation is None or conversation.status != "resolved":
        skip(session, survey, "the conversation was reopened before the survey")
        return None
    reason = not_asked_here(conversation)
    if reason is not None:
        skip(session, survey, reason)
        return None
    message, _ = create_reply(
        session, conversation, None, _draft(conversation, survey, now, secret, base_url)
    )
    message.meta = {**(message.meta or {}), "csat_survey_id": survey.id}
    survey.status, survey.sent_at, survey.message_id = "sent", now, message.id
    return message


def survey_of(session: Session, conversation_id: int) -> CsatSurvey | None:
    return session.scalars(
        select(CsatSurvey).where(CsatSurvey.conversation_id == conversation_id)
    ).first()


def classify(
    survey: CsatSurvey, text: str | None, at: datetime, payload: str | None = None
) -> int | str | None:
    """What a customer's message is to this survey: the rating (an int), the comment (the
    text), or None (an ordinary message). A quick-reply payload of this survey wins over
    the text; one of another survey (an old question) is ignored."""
    if survey.sent_at is None:
        return None
    if survey.status == "sent" and at - survey.sent_at <= ANSWER_WINDOW:
        tapped = PAYLOAD.match(payload or "")
        if tapped is not None and int(tapped.group(1)) == survey.id:
            return int(tapped.group(2))
        found = RATING.match(text or "")
        return int(found.group(1)) if found is not None else None
    if (
        survey.status == "answered"
        and text
        and text.strip()
        and survey.comment is None
        and survey.answered_at is not None
        and at - survey.answered_at <= COMMENT_WINDOW
    ):
        return text.strip()[:2000]
    return None


def capture(
    session: Session,
    conversation: Conversation,
    text: str | None,
    at: datetime,
    payload: str | None = None,
) -> bool:
    """Take a customer's message as the survey answer or its comment; True if it was one
    (the caller then neither reopens the conversation nor starts a response clock)."""
    if conversation.status != "resolved" or not (text or payload):
        return False
    survey = survey_of(session, conversation.id)
    if survey is None:
        return False
    found = classify(survey, text, at, payload)
    if found is None:
        return False
    if isinstance(found, int):
        answer(session, conversation, survey, found, at)
    else:
        add_comment(session, conversation, survey, found, at)
    return True


def add_comment(
    session: Session, conversation: Conversation, survey: CsatSurvey, text: str, at: datetime
) -> None:
    survey.comment = text.strip()[:2000]
    survey.answered_at = at  # the roll-up sees the change
    system_event(session, conversation, f"CSAT comment: {survey.comment}")


def answer_once(
    session: Session, survey_id: int, rating: int, comment: str | None, at: datetime
) -> tuple[CsatSurvey, bool]:
    """An answer from outside the thread (the email page, the chat card): the first one
    counts, a repeat (a double click, a second tab) changes nothing; a comment may still be
    added to an answer that has none. Returns the survey and whether anything was stored."""
    if not 1 <= rating <= 5:
        raise ValueError("a CSAT rating is 1 to 5")
    survey = session.get(CsatSurvey, survey_id, with_for_update=True)
    if survey is None or survey.status not in ("sent", "answered"):
        raise LookupError("this survey is not waiting for an answer")
    conversation = session.get(Conversation, survey.conversation_id)
    if conversation is None:
        raise LookupError("this survey is not waiting for an answer")
    comment = (comment or "").strip() or None
    if survey.status == "sent":
        answer(session, conversation, survey, rating, at, comment)
        if comment:
            system_event(session, conversation, f"CSAT comment: {survey.comment}")
        return survey, True
    if comment and survey.comment is None:
        add_comment(session, conversation, survey, comment, at)
        return survey, True
    return survey, False


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
