"""A few weeks of resolved history for the demo, so the reports page has something to show.

Five weeks of conversations re-using the sample scripts: more on weekdays and office hours,
first replies from minutes to hours, most resolved, a few reopened, chat questions answered by
self-service or handed to a person, and CSAT answers on part of the resolved ones. Written
once, on the demo's sample accounts only; each conversation starts from a real ingest of its
first message (contact, identity, search row), then its history is dated back.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cli.seed import DEMO_ACCOUNTS, SCRIPTS
from connectors.base import ConversationKind, EventKind, InboundEvent, Participant
from inbox.ingest import record_event
from inbox.models import ChannelAccount, Conversation, Message, User, team_member
from inbox.models.reports import CsatSurvey

DAYS = 35
SEOUL = ZoneInfo("Asia/Seoul")
HISTORY_KEY = "history-"  # external ids of the seeded history


def seed_history(
    session: Session, *, accounts: dict[str, ChannelAccount], agents: list[User], now: datetime
) -> int:
    """Write the history once (skipped when it exists); return conversations created."""
    seeded = session.scalar(
        select(func.count()).select_from(Message).where(Message.external_id.like("history-%"))
    )
    if seeded or not agents:
        return 0
    rng = random.Random(20261205)
    teams: dict[int, int] = {
        user_id: team_id
        for user_id, team_id in session.execute(
            select(team_member.c.user_id, team_member.c.team_id)
        )
    }
    kinds = {slug: kind for slug, _, _, kind in DEMO_ACCOUNTS}
    channels = [c for c in ("facebook", "instagram", "x", "email", "webchat") if c in accounts]
    created = 0
    today = now.astimezone(SEOUL).date()
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        count = rng.randint(3, 6) if day.weekday() >= 5 else rng.randint(8, 15)
        for n in range(count):
            hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
            local = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=SEOUL)
            channel = rng.choices(channels, weights=[4, 3, 1, 2, 3][: len(channels)])[0]
            script = rng.choice(SCRIPTS)
            agent = rng.choice(agents)
            _conversation(
                session,
                rng,
                accounts[channel],
                kinds[channel],
                script.topic,
                script.customer[0],
                (agent, teams.get(agent.id)),
                local,
                f"{day.isoformat()}-{n}",
            )
            created += 1
    return created


# Office hours busiest, a lunch dip, a little at night (Asia/Seoul).
_HOUR_WEIGHTS = [1, 1, 0, 0, 0, 0, 1, 2, 5, 9, 10, 9, 6, 8, 10, 10, 9, 7, 5, 4, 4, 3, 2, 1]


def _conversation(
    session: Session,
    rng: random.Random,
    account: ChannelAccount,
    kind: ConversationKind,
    topic: str,
    text: str,
    staff: tuple[User, int | None],
    started: datetime,
    key: str,
) -> None:
    agent, team_id = staff
    who = Participant(external_id=f"history-{key}", name=f"고객 {key[-4:]}", handle=None)
    outcome = record_event(
        session,
        account,
        InboundEvent(
            kind=EventKind.MESSAGE,
            account_external_id=account.external_id,
            external_id=f"{HISTORY_KEY}{key}",
            thread_key=f"history-{key}",
            conversation_kind=kind,
            sent_at=started,
            customer=who,
            text=text,
            subject=text[:60] if kind is ConversationKind.EMAIL else None,
        ),
    )
    conversation = session.get(Conversation, outcome.conversation_id)
    assert conversation is not None
    conversation.created_at = started
    conversation.category = topic
    if kind is ConversationKind.CHAT and rng.random() < 0.55:
        solved = rng.random() < 0.6
        conversation.self_service = "resolved" if solved else "handed_off"
        if solved:
            _close(conversation, started + timedelta(minutes=rng.randint(1, 5)))
            return
    conversation.assignee_id, conversation.team_id = agent.id, team_id
    replied = started + timedelta(seconds=int(rng.lognormvariate(7.2, 1.1)))
    _reply(session, conversation, agent, replied, f"{key}-1")
    conversation.first_response_at = replied
    last = replied
    if rng.random() < 0.5:
        again = replied + timedelta(minutes=rng.randint(5, 240))
        session.add(
            Message(
                conversation_id=conversation.id,
                channel_account_id=conversation.channel_account_id,
                external_id=f"{HISTORY_KEY}{key}-in2",
                direction="inbound",
                kind="comment" if kind is ConversationKind.COMMENT else "message",
                text="확인 부탁드려요",
                created_at=again,
                stored_at=again,
            )
        )
        last = again + timedelta(seconds=int(rng.lognormvariate(7.5, 1.0)))
        _reply(session, conversation, agent, last, f"{key}-2")
    conversation.waiting_since = None
    if rng.random() < 0.85:
        _close(conversation, last + timedelta(minutes=rng.randint(2, 60 * 20)))
        conversation.reopen_count = 1 if rng.random() < 0.07 else 0
        if rng.random() < 0.45:
            rating = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 8, 12])[0]
            assert conversation.resolved_at is not None
            answered = conversation.resolved_at + timedelta(hours=1)
            session.add(
                CsatSurvey(
                    conversation_id=conversation.id,
                    status="answered",
                    due_at=conversation.resolved_at,
                    sent_at=conversation.resolved_at,
                    rating=rating,
                    answered_at=answered,
                )
            )
    else:
        conversation.last_activity_at = last


def _close(conversation: Conversation, at: datetime) -> None:
    conversation.status = "resolved"
    conversation.resolved_at = at
    conversation.last_activity_at = at


def _reply(
    session: Session, conversation: Conversation, agent: User, at: datetime, key: str
) -> None:
    session.add(
        Message(
            conversation_id=conversation.id,
            channel_account_id=conversation.channel_account_id,
            external_id=f"{HISTORY_KEY}{key}-out",
            direction="outbound",
            kind="message",
            author_user_id=agent.id,
            text="확인해 드렸습니다. 추가로 궁금하신 점 있으시면 말씀해 주세요.",
            status="delivered",
            sent_at=at,
            created_at=at,
            stored_at=at,
        )
    )
