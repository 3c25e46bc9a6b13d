"""Phone calls on the customer's timeline: one `call` message per call, keyed by the
provider's call id, that every callback about the call updates.

Callbacks come retried and out of order (a `completed` before the `ringing` it follows), so
each fact is merged, never replayed: the outcome (answered, missed, abandoned) is set by the
first callback that knows it and never moved back; the duration by the final status; a
recording is attached once per recording id; the transcript when it comes. A missed call or
a voicemail is the customer waiting for us: it opens (or reopens) the conversation, starts
the response clock like a message would, and sets the conversation's follow-up task to
"Call back …" (the model `resolve and follow up` uses), so assignment, SLA and reports apply.

Incoming calls are routed here too (`route`): ring the on-shift members of the number's
inbox who have a phone, else the number's forwarding number, inside its business hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import CallRoute, Words
from connectors.phone.numbers import BadNumber, to_e164
from inbox.audit import record
from inbox.business_hours import Schedule, hours_for
from inbox.events import emit
from inbox.models import ChannelAccount, Conversation, Message, User, inbox_member

OUTCOMES = ("answered", "missed", "abandoned", "not_reached")
LOG_DIRECTIONS = ("inbound", "outbound")
MAX_LOGGED_SECONDS = 24 * 3600
NEEDS_CALL_BACK = ("missed", "abandoned")
STAGES = {"queued": 0, "initiated": 0, "ringing": 1, "in_progress": 2, "agent_answered": 2}
# How long a claimed click-to-call may stay "placing" before the sweeper settles it: far
# longer than the one provider request it waits on (PHONE_HTTP_TIMEOUT, 20 s, no retries).
PLACING_DEADLINE = timedelta(minutes=5)
STOPPED_PLACING = "the worker stopped while placing the call; it may not have rung: call again"


def route(session: Session, account: ChannelAccount, now: datetime) -> CallRoute:
    """Who an incoming call rings now (CallRoute.open False: closed, take a voicemail)."""
    if not Schedule.of(hours_for(session, account.id)).is_open(now):
        return CallRoute(open=False)
    numbers = session.scalars(
        select(User.phone)
        .join(inbox_member, inbox_member.c.user_id == User.id)
        .where(
            inbox_member.c.channel_account_id == account.id,
            User.is_active.is_(True),
            User.available.is_(True),
            User.phone.is_not(None),
            User.role.in_(("admin", "agent")),
        )
        .order_by(User.id)
    ).all()
    dial = tuple(dict.fromkeys(n for n in numbers if n))
    if not dial:
        forward = str((account.options or {}).get("forward_to") or "")
        try:
            dial = (to_e164(forward),) if forward else ()
        except BadNumber:
            dial = ()
    return CallRoute(open=True, dial=dial[:10])  # the provider dials at most 10 at once


def merge(meta: dict[str, Any], call: dict[str, Any], at: datetime) -> tuple[dict[str, Any], bool]:
    """The call's facts with one callback's merged in; (new meta, whether anything changed)."""
    facts = dict(meta)
    event = str(call.get("event") or "")
    seen = list(facts.get("events") or [])
    recorded = event in ("recording", "transcript")
    key = f"{event}:{call.get('recording_sid')}" if recorded else event
    if key in seen:
        return facts, False
    facts["events"] = [*seen, key]
    if facts.pop("stopped_placing", False):
        # The sweeper gave the call up (settle_stale), yet the provider reports on it.
        for stale in ("outcome", "problem"):
            facts.pop(stale, None)
        facts["stage"] = "initiated"
    facts.setdefault("direction", call.get("direction", "inbound"))
    if event in STAGES and STAGES[event] > STAGES.get(str(facts.get("stage")), -1):
        facts["stage"] = event
    if event == "ringing":
        facts.setdefault("started_at", at.isoformat())
    if event == "agent_answered":
        facts["answered_by"] = call.get("answered_by")
        facts.setdefault("outcome", "answered")
    if (event in OUTCOMES and facts.get("outcome") in (None, "missed")) or (
        event == "answered" and facts.get("outcome") != "answered"
    ):
        facts["outcome"] = event
    if event == "answered" and call.get("talk_seconds") is not None:
        facts["talk_seconds"] = call["talk_seconds"]
    if event == "ended":
        facts["ended_at"] = at.isoformat()
        facts["status"] = call.get("status")
        facts["duration"] = call.get("duration")
        if "outcome" not in facts:
            facts["outcome"] = _unanswered(facts, str(call.get("status") or ""))
    if event == "recording":
        facts["voicemail"] = True
        facts["recording_seconds"] = call.get("recording_duration")
        facts.setdefault("outcome", "missed")
    if event == "transcript":
        if call.get("transcript"):
            facts["transcript"] = call["transcript"]
        else:
            facts["transcript_problem"] = call.get("transcript_problem")
    return facts, True


def _unanswered(facts: dict[str, Any], status: str) -> str:
    """The outcome of a call that ended with no answer recorded."""
    if facts.get("direction") == "outbound":
        return "not_reached"  # the agent or the customer never picked up
    if status == "canceled":
        return "abandoned"
    # busy / no-answer / failed, and `completed`: an incoming call the provider answered with
    # TwiML ends completed even when no person spoke to the caller (closed, hung up at the
    # beep). Nobody did, so it is missed.
    return "missed"


def needs_call_back(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """The customer reached nobody: the first time an inbound call is missed or abandoned,
    or leaves a voicemail."""
    if after.get("direction") != "inbound":
        return False
    missed = after.get("outcome") in NEEDS_CALL_BACK or after.get("voicemail")
    was = before.get("outcome") in NEEDS_CALL_BACK or before.get("voicemail")
    return bool(missed and not was)


def summary(facts: dict[str, Any], customer: str) -> str:
    """The call message's text (list preview and search); the thread shows a card."""
    direction = "Outgoing call" if facts.get("direction") == "outbound" else "Incoming call"
    parts = [f"📞 {direction} {customer}"]
    outcome = facts.get("outcome")
    if outcome:
        parts.append(str(outcome))
    elif facts.get("stage"):
        parts.append(str(facts["stage"]).replace("_", " "))
    seconds = facts.get("talk_seconds") or facts.get("duration")
    if seconds:
        parts.append(duration_text(int(seconds)))
    if facts.get("voicemail"):
        parts.append("voicemail")
    text = " · ".join(parts)
    if facts.get("transcript"):
        text += f"\n{facts['transcript']}"
    return text


