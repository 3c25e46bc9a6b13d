"""Auto-assignment: waiting conversations go to on-shift inbox members under their capacity.

Decisions are made per inbox while holding its policy row (SELECT … FOR UPDATE on
PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so two workers never both
see the same agent as the least loaded. The conversations themselves are taken with SKIP
LOCKED: one an agent or the ingest path is updating right now waits for the next pass instead
of blocking the whole queue. That lock is FOR NO KEY UPDATE, so a row merely added under a
conversation (a message, a label; their foreign key's KEY SHARE lock) does not hide it, and
none of our row locks waits for such inserts (tests/inbox/test_row_locks.py).

Everything is read from the database, so running it twice, late, or from the sweeper after a
lost job is harmless: a conversation already assigned is simply no longer waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.conversations import system_event
from inbox.events import emit
from inbox.models import Conversation, Team, User, inbox_member, team_member, utcnow
from inbox.models.assignment import ASSIGNMENT_MODES, AssignmentPolicy, AssignmentTurn
from inbox.models.sla import ConversationSla
from inbox.workflow_config import changed

ORIGIN = "assignment"  # events this module emits carry it, so reactions do not re-run it
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TICK = timedelta(microseconds=1)
_PRIORITY_RANK = {"urgent": 0, "high": 1, "medium": 2, "low": 3, "none": 4}


@dataclass(frozen=True, slots=True)
class Decision:
    conversation_id: int
    user_id: int
    reason: str  # "new" | "off_shift"


@dataclass(slots=True)
class _Agent:
    id: int
    name: str
    limit: int
    load: int
    last_turn: datetime
    teams: frozenset[int]
    # Held here: the session's identity map is weak, so a turn loaded and then dropped would
    # be queried again (after an autoflush) for every conversation assigned.
    turn: AssignmentTurn | None = None


def save_policy(
    session: Session,
    account_id: int,
    *,
    enabled: bool,
    mode: str,
    capacity: int,
    reassign_off_shift: bool,
    agent_limits: dict[int, int] | None = None,
    actor_id: int | None,
) -> AssignmentPolicy:
    """Create or change the inbox's policy; limits are open conversations per agent."""
    if mode not in ASSIGNMENT_MODES:
        raise ValueError(f"mode must be one of {', '.join(ASSIGNMENT_MODES)}")
    if not 1 <= capacity <= 1000:
        raise ValueError("capacity must be between 1 and 1000")
    limits = {str(k): int(v) for k, v in (agent_limits or {}).items()}
    if any(not 0 <= v <= 1000 for v in limits.values()):
        raise ValueError("an agent's limit must be between 0 and 1000")
    policy = policy_for(session, account_id) or AssignmentPolicy(channel_account_id=account_id)
    policy.enabled, policy.mode, policy.capacity = enabled, mode, capacity
    policy.reassign_off_shift = reassign_off_shift
    policy.agent_limits = limits
    session.add(policy)
    session.flush()
    record(
        session,
        actor_id,
        "assignment.policy",
        "channel_account",
        account_id,
        {"enabled": enabled, "mode": mode, "capacity": capacity},
    )
    emit(session, "assignment.policy_changed", channel_account_id=account_id)
    changed(session)
    return policy


def policy_for(session: Session, account_id: int) -> AssignmentPolicy | None:
    return session.scalars(
        select(AssignmentPolicy).where(AssignmentPolicy.channel_account_id == account_id)
    ).first()


def enabled_inboxes(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(AssignmentPolicy.channel_account_id).where(AssignmentPolicy.enabled.is_(True))
        )
    )


def assign_waiting(
    session: Session, account_id: int, *, now: datetime | None = None
) -> list[Decision]:
    """Assign the inbox's waiting conversations, most urgent first, while capacity lasts."""
    now = now or utcnow()
    policy = session.scalars(
        select(AssignmentPolicy)
        .where(AssignmentPolicy.channel_account_id == account_id)
        .with_for_update()
    ).first()
    if policy is None or not policy.enabled:
        return []
    agents = _agents(session, policy)
    # Turns must order decisions, not clocks: a decider that read the time before waiting for
    # the lock would otherwise stamp an older turn than the decision before it.
    latest = max((a.last_turn for a in agents.values()), default=now)
    now = max(now, latest + _TICK)
    decisions = _move_from_off_shift(session, policy, agents, now)
    free = sum(max(a.limit - a.load, 0) for a in agents.values())
    if free == 0:
        return decisions
    for conversation in _queue(session, account_id, limit=free):
        agent = _pick(policy, agents.values(), conversation.team_id)
        if agent is None:
            continue  # e.g. its team's members are all full; later ones may still fit
        _assign(session, policy, conversation, agent, now, "new")
        decisions.append(Decision(conversation.id, agent.id, "new"))
    return decisions


def queue_position(session: Session, account_id: int) -> list[int]:
    """The inbox's waiting conversation ids in the order they will be assigned."""
    return [c.id for c in _queue(session, account_id, limit=None, lock=False)]


