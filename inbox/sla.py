"""SLA policies: first response, next response and resolution targets per priority and inbox.

Each conversation has one clock row (`conversation_sla`) holding its next due time: the
earliest of the targets still open. It is recomputed from the conversation after every
change that matters (a job reacting to committed events, see workers/automation.py), and the
sweeper announces warnings and breaches once each. While a conversation is pending or snoozed
the clock stops; the open time it spent paused is added to every target when it runs again.
Targets count business hours of the inbox (inbox/business_hours.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.audit import record
from inbox.business_hours import Schedule, hours_for
from inbox.conversations import system_event
from inbox.db import insert_ignore_many
from inbox.events import emit
from inbox.models import PRIORITIES, Conversation, utcnow
from inbox.models.sla import ConversationSla, SlaPolicy
from inbox.workflow_config import changed

ORIGIN = "sla"
TARGETS = ("first_response", "next_response", "resolution")
PAUSED_STATUSES = ("pending", "snoozed")


@dataclass(frozen=True, slots=True)
class Clock:
    """What the list shows: which target, when it is due, and its state now."""

    target: str | None
    due_at: datetime | None
    state: str  # none | ok | warning | breached | paused | met
    seconds_left: float | None


def save_policy(
    session: Session,
    *,
    name: str,
    priority: str,
    account_id: int | None,
    first_response_minutes: int | None,
    next_response_minutes: int | None,
    resolution_minutes: int | None,
    warn_minutes: int = 15,
    enabled: bool = True,
    policy_id: int | None = None,
    actor_id: int | None,
) -> SlaPolicy:
    name = name.strip()
    if not name:
        raise ValueError(Words("an SLA policy needs a name", "SLA 정책 이름을 적으세요"))
    if priority != "any" and priority not in PRIORITIES:
        raise ValueError(f"priority must be any or one of {', '.join(PRIORITIES)}")
    targets = (first_response_minutes, next_response_minutes, resolution_minutes)
    if all(t is None for t in targets):
        raise ValueError(Words("set at least one target", "목표 시간을 하나 이상 정하세요"))
    if any(t is not None and t <= 0 for t in targets) or warn_minutes < 0:
        raise ValueError(
            Words("targets are minutes greater than zero", "목표 시간은 0보다 큰 분 단위입니다")
        )
    policy = session.get(SlaPolicy, policy_id) if policy_id else SlaPolicy()
    if policy is None:
        raise LookupError(f"SLA policy {policy_id} not found")
    policy.name, policy.priority, policy.channel_account_id = name, priority, account_id
    policy.first_response_minutes = first_response_minutes
    policy.next_response_minutes = next_response_minutes
    policy.resolution_minutes = resolution_minutes
    policy.warn_minutes, policy.enabled = warn_minutes, enabled
    session.add(policy)
    session.flush()
    record(session, actor_id, "sla.policy", "sla_policy", policy.id, {"name": name})
    changed(session)
    return policy


def delete_policy(session: Session, policy_id: int, *, actor_id: int | None) -> None:
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise LookupError(f"SLA policy {policy_id} not found")
    session.delete(policy)
    record(session, actor_id, "sla.policy_delete", "sla_policy", policy_id)
    changed(session)


def policy_for(session: Session, conversation: Conversation) -> SlaPolicy | None:
    """The most specific enabled policy: own inbox beats any inbox, own priority beats any."""
    return _most_specific(_enabled_policies(session), conversation)


def _enabled_policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).where(SlaPolicy.enabled.is_(True))))


def _most_specific(policies: list[SlaPolicy], conversation: Conversation) -> SlaPolicy | None:
    candidates = [
        p
        for p in policies
        if p.priority in (conversation.priority, "any")
        and p.channel_account_id in (conversation.channel_account_id, None)
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda p: (p.channel_account_id is not None, p.priority != "any", -p.id),
    )


def refresh(
    session: Session, conversations: Iterable[Conversation], *, now: datetime | None = None
) -> None:
    """Recompute the clocks of `conversations` from their current state."""
    now = now or utcnow()
    policies = _enabled_policies(session)
    if not policies:
        return  # no policy at all: nothing to time (and nothing to slow anybody down)
    conversations = list(conversations)
    chosen = {c.id: _most_specific(policies, c) for c in conversations}  # once each
    clocks = _clocks(session, [c.id for c in conversations])
    missing = [cid for cid, policy in chosen.items() if policy is not None and cid not in clocks]
    if missing:
        # The automation job and the sweeper may time one conversation at once: the unique
        # key decides who creates the clock, and both then update the one row. One statement
        # for all of them (issue 12, `thru`: it was one per conversation of the batch).
        insert_ignore_many(
            session,
            ConversationSla.__table__,
            [{"conversation_id": c, "paused_seconds": 0, "updated_at": now} for c in missing],
            ["conversation_id"],
        )
        clocks.update(_clocks(session, missing))
    schedules: dict[int, Schedule] = {}
    for conversation in conversations:
        account_id = conversation.channel_account_id
        if account_id not in schedules:
            schedules[account_id] = Schedule.of(hours_for(session, account_id))
        _refresh_one(
            session,
            conversation,
            now,
            policy=chosen[conversation.id],
            clock=clocks.get(conversation.id),
            schedule=schedules[account_id],
        )


def _clocks(session: Session, conversation_ids: list[int]) -> dict[int, ConversationSla]:
    rows = session.scalars(
        select(ConversationSla).where(ConversationSla.conversation_id.in_(conversation_ids))
    )
    return {row.conversation_id: row for row in rows}


def _refresh_one(
    session: Session,
    conversation: Conversation,
    now: datetime,
    *,
    policy: SlaPolicy | None,
    clock: ConversationSla | None,
    schedule: Schedule,
) -> None:
    if policy is None:
        if clock is not None:
            clock.policy_id, clock.target, clock.due_at = None, None, None
        return
    if clock is None:
        clock = ConversationSla(conversation_id=conversation.id, paused_seconds=0)
        session.add(clock)
    clock.policy_id = policy.id
    clock.updated_at = now
    if conversation.status in PAUSED_STATUSES:
        if clock.paused_since is None:
            clock.paused_since = now
        clock.due_at = None
        return
    if clock.paused_since is not None:
        clock.paused_seconds = (clock.paused_seconds or 0) + int(
            schedule.open_seconds(clock.paused_since, now)
        )
        clock.paused_since = None
    clock.target, clock.due_at = _next_due(conversation, policy, schedule, clock.paused_seconds)


def _next_due(
    conversation: Conversation, policy: SlaPolicy, schedule: Schedule, paused: int
) -> tuple[str | None, datetime | None]:
    if conversation.status == "resolved":
        return None, None
    dues: list[tuple[datetime, str]] = []
    minutes = {
        "first_response": policy.first_response_minutes,
        "next_response": policy.next_response_minutes,
        "resolution": policy.resolution_minutes,
    }
    if conversation.first_response_at is None and minutes["first_response"]:
        dues.append(
            (
                _due(schedule, conversation.created_at, minutes["first_response"], paused),
                "first_response",
            )
        )
    elif (
        conversation.first_response_at is not None
        and conversation.waiting_since is not None
        and minutes["next_response"]
    ):
        dues.append(
            (
                _due(schedule, conversation.waiting_since, minutes["next_response"], paused),
                "next_response",
            )
        )
    if minutes["resolution"]:
        dues.append(
            (_due(schedule, conversation.created_at, minutes["resolution"], paused), "resolution")
        )
    if not dues:
        return None, None
    at, target = min(dues)
    return target, at


def _due(schedule: Schedule, start: datetime, minutes: int, paused: int) -> datetime:
    return schedule.add(start, minutes * 60 + paused)


def clock_of(clock: ConversationSla | None, policy: SlaPolicy | None, now: datetime) -> Clock:
    """The state the list colours by."""
    if clock is None or clock.policy_id is None:
        return Clock(None, None, "none", None)
    if clock.paused_since is not None:
        return Clock(clock.target, None, "paused", None)
    if clock.due_at is None:
        return Clock(None, None, "met", None)
    left = (clock.due_at - now).total_seconds()
    warn = (policy.warn_minutes if policy else 15) * 60
    state = "breached" if left <= 0 else "warning" if left <= warn else "ok"
    return Clock(clock.target, clock.due_at, state, left)


def check_clocks(session: Session, *, now: datetime | None = None) -> dict[str, int]:
    """Announce every new warning and breach once: a thread event and a domain event each.

    `sla.warning` / `sla.breached` carry the assignee so notifications can tell them, and
    they trigger the automation rules of the same names.
    """
    now = now or utcnow()
    counts = {"warnings": 0, "breaches": 0}
    horizon = now + timedelta(hours=24)  # no warning lead time is longer than a day
    rows = session.execute(
        select(ConversationSla, SlaPolicy, Conversation)
        .join(SlaPolicy, SlaPolicy.id == ConversationSla.policy_id)
        .join(Conversation, Conversation.id == ConversationSla.conversation_id)
        .where(ConversationSla.due_at.is_not(None), ConversationSla.due_at <= horizon)
        .with_for_update(of=ConversationSla, skip_locked=True)
    ).all()
    for clock, policy, conversation in rows:
        assert clock.due_at is not None
        key = f"{clock.target}:{clock.due_at.isoformat()}"
        if clock.due_at <= now and clock.breached_for != key:
            clock.breached_for = clock.warned_for = key
            _announce(session, conversation, clock, "sla.breached", "SLA breached", now)
            counts["breaches"] += 1
        elif (
            now < clock.due_at <= now + timedelta(minutes=policy.warn_minutes)
            and clock.warned_for != key
        ):
            clock.warned_for = key
            _announce(session, conversation, clock, "sla.warning", "SLA about to breach", now)
            counts["warnings"] += 1
    return counts


_TARGET_TEXT = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
}


def _announce(
    session: Session,
    conversation: Conversation,
    clock: ConversationSla,
    topic: str,
    text: str,
    now: datetime,
) -> None:
    assert clock.due_at is not None
    due = clock.due_at.strftime("%Y-%m-%d %H:%M UTC")
    system_event(
        session,
        conversation,
        f"{text}: {_TARGET_TEXT.get(clock.target or '', '')} due {due}",
        at=now,
    )
    emit(
        session,
        topic,
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        assignee_id=conversation.assignee_id,
        target=clock.target,
        due_at=clock.due_at.isoformat(),
    )
    emit(
        session,
        "conversation.updated",
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        origin=ORIGIN,
    )


def clocks_for(session: Session, conversation_ids: list[int], now: datetime) -> dict[int, Clock]:
    """The list's SLA badges, in one query for a page of conversations."""
    if not conversation_ids:
        return {}
    rows = session.execute(
        select(ConversationSla, SlaPolicy)
        .outerjoin(SlaPolicy, SlaPolicy.id == ConversationSla.policy_id)
        .where(ConversationSla.conversation_id.in_(conversation_ids))
    ).all()
    return {clock.conversation_id: clock_of(clock, policy, now) for clock, policy in rows}