def duration_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def answered_after_all(
    conversation: Conversation, before: dict[str, Any], after: dict[str, Any], customer: str
) -> bool:
    """A late `answered` for a call first taken as missed (callbacks out of order): the
    call-back task it set is withdrawn. True when it was."""
    if before.get("outcome") not in NEEDS_CALL_BACK or after.get("outcome") != "answered":
        return False
    if after.get("voicemail") or conversation.follow_up_task != call_back_task(customer):
        return False
    conversation.follow_up_task = None
    return True


def name_agent(session: Session, facts: dict[str, Any]) -> None:
    """Who picked up, by name, when the number that answered is an agent's."""
    number = facts.get("answered_by")
    if not number or facts.get("answered_by_name"):
        return
    name = session.scalars(select(User.name).where(User.phone == number)).first()
    if name:
        facts["answered_by_name"] = name


def call_back_task(customer: str) -> str:
    return f"Call back {customer}"


def open_call_back(conversation: Conversation, customer: str) -> None:
    conversation.follow_up_task = call_back_task(customer)


class CallRefused(ValueError):
    """A call cannot be placed or logged; the message says why (shown to the agent)."""


def request_call(session: Session, conversation: Conversation, agent: User) -> Message:
    """Click-to-call, stored first: an outbound call message the job then places
    (workers/phone.py). The agent's phone rings first, so they need one on their profile."""
    if not agent.phone:
        raise CallRefused(
            Words(
                "set your phone number on your profile first: your phone rings first",
                "프로필에 내 전화번호를 먼저 입력하세요: 내 전화가 먼저 울립니다",
            )
        )
    message = Message(
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        direction="outbound",
        kind="call",
        author_user_id=agent.id,
        text="",
        meta={
            "direction": "outbound",
            "stage": "requested",
            "agent_phone": agent.phone,
            "events": [],
        },
    )
    message.text = summary(message.meta, conversation.participant_key)
    session.add(message)
    session.flush()
    conversation.last_activity_at = max(conversation.last_activity_at, message.created_at)
    record(session, agent.id, "call.request", "message", message.id)
    emit(
        session,
        "message.created",
        conversation_id=conversation.id,
        message_id=message.id,
        channel_account_id=conversation.channel_account_id,
        direction="outbound",
    )
    return message


def placing(message: Message, now: datetime) -> None:
    """Claim a requested call for the job, with a deadline for the sweeper (`settle_stale`).

    The deadline lives in `next_attempt_at`, which is indexed with `status` (NULL for call
    messages), so the sweeper finds the few claimed calls without reading every message."""
    message.meta = {**(message.meta or {}), "stage": "placing"}
    message.next_attempt_at = now + PLACING_DEADLINE


