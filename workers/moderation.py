"""The moderation job: carry one hide/unhide/delete request to the platform.

Idempotent: it acts on `pending` requests only and the platform calls are idempotent too
(hiding a hidden comment succeeds), so a job run twice, or a sweeper retry after a crash
between the call and the commit, does no harm. A throttled platform pauses the scopes every
job honours, and the request waits for the pause; a refusal is recorded with its reason.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from connectors import behaviour
from connectors.base import (
    ConnectorError,
    Moderate,
    OutcomeUnknown,
    RateLimited,
    ReauthRequired,
    RetryableSendError,
)
from inbox.models.moderation import CommentModeration
from inbox.moderation import complete, fail, pending_due, retry_later
from inbox.replies import backoff, flag_reauth
from switchboard.pauses import scopes_for
from workers.context import runtime

log = logging.getLogger(__name__)
JOB = "workers.moderation.moderate_comment"


def moderate_comment(request_id: int) -> None:
    rt = runtime()
    with rt.db.session() as session:
        row = session.get(CommentModeration, request_id)
        if row is None or row.status != "pending":
            return
        message = row.message
        account = message.conversation.account
        connector = rt.connector(account)
        config = rt.account_config(account)
        external_id, action = str(message.external_id), row.action
    moderator = behaviour(connector, Moderate)
    scopes = scopes_for(connector, config, "moderate")
    paused = rt.pauses.remaining(scopes)
    if paused > 0:
        _again(request_id, paused, "the platform asked us to slow down")
        return
    try:
        if moderator is None:
            raise ConnectorError(f"{connector.slug} cannot moderate comments")
        moderator.moderate(config, external_id, action)
    except RateLimited as exc:
        rt.pauses.pause(exc.scopes, exc.retry_after or 60.0)
        _again(request_id, exc.retry_after or 60.0, exc.reason)
    except (RetryableSendError, OutcomeUnknown) as exc:
        # Both are safe to repeat: hiding or deleting twice has the effect of once.
        wait = exc.retry_after if isinstance(exc, RetryableSendError) else None
        _again(request_id, wait, exc.reason)
    except ReauthRequired as exc:
        with rt.db.session() as session:
            row = session.get(CommentModeration, request_id)
            assert row is not None
            flag_reauth(session, row.message.conversation.account, exc.reason)
            fail(session, row, exc.reason)
    except ConnectorError as exc:
        _finish(request_id, exc.reason)
    else:
        _finish(request_id, None)


def _finish(request_id: int, problem: str | None) -> None:
    with runtime().db.session() as session:
        row = session.get(CommentModeration, request_id)
        if row is None or row.status != "pending":
            return
        if problem is None:
            complete(session, row)
        else:
            fail(session, row, problem)


def _again(request_id: int, seconds: float | None, reason: str) -> None:
    rt = runtime()
    with rt.db.session() as session:
        row = session.get(CommentModeration, request_id)
        if row is None or row.status != "pending":
            return
        delay = timedelta(seconds=seconds) if seconds else backoff(row.attempts + 1)
        at = datetime.now(UTC) + delay
        if not retry_later(session, row, at, reason):
            return
    rt.jobs.enqueue(
        JOB, request_id, queue="send", at=at, job_id=f"moderate:{request_id}:{int(at.timestamp())}"
    )


def sweep_moderation(now: datetime, stale_before: datetime) -> int:
    """Hand pending requests whose job was lost (or whose retry is due) to the job again."""
    rt = runtime()
    with rt.db.session() as session:
        due = pending_due(session, now, stale_before)
    for request_id in due:
        rt.jobs.enqueue(JOB, request_id, queue="send", job_id=f"moderate:{request_id}")
    return len(due)
