"""Comment moderation: an agent asks to hide, unhide or delete a customer's comment.

The request is a row (`comment_moderation`); the platform call happens in a job
(workers/moderation.py) that reports back here. The thread shows the outcome from these
rows: "hidden by 민지 at 10:02", a deleted comment greyed out, a refusal with the
platform's reason. Asking for what is already so is a no-op that answers with the row that
made it so, and a second click while a request is pending answers with that request.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.audit import record
from inbox.events import after_commit, emit
from inbox.models import Message, User, utcnow
from inbox.models.moderation import MODERATION_ACTIONS, CommentModeration

JOB = "workers.moderation.moderate_comment"
MAX_ATTEMPTS = 5
# Hiding is reversible and part of answering comments; deleting removes the customer's
# words from the platform for good, so only admins may (docs/decisions.md, issue 16).
ROLES_FOR = {"hide": ("admin", "agent"), "unhide": ("admin", "agent"), "delete": ("admin",)}
RESULT_OF = {"hide": "hidden", "unhide": "visible", "delete": "deleted"}
# The refusals reach the agent's screen: each action's name in Korean for them.
ACTION_KO = {"hide": "숨기기", "unhide": "숨김 해제", "delete": "삭제"}
NOT_A_COMMENT = Words(
    "only customers' comments can be moderated", "고객의 댓글만 숨기거나 삭제할 수 있습니다"
)


class ModerationRefused(Exception):
    """The request cannot be made (wrong kind of message, channel cannot, already deleted)."""


class ModerationForbidden(ModerationRefused):
    """The agent's role may not do this (deleting is for admins)."""


class ModerationBusy(ModerationRefused):
    """Another request for the same comment is still pending."""


@dataclass(frozen=True, slots=True)
class ModerationState:
    """What the thread shows for one comment: its state on the platform and the last request."""

    state: str  # visible | hidden | deleted
    last: CommentModeration | None  # the newest request, whatever became of it
    changed: CommentModeration | None  # the request that made `state` so (None: never changed)


def may_moderate(user: User, action: str) -> bool:
    return user.is_active and user.role in ROLES_FOR.get(action, ())


def moderatable(message: Message) -> bool:
    """Customers' public comments and replies, as the platform knows them (has an id)."""
    return (
        message.kind == "comment" and message.direction == "inbound" and bool(message.external_id)
    )


def request_moderation(
    session: Session,
    message: Message,
    action: str,
    actor: User,
    *,
    supported: Collection[str],
) -> tuple[CommentModeration, bool]:
    """Record the request and ask for the job after commit; (row, created).

    `supported`: what the account's connector can do (X hides replies but cannot delete).
    """
    if action not in MODERATION_ACTIONS:
        raise ModerationRefused(
            Words(f"unknown moderation action {action!r}", "알 수 없는 댓글 관리 동작입니다")
        )
    if not may_moderate(actor, action):
        raise ModerationForbidden(
            Words(
                f"your role may not {action} comments",
                f"내 역할로는 댓글 {ACTION_KO[action]}를 할 수 없습니다",
            )
        )
    if not moderatable(message):
        raise ModerationRefused(NOT_A_COMMENT)
    if action not in supported:
        raise ModerationRefused(
            Words(
                f"this channel cannot {action} comments",
                f"이 채널에서는 댓글 {ACTION_KO[action]}를 할 수 없습니다",
            )
        )
    state = states(session, [message.id])[message.id]
    if state.last is not None and state.last.status == "pending":
        if state.last.action != action:
            raise ModerationBusy(
                Words(
                    f"a {state.last.action} request is still in progress",
                    f"댓글 {ACTION_KO[state.last.action]} 요청이 아직 처리 중입니다",
                )
            )
        return state.last, False
    if state.state == "deleted":
        raise ModerationRefused(Words("the comment was deleted", "삭제된 댓글입니다"))
    if state.changed is not None and state.state == RESULT_OF[action]:
        return state.changed, False
    row = CommentModeration(
        message_id=message.id,
        action=action,
        status="pending",
        requested_by_id=actor.id,
        requested_at=utcnow(),
        attempts=0,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another request got in first (the pending-unique index)
        raced = states(session, [message.id])[message.id].last
        if raced is None or raced.status != "pending" or raced.action != action:
            raise ModerationBusy(
                Words(
                    "another moderation request is in progress",
                    "이 댓글의 다른 관리 요청이 처리 중입니다",
                )
            ) from None
        return raced, False
    emit(session, "message.updated", conversation_id=message.conversation_id, message_id=message.id)
    after_commit(session, JOB, row.id, queue="send", job_id=f"moderate:{row.id}")
    return row, True


def states(session: Session, message_ids: Iterable[int]) -> dict[int, ModerationState]:
    """Each message's moderation state, from its requests (one query for a thread page)."""
    ids = list(message_ids)
    rows: dict[int, list[CommentModeration]] = {i: [] for i in ids}
    if ids:
        for row in session.scalars(
            select(CommentModeration)
            .where(CommentModeration.message_id.in_(ids))
            .order_by(CommentModeration.id)
        ):
            rows[row.message_id].append(row)
    result = {}
    for message_id, history in rows.items():
        done = [r for r in history if r.status == "done"]
        changed = done[-1] if done else None
        state = RESULT_OF[changed.action] if changed is not None else "visible"
        result[message_id] = ModerationState(state, history[-1] if history else None, changed)
    return result


def pending_due(session: Session, now: datetime, stale_before: datetime) -> list[int]:
    """Requests the sweeper should hand to the job again (lost wake-ups, due retries)."""
    return list(
        session.scalars(
            select(CommentModeration.id).where(
                CommentModeration.status == "pending",
                CommentModeration.requested_at < stale_before,
                (CommentModeration.next_attempt_at.is_(None))
                | (CommentModeration.next_attempt_at <= now),
            )
        )
    )


def complete(session: Session, row: CommentModeration) -> None:
    """The platform did it: the state changes, the audit log and the thread say who did it."""
    row.status = "done"
    row.done_at = utcnow()
    row.failure_reason = None
    row.next_attempt_at = None
    _audit(session, row, outcome="done")


def fail(session: Session, row: CommentModeration, reason: str) -> None:
    """The platform refused (or we gave up): the reason is shown on the comment."""
    row.status = "failed"
    row.done_at = utcnow()
    row.failure_reason = reason[:2000]
    row.next_attempt_at = None
    _audit(session, row, outcome="failed", reason=row.failure_reason)


def retry_later(session: Session, row: CommentModeration, at: datetime, reason: str) -> bool:
    """Try again at `at`; False (and failed) once MAX_ATTEMPTS is reached."""
    row.attempts += 1
    if row.attempts >= MAX_ATTEMPTS:
        fail(session, row, f"gave up after {row.attempts} attempts: {reason}")
        return False
    row.next_attempt_at = at
    row.failure_reason = reason[:2000]
    return True


def _audit(session: Session, row: CommentModeration, *, outcome: str, reason: str = "") -> None:
    message = row.message
    detail: dict[str, object] = {
        "message_id": message.id,
        "external_id": message.external_id,
        "outcome": outcome,
    }
    if reason:
        detail["reason"] = reason
    record(
        session,
        row.requested_by_id,
        f"comment.{row.action}",
        "conversation",
        message.conversation_id,
        detail,
    )
    emit(session, "message.updated", conversation_id=message.conversation_id, message_id=message.id)
