"""The publish job: post one announcement target, exactly once (design: inbox/announcements.py).

One job per target on the "publish" queue, enqueued with `at=` for scheduled announcements, so
targets never wait on each other and one failing leaves the rest alone.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from connectors import behaviour
from connectors.base import (
    AccountConfig,
    Connector,
    ConnectorError,
    FindPublished,
    OutcomeUnknown,
    Permalink,
    PermanentSendError,
    Publish,
    PublishRequest,
    PublishResult,
    RateLimited,
    ReauthRequired,
    RetryableSendError,
)
from inbox import announcements
from inbox.announcements import Claim, Early, PublishJob
from inbox.models import ChannelAccount
from inbox.models.announcements import AnnouncementTarget
from inbox.replies import backoff, flag_reauth
from switchboard.pauses import scopes_for
from switchboard.runtime import Runtime
from workers.context import runtime

log = logging.getLogger(__name__)

JOB = "workers.publish.publish_target"
DEFAULT_MAX_ATTEMPTS = 5
# Longer than a publish can take (IG container wait, timeouts): only then is a target that is
# still "publishing" presumed orphaned by a dead worker.
DEFAULT_STALE_SECONDS = 900
PERMALINK_TRIES = 3
PERMALINK_SWEEP_WINDOW = timedelta(minutes=10)  # the sweeper retries lost enrichment this long
CRASH_ENV = "SWITCHBOARD_CRASH_AT"  # tests: SIGKILL this process at a named point


class CannotCheck(Exception):
    """The platform cannot tell us whether an interrupted attempt posted."""


Publisher = Callable[[AccountConfig, PublishRequest], PublishResult]
Finder = Callable[[AccountConfig, PublishRequest, datetime], PublishResult | None]


def enqueue(rt: Runtime, jobs: list[PublishJob]) -> None:
    """Hand jobs returned by inbox.announcements to the runner (after the commit)."""
    for job in jobs:
        rt.jobs.enqueue(
            JOB,
            job.target_id,
            job.version,
            queue="publish",
            at=job.at,
            job_id=f"publish:{job.target_id}:{job.version}:{_stamp(job.at)}",
        )


def publish_target(target_id: int, version: int) -> None:
    """Claim the target, call the platform outside any transaction, record the outcome."""
    rt = runtime()
    left = _pause_left(rt, target_id)
    if left > 0:  # another process was told to leave this account alone for a while
        at = datetime.now(UTC) + timedelta(seconds=left)
        enqueue(rt, [PublishJob(target_id, version, at)])
        return
    with rt.db.session() as session:
        claimed = announcements.claim(
            session, target_id, version, now=datetime.now(UTC), public_base_url=_base(rt)
        )
        if claimed is None:
            return  # published, cancelled, deleted, re-timed or taken by another worker
        if isinstance(claimed, Early):
            enqueue(rt, [PublishJob(target_id, version, claimed.at)])
            return
    _attempt(rt, claimed)


def _pause_left(rt: Runtime, target_id: int) -> float:
    with rt.db.session() as session:
        target = session.get(AnnouncementTarget, target_id)
        if target is None:
            return 0.0
        account = session.get(ChannelAccount, target.channel_account_id)
        assert account is not None
        scopes = scopes_for(rt.connector(account), rt.account_config(account), "publish")
    return rt.pauses.remaining(scopes)


def recover_target(target_id: int, stale_before: float) -> None:
    """Take over a target left `publishing` by a dead worker; look before posting again.

    The sweeper decided the lease was stale (`stale_before`, epoch seconds); the conditional
    re-claim makes sure only one recovery runs, and none for a target re-claimed since.
    """
    rt = runtime()
    with rt.db.session() as session:
        claimed = announcements.reclaim_stale(
            session,
            target_id,
            stale_before=datetime.fromtimestamp(stale_before, UTC),
            now=datetime.now(UTC),
            public_base_url=_base(rt),
        )
    if claimed is not None:
        _attempt(rt, claimed)


def sweep_publishing() -> dict[str, int]:
    """For workers/sweep.py: re-run orphaned targets and re-enqueue jobs Redis lost.

    Safe to call as often as you like: claims are conditional, so extra jobs exit at once.
    """
    rt = runtime()
    now = datetime.now(UTC)
    grace = timedelta(seconds=rt.settings.int("SWEEP_STALE_SECONDS"))
    stale_before = now - timedelta(seconds=_stale_seconds(rt))
    with rt.db.session() as session:
        stale = announcements.stale_publishing(session, stale_before)
        lost = announcements.overdue(session, now - grace)
        fixed = announcements.recompute_statuses(session)
        unlinked = announcements.missing_permalinks(session, now - PERMALINK_SWEEP_WINDOW)
    for target_id in stale:
        rt.jobs.enqueue(
            "workers.publish.recover_target",
            target_id,
            stale_before.timestamp(),
            queue="publish",
            job_id=f"publish-recover:{target_id}:{int(stale_before.timestamp())}",
        )
    enqueue(rt, lost)
    slot = int(now.timestamp() // max(1, rt.settings.int("SWEEP_INTERVAL_SECONDS")))
    for target_id in unlinked:  # its job may have been lost with Redis: enrichment only
        rt.jobs.enqueue(
            "workers.publish.fetch_permalink",
            target_id,
            PERMALINK_TRIES,  # one try per sweep, no further retries of its own
            queue="publish",
            job_id=f"permalink:{target_id}:sweep:{slot}",
        )
    return {"stale": len(stale), "lost": len(lost), "recomputed": fixed}


def _attempt(rt: Runtime, claim: Claim) -> None:
    with rt.db.session() as session:
        account = session.get(ChannelAccount, claim.account_id)
        assert account is not None
        connector = rt.connector(account)
        config = rt.account_config(account)
    try:
        result = _find(connector, config, claim) if claim.recheck else None
        if result is None:
            result = _publisher(connector)(config, claim.request)
            crash_point("publish.after_call")
    except CannotCheck as exc:
        _fail(rt, claim, f"outcome unknown: {exc}; check the account before retrying")
    except OutcomeUnknown as exc:
        # Every attempt after the first looks for the post before posting (claim.recheck).
        _retry(rt, claim, f"outcome unknown, will check the account: {exc.reason}", None)
    except RateLimited as exc:
        rt.pauses.pause(exc.scopes, exc.retry_after or 60.0)
        _retry(rt, claim, exc.reason, exc.retry_after)
    except ReauthRequired as exc:
        with rt.db.session() as session:
            account = session.get(ChannelAccount, claim.account_id)
            assert account is not None
            flag_reauth(session, account, exc.reason)
            announcements.mark_failed(session, claim.target_id, f"reconnect needed: {exc.reason}")
    except PermanentSendError as exc:
        _fail(rt, claim, exc.reason)
    except RetryableSendError as exc:
        _retry(rt, claim, exc.reason, exc.retry_after)
    except Exception as exc:
        log.exception("publishing target %s raised", claim.target_id)
        _retry(rt, claim, f"unexpected error: {exc!r}", None)
    else:
        with rt.db.session() as session:
            announcements.mark_published(
                session,
                claim.target_id,
                external_id=result.external_id,
                permalink=result.permalink,
                now=datetime.now(UTC),
            )
        if result.permalink is None and behaviour(connector, Permalink) is not None:
            _enqueue_permalink(rt, claim.target_id, 1, None)


def fetch_permalink(target_id: int, attempt: int = 1) -> None:
    """Fill in a published target's permalink; failing here never touches its status."""
    rt = runtime()
    with rt.db.session() as session:
        target = session.get(AnnouncementTarget, target_id)
        if target is None or target.status != "published" or not target.external_id:
            return
        account = session.get(ChannelAccount, target.channel_account_id)
        assert account is not None
        linker = behaviour(rt.connector(account), Permalink)
        config = rt.account_config(account)
        external_id = target.external_id
    if linker is None:
        return
    try:
        link = linker.permalink(config, external_id)
    except ConnectorError as exc:
        log.warning("permalink of target %s not fetched (try %s): %s", target_id, attempt, exc)
        if attempt < PERMALINK_TRIES and not isinstance(exc, PermanentSendError):
            _enqueue_permalink(rt, target_id, attempt + 1, backoff(attempt + 2))
        return
    if link:
        with rt.db.session() as session:
            announcements.set_permalink(session, target_id, str(link))


