"""Lookups after ingest: customers' profiles (name, picture) and the posts comments are on.

Ingest stays set-based: it records what the webhook carried and asks for this job (one per
account, coalesced) after commit. The job asks the platform only for what is missing or
stale (inbox/profiles.py, inbox/post_context.py), a few at a time, and honours the rate
limits every other job honours: the shared pauses, and the Meta usage headers' slow-down
(connectors/_meta/usage.py; the connector raises RetryableSendError), by coming back later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from connectors import behaviour
from connectors.base import (
    AccountConfig,
    Capability,
    ConnectorError,
    PostContext,
    ProfileLookup,
    RateLimited,
    ReauthRequired,
    RetryableSendError,
    UserProfile,
)
from inbox.models import ChannelAccount
from inbox.post_context import apply_post_context, posts_to_fetch
from inbox.profiles import apply_profile, identities_due, profile_failed
from inbox.replies import flag_reauth
from switchboard.pauses import scopes_for
from workers.context import runtime

log = logging.getLogger(__name__)
T = TypeVar("T")

JOB = "workers.lookups.look_up_account"
PER_RUN = 25  # lookups per job run; more waiting: the job runs again at once
RETRY_SECONDS = 60.0


class _Later(Exception):
    """Stop this run and come back in `seconds` (throttled, paused, platform unavailable)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def wanted(connector: Any) -> bool:
    """Whether ingest should ask for this job for the connector's accounts at all."""
    return bool(connector.capabilities & {Capability.PROFILE_LOOKUP, Capability.POST_CONTEXT})


def look_up_account(account_id: int, contact_id: int | None = None) -> None:
    """Look up what is missing for the account; `contact_id`: an agent asked for this one."""
    rt = runtime()
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None or not account.enabled or account.health == "reconnect_needed":
            return
        connector = rt.connector(account)
        config = rt.account_config(account)
        channel = account.channel
    try:
        more = False
        profiles = behaviour(connector, ProfileLookup)
        if profiles is not None:
            more |= _profiles(connector, config, channel, profiles.user_profile, contact_id)
        posts = behaviour(connector, PostContext)
        if posts is not None:
            more |= _posts(connector, config, posts.post_context)
    except _Later as later:
        _again(account_id, later.seconds, contact_id)
        return
    except ReauthRequired as exc:
        with rt.db.session() as session:
            found = session.get(ChannelAccount, account_id)
            if found is not None:
                flag_reauth(session, found, exc.reason)
        return
    if more:
        rt.jobs.enqueue(JOB, account_id, queue="poll", job_id=f"lookups:{account_id}")


def _profiles(
    connector: Any,
    config: AccountConfig,
    channel: str,
    look_up: Callable[[AccountConfig, str], UserProfile],
    contact_id: int | None,
) -> bool:
    rt = runtime()
    refresh = timedelta(days=rt.settings.int("PROFILE_REFRESH_DAYS"))
    with rt.db.session() as session:
        due = identities_due(
            session,
            config.id,
            channel,
            now=datetime.now(UTC),
            refresh_after=refresh,
            limit=PER_RUN + 1,
            contact_id=contact_id,
        )
    for identity_id, user_id in due[:PER_RUN]:
        found, problem = _ask(connector, config, look_up, user_id)
        with rt.db.session() as session:
            if found is not None:
                apply_profile(session, identity_id, found, datetime.now(UTC))
            else:
                profile_failed(session, identity_id, problem or "", datetime.now(UTC))
    return len(due) > PER_RUN


def _posts(
    connector: Any,
    config: AccountConfig,
    fetch: Callable[[AccountConfig, str], dict[str, Any]],
) -> bool:
    rt = runtime()
    with rt.db.session() as session:
        posts = posts_to_fetch(session, config.id, now=datetime.now(UTC), limit=PER_RUN + 1)
    for post_id in posts[:PER_RUN]:
        # A post that cannot be read (deleted) is remembered with the reason, not asked again.
        found, problem = _ask(connector, config, fetch, post_id)
        with rt.db.session() as session:
            apply_post_context(
                session, config.id, post_id, found, datetime.now(UTC), problem=problem
            )
    return len(posts) > PER_RUN


def _ask(
    connector: Any, config: AccountConfig, call: Callable[[AccountConfig, str], T], key: str
) -> tuple[T | None, str | None]:
    """One lookup: (answer, None), or (None, why) when the platform will not say. Throttling,
    transient trouble and a revoked token end the run (_Later / ReauthRequired)."""
    _wait_if_asked(connector, config)
    try:
        return call(config, key), None
    except ReauthRequired:
        raise
    except RateLimited as exc:
        runtime().pauses.pause(exc.scopes, exc.retry_after or RETRY_SECONDS)
        raise _Later(exc.retry_after or RETRY_SECONDS) from exc
    except RetryableSendError as exc:
        raise _Later(exc.retry_after or RETRY_SECONDS) from exc
    except ConnectorError as exc:
        return None, exc.reason


def _wait_if_asked(connector: Any, config: AccountConfig) -> None:
    """Lookups are optional: they yield to a pause instead of calling (and the connector
    raises RetryableSendError with the wait when the platform's usage is high)."""
    paused = runtime().pauses.remaining(scopes_for(connector, config, "lookup"))
    if paused > 0:
        raise _Later(paused)


def _again(account_id: int, seconds: float, contact_id: int | None = None) -> None:
    at = datetime.now(UTC) + timedelta(seconds=max(1.0, seconds))
    args = (account_id,) if contact_id is None else (account_id, contact_id)
    runtime().jobs.enqueue(
        JOB, *args, queue="poll", at=at, job_id=f"lookups:{args}:{int(at.timestamp())}"
    )