def _agents(session: Session, policy: AssignmentPolicy) -> dict[int, _Agent]:
    """On-shift, active inbox members who work conversations, with their open load here."""
    rows = session.execute(
        select(User.id, User.name)
        .join(inbox_member, inbox_member.c.user_id == User.id)
        .where(
            inbox_member.c.channel_account_id == policy.channel_account_id,
            User.is_active.is_(True),
            User.available.is_(True),
            User.role.in_(("admin", "agent")),
        )
    ).all()
    ids = [r.id for r in rows]
    loads = dict(
        session.execute(
            select(Conversation.assignee_id, func.count())
            .where(
                Conversation.channel_account_id == policy.channel_account_id,
                Conversation.status == "open",
                Conversation.assignee_id.in_(ids or [-1]),
            )
            .group_by(Conversation.assignee_id)
        )
        .tuples()
        .all()
    )
    # Loaded as objects and kept by the agents: _assign changes them without a query each.
    turns = {
        t.user_id: t
        for t in session.scalars(
            select(AssignmentTurn).where(AssignmentTurn.policy_id == policy.id)
        )
    }
    teams: dict[int, set[int]] = {}
    for user_id, team_id in session.execute(
        select(team_member.c.user_id, team_member.c.team_id).where(
            team_member.c.user_id.in_(ids or [-1])
        )
    ):
        teams.setdefault(user_id, set()).add(team_id)
    limits = policy.agent_limits or {}
    return {
        r.id: _Agent(
            id=r.id,
            name=r.name,
            limit=int(limits.get(str(r.id), policy.capacity)),
            load=int(loads.get(r.id, 0)),
            last_turn=turns[r.id].last_assigned_at if r.id in turns else _EPOCH,
            teams=frozenset(teams.get(r.id, ())),
            turn=turns.get(r.id),
        )
        for r in rows
    }


def _pick(policy: AssignmentPolicy, agents: Iterable[_Agent], team_id: int | None) -> _Agent | None:
    candidates = [a for a in agents if a.load < a.limit and (team_id is None or team_id in a.teams)]
    if not candidates:
        return None
    if policy.mode == "least_open":
        return min(candidates, key=lambda a: (a.load, a.last_turn, a.id))
    # Round-robin whose turn goes to the least-recently-assigned agent; among agents who
    # have never had one, the one with the lightest load (someone just back on shift).
    return min(candidates, key=lambda a: (a.last_turn, a.load, a.id))


def _queue(
    session: Session, account_id: int, *, limit: int | None, lock: bool = True
) -> list[Conversation]:
    """Unassigned open conversations by SLA urgency: earliest due, then priority, then age."""
    query = (
        select(Conversation)
        .outerjoin(ConversationSla, ConversationSla.conversation_id == Conversation.id)
        .where(
            Conversation.channel_account_id == account_id,
            Conversation.status == "open",
            Conversation.assignee_id.is_(None),
        )
        .order_by(
            case((ConversationSla.due_at.is_(None), 1), else_=0),
            ConversationSla.due_at,
            case(_PRIORITY_RANK, value=Conversation.priority, else_=5),
            func.coalesce(Conversation.waiting_since, Conversation.created_at),
            Conversation.id,
        )
    )
    if limit is not None:
        query = query.limit(limit)
    if lock:
        query = query.with_for_update(of=Conversation, skip_locked=True, key_share=True)
    return list(session.scalars(query))


def _move_from_off_shift(
    session: Session, policy: AssignmentPolicy, agents: dict[int, _Agent], now: datetime
) -> list[Decision]:
    """Give away open conversations whose assignee cannot take them any more.

    A customer waiting on an off-shift agent always moves (a reopened conversation must not
    sit with someone who went home); with `reassign_off_shift` every open one does.
    """
    query = (
        select(Conversation)
        .where(
            Conversation.channel_account_id == policy.channel_account_id,
            Conversation.status == "open",
            Conversation.assignee_id.is_not(None),
            Conversation.assignee_id.not_in(list(agents) or [-1]),
        )
        .order_by(Conversation.waiting_since, Conversation.id)
        .with_for_update(of=Conversation, skip_locked=True, key_share=True)
    )
    if not policy.reassign_off_shift:
        query = query.where(Conversation.waiting_since.is_not(None))
    decisions = []
    for conversation in session.scalars(query):
        agent = _pick(policy, agents.values(), conversation.team_id)
        if agent is None:
            continue
        _assign(session, policy, conversation, agent, now, "off_shift")
        decisions.append(Decision(conversation.id, agent.id, "off_shift"))
    return decisions


def _assign(
    session: Session,
    policy: AssignmentPolicy,
    conversation: Conversation,
    agent: _Agent,
    now: datetime,
    reason: str,
) -> None:
    previous = conversation.assignee_id
    conversation.assignee_id = agent.id
    agent.load += 1
    agent.last_turn = now
    if agent.turn is None:
        agent.turn = AssignmentTurn(policy_id=policy.id, user_id=agent.id, last_assigned_at=now)
        session.add(agent.turn)
    else:
        agent.turn.last_assigned_at = now
    mode = "round-robin" if policy.mode == "round_robin" else "least open"
    why = "previous assignee off shift" if reason == "off_shift" else mode
    team_row = session.get(Team, conversation.team_id) if conversation.team_id else None
    team = f", team {team_row.name}" if team_row else ""
    system_event(
        session,
        conversation,
        f"Auto-assigned to {agent.name} ({why}; {agent.load} of {agent.limit} open{team})",
        at=now,
    )
    record(
        session,
        None,
        "conversation.auto_assign",
        "conversation",
        conversation.id,
        {"user_id": agent.id, "previous": previous, "reason": reason, "mode": policy.mode},
    )
    emit(
        session,
        "conversation.assigned",
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        assignee_id=agent.id,
        previous_assignee_id=previous,
        reason=reason,
        origin=ORIGIN,
    )
    emit(
        session,
        "conversation.updated",
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        origin=ORIGIN,
    )
