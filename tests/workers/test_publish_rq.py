"""Announcements in production mode: rq on a real Redis, `switchboard worker` processes with
rq's scheduler, PostgreSQL, and the Meta and X emulators on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inbox import announcements
from inbox.announcements import Draft
from inbox.models.announcements import AnnouncementTarget
from sandbox.x.world import BRAND, CONSUMER_KEY, CONSUMER_SECRET
from switchboard.runtime import Runtime
from tests.conftest import REDIS_TEST_URL
from tests.connectors.facebook.sandbox_support import PAGE, TOKEN, Sandbox, sandbox
from tests.support.factory import Factory
from tests.support.production import production, wait_for
from tests.workers.test_publish_sandbox import XSandbox, xsandbox
from workers.publish import CRASH_ENV, enqueue, sweep_publishing

__all__ = ["sandbox", "xsandbox"]
pytestmark = [pytest.mark.redis, pytest.mark.postgres]
REDIS_URL = os.environ.get("SWITCHBOARD_TEST_REDIS_PUBLISH", REDIS_TEST_URL)
SWITCHBOARD = str(Path(sys.executable).parent / "switchboard")


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {}


@pytest.fixture
def prod(
    pg_url: str, tmp_path: Path, sandbox: Sandbox, xsandbox: XSandbox
) -> Iterator[dict[str, Any]]:

    overrides = sandbox.settings(
        X_API_URL=xsandbox.url,
        X_CONSUMER_KEY=CONSUMER_KEY,
        X_CONSUMER_SECRET=CONSUMER_SECRET,
        SWEEP_INTERVAL_SECONDS="3600",  # the test calls the sweep itself
        PUBLISH_STALE_SECONDS="0",
    )
    with production(pg_url, tmp_path, REDIS_URL, **overrides) as harness:
        rt = harness.rt

        def start_worker(**extra: str) -> subprocess.Popen[bytes]:
            return harness.start_worker("publish", **extra)

        yield {"rt": rt, "start_worker": start_worker, **_accounts(rt), "tmp": tmp_path}


def _accounts(rt: Runtime) -> dict[str, Any]:
    factory = Factory(rt)
    fb = factory.account(
        "facebook", connector="facebook", external_id=PAGE, credentials={"page_token": TOKEN}
    )
    x = factory.account(
        "x",
        connector="x",
        external_id=BRAND[0],
        credentials={
            "access_token": "brand-access-token",
            "access_token_secret": "brand-access-secret",
        },
    )
    return {"fb": fb, "x": x}


def targets(rt: Runtime) -> list[AnnouncementTarget]:
    with rt.db.session() as s:
        rows = list(s.scalars(select(AnnouncementTarget).order_by(AnnouncementTarget.id)))
        s.expunge_all()
        return rows


def test_scheduled_and_retimed_announcement_goes_out_once_at_the_new_time(
    prod: dict[str, Any], xsandbox: XSandbox
) -> None:
    rt, x = prod["rt"], prod["x"]
    prod["start_worker"]()
    first = datetime.now(UTC) + timedelta(seconds=2)
    with rt.db.session() as s:
        ann = announcements.create(s, None, Draft("rq 예약 게시", {x.id: None}), store=rt.store)
        jobs = announcements.schedule(s, ann, None, first, now=datetime.now(UTC))
    enqueue(rt, jobs)
    later = first + timedelta(seconds=3)
    with rt.db.session() as s:
        found = s.get(type(ann), ann.id)
        assert found is not None
        jobs = announcements.schedule(s, found, None, later, now=datetime.now(UTC))
    enqueue(rt, jobs)
    assert targets(rt)[0].status == "scheduled"
    wait_for(lambda: targets(rt)[0].status == "published", what="the scheduled post")
    (target,) = targets(rt)
    assert target.published_at is not None and target.published_at >= later
    assert len(xsandbox.received("POST", "/2/tweets")) == 1


def test_worker_killed_mid_publish_then_restarted_posts_once(
    prod: dict[str, Any], sandbox: Sandbox, xsandbox: XSandbox
) -> None:
    rt, fb, x = prod["rt"], prod["fb"], prod["x"]
    crashing = prod["start_worker"](**{CRASH_ENV: "publish.after_call"})
    with rt.db.session() as s:
        ann = announcements.create(
            s, None, Draft("워커가 죽어도 한 번만", {fb.id: None, x.id: None}), store=rt.store
        )
        jobs = announcements.schedule(s, ann, None, None, now=datetime.now(UTC))
    enqueue(rt, jobs)
    # `switchboard worker` forks no work horse (issue 12): the crash point kills the whole
    # worker right after its first post went out; the other job waits in the queue.
    crashing.wait(timeout=120)
    posts = len(sandbox.requests(method="POST")) + len(xsandbox.received("POST", "/2/tweets"))
    assert posts == 1
    statuses = [t.status for t in targets(rt)]
    assert statuses.count("publishing") == 1 and "published" not in statuses

    assert sweep_publishing()["stale"] == 1  # the orphaned one
    prod["start_worker"]()  # the restarted worker
    wait_for(
        lambda: {t.status for t in targets(rt)} == {"published"},
        what="recovery of the orphaned target and the queued one",
    )
    assert len(sandbox.requests(method="POST")) == 1
    assert len(xsandbox.received("POST", "/2/tweets")) == 1
    assert sorted(t.attempts for t in targets(rt)) == [1, 2]
