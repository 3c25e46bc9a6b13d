"""The publish job through the real EmbeddedRunner, against the fake connector's feed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.fake import FakeConnector
from inbox import announcements
from inbox.announcements import Draft, NewImage, PublishJob
from inbox.models.announcements import Announcement, AnnouncementTarget
from switchboard.runtime import Runtime
from workers.publish import enqueue, sweep_publishing

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"PUBLISH_STALE_SECONDS": "0", "PUBLIC_BASE_URL": "http://127.0.0.1:5999"}


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait for an outcome (not a time): fails only if it never happens."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.05)


def create_scheduled(
    rt: Runtime, targets: dict[int, str | None], text: str, at: datetime | None = None
) -> tuple[int, list[PublishJob]]:
    """Create and schedule (committed); the jobs are returned, not yet handed to the runner.

    The timed tests check what scheduling decided before any job can run: once a job is in
    the runner, how soon it runs depends on the machine's load, not on the test.
    """
    with rt.db.session() as session:
        ann = announcements.create(
            session,
            None,
            Draft(text, targets, new_images=(NewImage(JPEG, "a.jpg"),)),
            store=rt.store,
        )
        jobs = announcements.schedule(session, ann, None, at, now=datetime.now(UTC))
    return ann.id, jobs


def create_and_schedule(
    rt: Runtime, targets: dict[int, str | None], text: str, at: datetime | None = None
) -> int:
    ann_id, jobs = create_scheduled(rt, targets, text, at)
    enqueue(rt, jobs)
    return ann_id


def statuses(rt: Runtime, announcement_id: int) -> dict[int, str]:
    with rt.db.session() as session:
        ann = session.get(Announcement, announcement_id)
        assert ann is not None
        return {t.channel_account_id: t.status for t in ann.targets}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_publish_now_posts_once_per_target(rt: Runtime, factory: Any) -> None:
    fb, ig, x = factory.account("facebook"), factory.account("instagram"), factory.account("x")
    ann_id = create_and_schedule(rt, {fb.id: None, ig.id: None, x.id: None}, "겨울 신상품 출시!")
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    assert statuses(rt, ann_id) == {fb.id: "published", ig.id: "published", x.id: "published"}
    assert {k: len(v) for k, v in FakeConnector.posts.items()} == {
        fb.external_id: 1,
        ig.external_id: 1,
        x.external_id: 1,
    }
    fb_post = FakeConnector.posts[fb.external_id][0]["request"]
    assert fb_post.image_urls[0].startswith("http://127.0.0.1:5999/media/announcements/")
    assert FakeConnector.posts[x.external_id][0]["request"].image_urls == ()  # X: text only
    with rt.db.session() as session:
        ann = session.get(Announcement, ann_id)
        assert ann is not None and ann.status == "done"
        assert all(t.external_id and t.permalink for t in ann.targets)


def test_one_failing_target_leaves_the_others_published(rt: Runtime, factory: Any) -> None:
    fb, ig = factory.account("facebook"), factory.account("instagram")
    ann_id = create_and_schedule(rt, {fb.id: "페이스북 [publish-permanent]", ig.id: None}, "세일")
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    assert statuses(rt, ann_id) == {fb.id: "failed", ig.id: "published"}
    with rt.db.session() as session:
        target = session.query(AnnouncementTarget).filter_by(channel_account_id=fb.id).one()
        assert target.failure_reason == "the platform refused the post (simulated)"
        job = announcements.retry(session, target, None)
        assert target.announcement.status == "publishing"
    enqueue(rt, [job])
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    assert statuses(rt, ann_id)[fb.id] == "failed"  # the simulated refusal is permanent


def test_transient_errors_are_retried(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    ann_id = create_and_schedule(rt, {fb.id: None}, "잠시 후 다시 [publish-transient:2]")
    wait_for(lambda: statuses(rt, ann_id)[fb.id] == "published")
    with rt.db.session() as session:
        target = session.query(AnnouncementTarget).one()
        assert target.attempts == 3 and target.failure_reason is None
    assert len(FakeConnector.posts[fb.external_id]) == 1


def test_scheduled_announcement_goes_out_at_its_time(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    at = datetime.now(UTC) + timedelta(seconds=1.5)
    ann_id, jobs = create_scheduled(rt, {fb.id: None}, "예약 게시물", at)
    assert [job.at for job in jobs] == [at]
    assert statuses(rt, ann_id) == {fb.id: "scheduled"}
    enqueue(rt, jobs)
    wait_for(lambda: statuses(rt, ann_id)[fb.id] == "published")
    with rt.db.session() as session:
        target = session.query(AnnouncementTarget).one()
        assert target.published_at is not None and target.published_at >= at
    assert len(FakeConnector.posts[fb.external_id]) == 1


def test_retimed_announcement_goes_out_once_at_the_new_time(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    first = datetime.now(UTC) + timedelta(seconds=1)
    ann_id, first_jobs = create_scheduled(rt, {fb.id: None}, "시간 변경", first)
    later = first + timedelta(seconds=1.5)
    with rt.db.session() as session:
        ann = session.get(Announcement, ann_id)
        assert ann is not None
        later_jobs = announcements.schedule(session, ann, None, later, now=datetime.now(UTC))
    (old,), (new,) = first_jobs, later_jobs
    assert (new.target_id, new.version, new.at) == (old.target_id, old.version + 1, later)
    enqueue(rt, first_jobs + later_jobs)  # the first job is still queued when the second comes
    wait_for(lambda: not rt.jobs.pending())  # type: ignore[attr-defined]
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    assert len(FakeConnector.posts[fb.external_id]) == 1
    with rt.db.session() as session:
        target = session.query(AnnouncementTarget).one()
        assert target.status == "published"
        assert target.published_at is not None and target.published_at >= later


def test_cancelled_and_deleted_announcements_never_go_out(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    at = datetime.now(UTC) + timedelta(seconds=1)
    cancelled, cancelled_jobs = create_scheduled(rt, {fb.id: None}, "취소될 글", at)
    deleted, deleted_jobs = create_scheduled(rt, {fb.id: None}, "삭제될 글", at)
    with rt.db.session() as session:
        ann = session.get(Announcement, cancelled)
        assert ann is not None
        announcements.cancel(session, ann, None)
        gone = session.get(Announcement, deleted)
        assert gone is not None
        announcements.delete(session, gone, None)
    enqueue(rt, cancelled_jobs + deleted_jobs)  # the queue still holds them: they must do nothing
    wait_for(lambda: not rt.jobs.pending())  # type: ignore[attr-defined]
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    assert FakeConnector.posts == {}
    assert rt.jobs.failures == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_worker_dying_after_the_post_is_recovered_without_a_second_post(
    rt: Runtime, factory: Any
) -> None:
    """Simulates the crash in-process: claim and post, then never record the outcome."""
    fb = factory.account("facebook")
    with rt.db.session() as session:
        ann = announcements.create(session, None, Draft("한 번만", {fb.id: None}), store=rt.store)
        (job,) = announcements.schedule(session, ann, None, None, now=datetime.now(UTC))
    with rt.db.session() as session:
        claim = announcements.claim(
            session, job.target_id, job.version, now=datetime.now(UTC), public_base_url="http://x"
        )
        assert isinstance(claim, announcements.Claim)
    config = rt.account_config(fb)
    posted = FakeConnector({}).publish(config, claim.request)  # the platform call; then "death"
    counts = sweep_publishing()
    assert counts["stale"] == 1
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    with rt.db.session() as session:
        target = session.get(AnnouncementTarget, job.target_id)
        assert target is not None
        assert (target.status, target.external_id) == ("published", posted.external_id)
        assert target.attempts == 2
    assert len(FakeConnector.posts[fb.external_id]) == 1


def test_lost_jobs_are_reenqueued_by_the_sweeper(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    with rt.db.session() as session:
        ann = announcements.create(
            session, None, Draft("잃어버린 작업", {fb.id: None}), store=rt.store
        )
        announcements.schedule(session, ann, None, None, now=datetime.now(UTC))
    # The jobs were never enqueued (as if Redis lost them).
    assert sweep_publishing()["lost"] == 1
    assert rt.jobs.drain()  # type: ignore[attr-defined]
    assert statuses(rt, ann.id) == {fb.id: "published"}
    assert sweep_publishing() == {"stale": 0, "lost": 0, "recomputed": 0}