def placed(session: Session, message: Message, call_id: str) -> None:
    """The provider took the call: its id, unless a status recorded it first. A call the
    sweeper gave up on (a provider slower than PLACING_DEADLINE) is placed after all."""
    if message.external_id is None:
        message.external_id = call_id
    facts = dict(message.meta or {})
    if facts.pop("stopped_placing", False):
        facts["stage"] = "placing"
        for key in ("outcome", "problem"):
            facts.pop(key, None)
        message.failure_reason = None
    if facts.get("stage") in ("requested", "placing"):
        facts["stage"] = "initiated"
    message.meta = facts
    message.next_attempt_at = None
    emit(session, "message.updated", conversation_id=message.conversation_id, message_id=message.id)


def place_failed(session: Session, message: Message, reason: str) -> None:
    facts = dict(message.meta or {})
    facts |= {"stage": "failed", "outcome": "not_reached", "problem": reason[:500]}
    facts.pop("stopped_placing", None)
    message.meta = facts
    message.failure_reason = reason[:500]
    message.next_attempt_at = None
    emit(session, "message.updated", conversation_id=message.conversation_id, message_id=message.id)


def settle_stale(session: Session, now: datetime) -> int:
    """Calls claimed for placing whose deadline passed: the job died between its claim and
    recording the answer. Still `placing` means no status about the call came either, so it
    is shown as not placed, with the reason (a late status or the job's answer still
    settles it). Statuses that came meanwhile leave it as they made it. The count settled."""
    stale = session.scalars(
        select(Message)
        .where(
            Message.status.is_(None),
            Message.next_attempt_at <= now,
            Message.kind == "call",
        )
        .with_for_update(skip_locked=True)
    ).all()
    settled = 0
    for message in stale:
        message.next_attempt_at = None
        if (message.meta or {}).get("stage") != "placing":
            continue
        place_failed(session, message, STOPPED_PLACING)
        message.meta = {**message.meta, "stopped_placing": True}
        settled += 1
    return settled


def log_call(
    session: Session,
    conversation: Conversation,
    agent: User,
    *,
    direction: str,
    number: str,
    seconds: int,
    outcome: str,
    notes: str,
    at: datetime,
) -> Message:
    """A call made outside Switchboard, written down by the agent (never sent anywhere)."""
    if direction not in LOG_DIRECTIONS:
        choices = ", ".join(LOG_DIRECTIONS)
        raise CallRefused(
            Words(f"direction must be one of {choices}", f"방향은 {choices} 중 하나여야 합니다")
        )
    if outcome not in OUTCOMES:
        choices = ", ".join(OUTCOMES)
        raise CallRefused(
            Words(f"outcome must be one of {choices}", f"결과는 {choices} 중 하나여야 합니다")
        )
    if not 0 <= seconds <= MAX_LOGGED_SECONDS:
        raise CallRefused(
            Words(
                "the duration must be between 0 and 24 hours",
                "통화 시간은 0시간에서 24시간 사이여야 합니다",
            )
        )
    try:
        customer = to_e164(number)
    except BadNumber as exc:
        raise CallRefused(Words(str(exc), f"{number!r}은(는) 전화번호가 아닙니다")) from exc
    facts: dict[str, Any] = {
        "direction": direction,
        "outcome": outcome,
        "duration": seconds,
        "number": customer,
        "notes": notes.strip()[:4000],
        "logged_by": agent.name,
        "events": ["logged"],
    }
    message = Message(
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        direction=direction,
        kind="call",
        author_user_id=agent.id,
        text=summary(facts, customer) + (f"\n{facts['notes']}" if facts["notes"] else ""),
        created_at=at,
        meta=facts,
    )
    session.add(message)
    session.flush()
    conversation.last_activity_at = max(conversation.last_activity_at, at)
    record(session, agent.id, "call.log", "message", message.id)
    emit(
        session,
        "message.created",
        conversation_id=conversation.id,
        message_id=message.id,
        channel_account_id=conversation.channel_account_id,
        direction=direction,
    )
    return message


def by_ref(session: Session, ref: str) -> Message | None:
    """Our click-to-call message, named by the `ref` its statuses carry."""
    return session.scalars(
        select(Message)
        .where(Message.uuid == ref, Message.kind == "call")
        .with_for_update(key_share=True)
    ).first()


def call_message(session: Session, account_id: int, call_id: str) -> Message | None:
    return session.scalars(
        select(Message)
        .where(Message.channel_account_id == account_id, Message.external_id == call_id)
        .with_for_update(key_share=True)
    ).first()