def _enqueue_permalink(rt: Runtime, target_id: int, attempt: int, delay: timedelta | None) -> None:
    at = datetime.now(UTC) + delay if delay is not None else None
    try:
        rt.jobs.enqueue(
            "workers.publish.fetch_permalink",
            target_id,
            attempt,
            queue="publish",
            at=at,
            job_id=f"permalink:{target_id}:{attempt}",
        )
    except Exception:  # enrichment only: a queue that is down costs the link, nothing else
        log.warning("permalink job for target %s not queued", target_id)


def _find(connector: Connector, config: AccountConfig, claim: Claim) -> PublishResult | None:
    finder = _finder(connector)
    if finder is None:
        raise CannotCheck(f"{connector.slug} cannot look up earlier posts")
    try:
        return finder(config, claim.request, claim.since)
    except ReauthRequired:
        raise
    except PermanentSendError as exc:  # a busy platform (RetryableSendError) is asked again
        raise CannotCheck(f"looking for the earlier post failed ({exc.reason})") from exc


def _publisher(connector: Connector) -> Publisher:
    publishing = behaviour(connector, Publish)
    if publishing is None:
        raise PermanentSendError(f"{connector.slug} accounts cannot publish posts")
    return publishing.publish


def _finder(connector: Connector) -> Finder | None:
    """`find_published(account, request, since)`, where the connector can look for a post."""
    finding = behaviour(connector, FindPublished)
    return finding.find_published if finding is not None else None


def _fail(rt: Runtime, claim: Claim, reason: str) -> None:
    with rt.db.session() as session:
        announcements.mark_failed(session, claim.target_id, reason)


def _retry(rt: Runtime, claim: Claim, reason: str, retry_after: float | None) -> None:
    with rt.db.session() as session:
        target = session.get(AnnouncementTarget, claim.target_id)
        assert target is not None
        limit = int(rt.settings.get("PUBLISH_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
        if target.attempts >= limit:
            announcements.mark_failed(
                session, claim.target_id, f"gave up after {target.attempts} attempts: {reason}"
            )
            return
        delay = timedelta(seconds=retry_after) if retry_after else backoff(target.attempts)
        job = announcements.mark_retry(session, claim.target_id, reason, datetime.now(UTC) + delay)
    enqueue(rt, [job])


def crash_point(name: str) -> None:
    """Die here, as `kill -9` would, when the tests ask for it (SWITCHBOARD_CRASH_AT=name)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _base(rt: Runtime) -> str:
    return rt.settings.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"


def _stale_seconds(rt: Runtime) -> int:
    return int(rt.settings.get("PUBLISH_STALE_SECONDS") or DEFAULT_STALE_SECONDS)


def _stamp(at: datetime | None) -> str:
    return "now" if at is None else str(int(at.timestamp()))
