"""Agent actions on a conversation; each one is written into the thread as a system event."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.audit import record
from inbox.category_rules import summary_required
from inbox.csat_schedule import schedule as schedule_survey
from inbox.events import emit
from inbox.models import (
    PRIORITIES,
    STATUSES,
    Conversation,
    Label,
    Message,
    Team,
    User,
    inbox_member,
    utcnow,
)
from inbox.notifications import notify


@dataclass(frozen=True, slots=True)
class Change:
    """A requested change; None fields are left alone. `assignee_id=0` unassigns."""

    status: str | None = None
    snoozed_until: datetime | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    priority: str | None = None
    category: str | None = None
    labels: tuple[str, ...] | None = None
    resolution_summary: str | None = None
    # Resolve with a follow-up: snooze `follow_up_days` and come back with `follow_up_task`.
    follow_up_days: int | None = None
    follow_up_task: str | None = None


FOLLOW_UP_MAX_DAYS = 90
DEFAULT_FOLLOW_UP = "Follow up with the customer"


def apply_change(
    session: Session, conversation: Conversation, change: Change, *, actor: User | None
) -> list[str]:
    """Apply `change`, record an event per field that really changed, return their texts."""
    notes: list[str] = []
    actor_id = actor.id if actor else None
    who = actor.name if actor else "system"
    previous_status = conversation.status
    if change.status == "resolved" and change.status != conversation.status:
        _require_summary(session, conversation, change)
    if change.follow_up_days is not None:
        change = _follow_up(conversation, change)
        notes.append(f"{who} set a follow-up: {conversation.follow_up_task}")
    status_changed = change.status is not None and change.status != conversation.status
    if status_changed:
        notes.append(_set_status(conversation, change, who))
    if change.assignee_id is not None:
        note = _set_assignee(session, conversation, change.assignee_id, who)
        if note:
            notes.append(note)
            emit(
                session,
                "conversation.assigned",
                conversation_id=conversation.id,
                channel_account_id=conversation.channel_account_id,
                assignee_id=conversation.assignee_id,
                actor_id=actor_id,
            )
    if change.team_id is not None and change.team_id != conversation.team_id:
        team = session.get(Team, change.team_id) if change.team_id else None
        if change.team_id and team is None:
            raise LookupError(
                Words(f"team {change.team_id} not found", "그 팀이 없습니다 (삭제되었을 수 있음)")
            )
        conversation.team_id = team.id if team else None
        notes.append(f"{who} assigned team {team.name if team else '(none)'}")
    if change.priority is not None and change.priority != conversation.priority:
        if change.priority not in PRIORITIES:
            raise ValueError(
                Words(
                    f"priority must be one of {', '.join(PRIORITIES)}",
                    f"우선순위는 {', '.join(PRIORITIES)} 중 하나입니다",
                )
            )
        conversation.priority = change.priority
        notes.append(f"{who} set priority {change.priority}")
    if change.category is not None and change.category != conversation.category:
        conversation.category = change.category or None
        notes.append(f"{who} set category {change.category or '(none)'}")
    if change.labels is not None:
        note = _set_labels(session, conversation, change.labels, who)
        if note:
            notes.append(note)
    if status_changed and conversation.status == "resolved" and conversation.id is not None:
        schedule_survey(session, conversation, utcnow())
    if change.resolution_summary is not None:
        summary = change.resolution_summary.strip() or None
        if summary != conversation.resolution_summary:
            conversation.resolution_summary = summary
            notes.append(f"{who} wrote the resolution summary: {summary or '(none)'}")
    for text in notes:
        system_event(session, conversation, text, author_id=actor_id)
    if notes:
        record(
            session,
            actor_id,
            "conversation.update",
            "conversation",
            conversation.id,
            {"changes": notes},
        )
        emit(
            session,
            "conversation.updated",
            conversation_id=conversation.id,
            channel_account_id=conversation.channel_account_id,
            status=conversation.status,
            previous_status=previous_status,
            **({"at": utcnow().isoformat()} if status_changed else {}),
        )
    return notes


def _require_summary(session: Session, conversation: Conversation, change: Change) -> None:
    """Refuse to resolve without a summary where the admin asked for one for this category."""
    if not summary_required(session, conversation.category):
        return
    written = (change.resolution_summary or conversation.resolution_summary or "").strip()
    if not written:
        raise ValueError(
            Words(
                f"category {conversation.category} needs a resolution summary (what was done)",
                "이 분류의 대화는 처리 내용(해결 요약)을 적어야 해결할 수 있습니다",
            )
        )


def _follow_up(conversation: Conversation, change: Change) -> Change:
    """Resolve-with-follow-up is a snooze: the conversation leaves the queue and the sweeper
    reopens it on the day with the task written in the thread (see wake_snoozed)."""
    days = change.follow_up_days
    if change.status != "resolved":
        raise ValueError(
            Words("a follow-up is set when resolving", "후속 조치는 해결할 때 정합니다")
        )
    if days is None or not 1 <= days <= FOLLOW_UP_MAX_DAYS:
        raise ValueError(
            Words(
                f"follow up in 1 to {FOLLOW_UP_MAX_DAYS} days",
                f"후속 조치는 1~{FOLLOW_UP_MAX_DAYS}일 뒤로 정하세요",
            )
        )
    task = (change.follow_up_task or "").strip() or DEFAULT_FOLLOW_UP
    conversation.follow_up_task = task[:500]
    return replace(change, status="snoozed", snoozed_until=utcnow() + timedelta(days=days))


def _set_status(conversation: Conversation, change: Change, who: str) -> str:
    status = change.status
    if status not in STATUSES:
        raise ValueError(
            Words(
                f"status must be one of {', '.join(STATUSES)}",
                f"상태는 {', '.join(STATUSES)} 중 하나입니다",
            )
        )
    if status == "snoozed":
        if change.snoozed_until is None or change.snoozed_until <= utcnow():
            raise ValueError(
                Words(
                    "snoozing needs a time in the future (snoozed_until)",
                    "미루기에는 앞으로 올 시각이 필요합니다",
                )
            )
        conversation.snoozed_until = change.snoozed_until
    else:
        conversation.snoozed_until = None
    conversation.resolved_at = utcnow() if status == "resolved" else None
    previous, conversation.status = conversation.status, status
    if previous == "resolved":
        conversation.reopen_count += 1  # the reopen rate of the reports
    if status == "resolved":
        conversation.follow_up_task = None  # done: a later reopen starts without it
    suffix = (
        f" until {change.snoozed_until.isoformat()}"
        if status == "snoozed" and change.snoozed_until
        else ""
    )
    return f"{who} changed status {previous} → {status}{suffix}"


def _works_inbox(session: Session, user: User, conversation: Conversation) -> bool:
    """Admins work every inbox; agents the ones they are members of; marketers none."""
    if user.role == "admin":
        return True
    if user.role != "agent":
        return False
    member = session.scalars(
        select(inbox_member.c.user_id).where(
            inbox_member.c.user_id == user.id,
            inbox_member.c.channel_account_id == conversation.channel_account_id,
        )
    ).first()
    return member is not None


def _set_assignee(
    session: Session, conversation: Conversation, assignee_id: int, who: str
) -> str | None:
    new_id = assignee_id or None
    if new_id == conversation.assignee_id:
        return None
    assignee = session.get(User, new_id) if new_id else None
    if new_id and (assignee is None or not assignee.is_active):
        raise LookupError(
            Words(f"user {assignee_id} not found", "그 상담원이 없거나 비활성화되었습니다")
        )
    if assignee is not None and not _works_inbox(session, assignee, conversation):
        raise LookupError(
            Words(
                f"user {assignee_id} is not a member of this conversation's inbox",
                f"{assignee.name} 님은 이 대화의 받은편지함 담당이 아닙니다",
            )
        )
    conversation.assignee_id = new_id
    return f"{who} assigned {assignee.name}" if assignee else f"{who} unassigned"


LABEL_CACHE = "labels:by-name"  # session.info, set by a batch of rule firings


def _set_labels(
    session: Session, conversation: Conversation, names: tuple[str, ...], who: str
) -> str | None:
    wanted = {n.strip() for n in names if n.strip()}
    current = {label.name for label in conversation.labels}
    if wanted == current:
        return None
    # A batch of rule firings (inbox/rules.py) shares one cache: a query (and the autoflush
    # before it) per firing would split the batch's one flush into hundreds.
    cache: dict[str, Label] | None = session.info.get(LABEL_CACHE)
    known = cache if cache is not None else {}
    missing = wanted - known.keys()
    if missing:
        known.update(
            {lb.name: lb for lb in session.scalars(select(Label).where(Label.name.in_(missing)))}
        )
    existing = {name: known[name] for name in wanted if name in known}
    for name in wanted - existing.keys():
        label = Label(name=name)
        session.add(label)
        existing[name] = label
        known[name] = label
    conversation.labels = [existing[n] for n in sorted(wanted)]
    return f"{who} set labels {', '.join(sorted(wanted)) or '(none)'}"


def system_event(
    session: Session,
    conversation: Conversation,
    text: str,
    *,
    author_id: int | None = None,
    at: datetime | None = None,
) -> Message:
    """Write a line like "Mina assigned Joon" into the thread (kind=event)."""
    event = Message(
        conversation_id=conversation.id,
        channel_account_id=conversation.channel_account_id,
        direction="internal",
        kind="event",
        author_user_id=author_id,
        text=text,
        created_at=at or utcnow(),
    )
    session.add(event)
    return event


def wake_snoozed(session: Session, now: datetime) -> int:
    """Reopen conversations whose snooze time has passed; return how many."""
    due = session.scalars(
        select(Conversation).where(
            Conversation.status == "snoozed", Conversation.snoozed_until <= now
        )
    ).all()
    for conversation in due:
        conversation.status = "open"
        conversation.snoozed_until = None
        system_event(session, conversation, "snooze ended → open", at=now)
        if conversation.follow_up_task:
            _follow_up_due(session, conversation, now)
        emit(
            session,
            "conversation.updated",
            conversation_id=conversation.id,
            channel_account_id=conversation.channel_account_id,
        )
    return len(due)


def _follow_up_due(session: Session, conversation: Conversation, now: datetime) -> None:
    """The task comes back where the agent works: in the thread and in their notifications."""
    text = f"Follow-up due: {conversation.follow_up_task}"
    system_event(session, conversation, text, at=now)
    if conversation.assignee_id:
        notify(
            session, conversation.assignee_id, "follow_up", text, conversation_id=conversation.id
        )
