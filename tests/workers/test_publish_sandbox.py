"""Announcements against the Meta and X emulators over loopback, through the real jobs.

One announcement to one Facebook Page, one Instagram account and one X account must make
exactly the expected calls; a failing target leaves the others published; a worker process
killed (SIGKILL) between the platform call and the commit, then recovered, leaves exactly one
post per target; a comment on the post comes back into the inbox linked to the announcement.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from inbox import announcements
from inbox.announcements import Draft, NewImage
from inbox.models import ChannelAccount, Conversation
from inbox.models.announcements import Announcement, AnnouncementTarget
from sandbox.x import World as XWorld
from sandbox.x import create_app as create_x_app
from sandbox.x.world import BRAND, CONSUMER_KEY, CONSUMER_SECRET
from switchboard.runtime import Runtime
from tests.connectors.facebook.sandbox_support import (
    IG,
    PAGE,
    TOKEN,
    Sandbox,
    _forget_usage,
    sandbox,
)
from tests.support.servers import free_port, serve_wsgi
from workers.publish import CRASH_ENV, enqueue, sweep_publishing

__all__ = ["_forget_usage", "sandbox"]  # fixtures shared with the facebook tests

ROOT = Path(__file__).resolve().parents[2]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
TEXT = "겨울 한정 홍삼 세트 출시! 오늘부터 20% 할인 #홍삼 #서울서플"
LINK = "https://shop.example/winter"
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@dataclass
class XSandbox:
    url: str
    world: XWorld

    def received(self, method: str, path: str) -> list[dict[str, Any]]:
        found = requests.get(
            f"{self.url}/_emu/requests", params={"method": method, "path": path}, timeout=10
        )
        return list(found.json()["requests"])

    def emu(self, path: str, **doc: Any) -> Any:
        response = requests.post(f"{self.url}/_emu/{path}", json=doc, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    return {"CONTAINER_CHECKS": 2}  # the IG container is IN_PROGRESS for two status checks


@pytest.fixture
def xsandbox() -> Iterator[XSandbox]:
    world = XWorld()
    with serve_wsgi(create_x_app(world)) as url:
        yield XSandbox(url, world)


@pytest.fixture
def app_port() -> int:
    return free_port()


@pytest.fixture
def settings_overrides(sandbox: Sandbox, xsandbox: XSandbox, app_port: int) -> dict[str, str]:
    return sandbox.settings(
        X_API_URL=xsandbox.url,
        X_CONSUMER_KEY=CONSUMER_KEY,
        X_CONSUMER_SECRET=CONSUMER_SECRET,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{app_port}",
        PUBLISH_STALE_SECONDS="0",
        META_VERIFY_TOKEN="verify-me",
    )


class Scene:
    def __init__(self, rt: Runtime, meta: Sandbox, x: XSandbox, factory: Any) -> None:
        self.rt, self.meta, self.x = rt, meta, x
        self.fb = factory.account(
            "facebook", connector="facebook", external_id=PAGE, credentials={"page_token": TOKEN}
        )
        self.ig = factory.account(
            "instagram",
            connector="instagram",
            external_id=IG,
            credentials={"page_token": TOKEN},
            options={"page_id": PAGE},
        )
        self.xa = factory.account(
            "x",
            connector="x",
            external_id=BRAND[0],
            credentials={
                "access_token": "brand-access-token",
                "access_token_secret": "brand-access-secret",
            },
            options={"username": BRAND[1]},
        )

    def announce(self, overrides: dict[int, str | None] | None = None) -> list[int]:
        """Create and schedule for now; return the jobs' target ids (not yet enqueued)."""
        targets = overrides or {self.fb.id: None, self.ig.id: None, self.xa.id: None}
        with self.rt.db.session() as session:
            ann = announcements.create(
                session,
                None,
                Draft(TEXT, targets, link=LINK, new_images=(NewImage(JPEG, "winter.jpg"),)),
                store=self.rt.store,
            )
            self.jobs = announcements.schedule(session, ann, None, None, now=datetime.now(UTC))
            self.announcement_id = ann.id
        return [j.target_id for j in self.jobs]

    def targets(self) -> dict[int, AnnouncementTarget]:
        with self.rt.db.session() as session:
            rows = session.scalars(
                select(AnnouncementTarget).where(
                    AnnouncementTarget.announcement_id == self.announcement_id
                )
            ).all()
            session.expunge_all()
            return {t.channel_account_id: t for t in rows}

    def settle(self) -> None:
        for _ in range(3):
            assert self.rt.jobs.drain(timeout=30)  # type: ignore[attr-defined]
            assert self.meta.emu("webhooks/drain")["idle"]
        assert self.rt.jobs.drain(timeout=30)  # type: ignore[attr-defined]


@pytest.fixture
def scene(rt: Runtime, sandbox: Sandbox, xsandbox: XSandbox, factory: Any) -> Scene:
    sandbox.clear_requests()
    requests.delete(f"{xsandbox.url}/_emu/requests", timeout=10)
    return Scene(rt, sandbox, xsandbox, factory)


def meta_posts(meta: Sandbox) -> list[dict[str, Any]]:
    return [r for r in meta.requests(method="POST")]


@BOTH
def test_one_announcement_makes_exactly_the_right_calls(scene: Scene, app_port: int) -> None:
    scene.announce()
    enqueue(scene.rt, scene.jobs)
    scene.settle()
    targets = scene.targets()
    assert {t.status for t in targets.values()} == {"published"}, [
        t.failure_reason for t in targets.values()
    ]

    image_prefix = f"http://127.0.0.1:{app_port}/media/announcements/"
    posts = meta_posts(scene.meta)
    by_path = {p["path"]: p for p in posts}
    assert sorted(by_path) == sorted([f"/{PAGE}/photos", f"/{IG}/media", f"/{IG}/media_publish"])
    assert len(posts) == 3
    photo = by_path[f"/{PAGE}/photos"]["json"]
    assert photo["caption"] == f"{TEXT}\n\n{LINK}"  # a photo post carries the link in its text
    assert photo["url"].startswith(image_prefix)
    container = by_path[f"/{IG}/media"]["json"]
    assert container["caption"] == TEXT  # IG captions do not get the (unclickable) link
    assert container["image_url"] == photo["url"]

    # The IG flow waited for the container: status checks until FINISHED, then media_publish.
    log = scene.meta.requests()
    container_id = by_path[f"/{IG}/media_publish"]["json"]["creation_id"]
    checks = [i for i, r in enumerate(log) if r["path"] == f"/{container_id}"]
    publish_at = next(i for i, r in enumerate(log) if r["path"] == f"/{IG}/media_publish")
    assert len(checks) == 3 and max(checks) < publish_at

    (tweet,) = scene.x.received("POST", "/2/tweets")
    assert tweet["json"] == {"text": f"{TEXT}\n\n{LINK}"}
    tweet_id = targets[scene.xa.id].external_id
    assert targets[scene.xa.id].permalink == f"https://x.com/{BRAND[1]}/status/{tweet_id}"
    assert targets[scene.fb.id].external_id.startswith(f"{PAGE}_")  # type: ignore[union-attr]


def test_one_failing_target_leaves_the_others_published(scene: Scene) -> None:
    scene.meta.emu(
        "fail",
        code=100,
        message="(#100) Invalid parameter: the image could not be downloaded",
        path_contains="/photos",
    )
    scene.announce()
    enqueue(scene.rt, scene.jobs)
    scene.settle()
    targets = scene.targets()
    assert targets[scene.fb.id].status == "failed"
    assert "image could not be downloaded" in (targets[scene.fb.id].failure_reason or "")
    assert (targets[scene.ig.id].status, targets[scene.xa.id].status) == ("published", "published")


def test_worker_killed_after_the_platform_call_posts_exactly_once(
    scene: Scene, rt: Runtime
) -> None:
    """A real process dies by SIGKILL right after each platform call, before any commit."""
    target_ids = scene.announce()
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        **{k: v for k, v in rt.settings.env.items() if isinstance(v, str)},
        "SWITCHBOARD_DOTENV": "/nonexistent",
        CRASH_ENV: "publish.after_call",
    }
    for job in scene.jobs:
        code = (
            "from workers.publish import publish_target; "
            f"publish_target({job.target_id}, {job.version})"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, timeout=120, check=False
        )
        assert done.returncode == -9  # killed at the crash point
    assert {t.status for t in scene.targets().values()} == {"publishing"}
    assert len(meta_posts(scene.meta)) == 3  # photo, container, media_publish: posted once
    assert len(scene.x.received("POST", "/2/tweets")) == 1

    counts = sweep_publishing()  # what the sweeper does after its stale interval
    assert counts["stale"] == len(target_ids)
    scene.settle()
    targets = scene.targets()
    assert {t.status for t in targets.values()} == {"published"}, [
        t.failure_reason for t in targets.values()
    ]
    assert {t.attempts for t in targets.values()} == {2}
    assert len(meta_posts(scene.meta)) == 3  # nothing posted again: it was found instead
    assert len(scene.x.received("POST", "/2/tweets")) == 1
    assert len(scene.x.received("GET", f"/2/users/{BRAND[0]}/tweets")) == 1
    with rt.db.session() as session:
        ann = session.get(Announcement, scene.announcement_id)
        assert ann is not None and ann.status == "done"


def test_comment_on_the_post_comes_back_linked(
    scene: Scene, rt: Runtime, app: Any, app_port: int, factory: Any
) -> None:
    scene.announce({scene.fb.id: None, scene.ig.id: None})
    enqueue(scene.rt, scene.jobs)
    with serve_wsgi(app, port=app_port) as url:
        scene.meta.emu("webhooks/config", url=f"{url}/webhooks/meta")
        scene.settle()
        targets = scene.targets()
        made = scene.meta.emu(
            "customers/comment",
            platform="facebook",
            post_id=targets[scene.fb.id].external_id,
            name="박서연",
            text="홍삼 세트 선물 포장 되나요?",
        )
        scene.meta.emu(
            "customers/comment",
            platform="instagram",
            post_id=targets[scene.ig.id].external_id,
            username="minji.k",
            text="가격이 얼마예요?",
        )
        scene.settle()
        image = requests.get(
            scene.meta.requests(path="photos")[0]["json"]["url"], timeout=10
        )  # the URL Meta was given serves the image, without signing in
        assert image.status_code == 200 and image.content == JPEG
    with rt.db.session() as session:
        ann = session.get(Announcement, scene.announcement_id)
        assert ann is not None
        found = announcements.comments(session, ann)
        assert sorted((c.kind, c.account.channel) for c in found) == [
            ("comment", "facebook"),
            ("comment", "instagram"),
        ]
        fb_conversation = next(c for c in found if c.account.channel == "facebook")
        assert fb_conversation.participant_key == made["customer_id"]
    marketer = factory.user("marketer")
    shown = app.test_client().get(
        f"/api/v1/announcements/{scene.announcement_id}",
        headers={"Authorization": f"Bearer {factory.token(marketer)}"},
    )
    assert len(shown.get_json()["comments"]) == 2


def test_reply_to_the_tweet_is_linked_after_polling(scene: Scene, rt: Runtime) -> None:
    from workers.poll import poll_account

    scene.announce({scene.xa.id: None})
    enqueue(scene.rt, scene.jobs)
    scene.settle()
    tweet_id = scene.targets()[scene.xa.id].external_id
    scene.x.emu("users", id="1700000000000000042", username="jiwoo_park", name="박지우")
    scene.x.emu(
        "mentions",
        text=f"@{BRAND[1]} 홍삼 세트 재입고 언제예요?",
        in_reply_to_tweet_id=tweet_id,
        **{"from": "jiwoo_park"},
    )
    poll_account(scene.xa.id)
    with rt.db.session() as session:
        ann = session.get(Announcement, scene.announcement_id)
        assert ann is not None
        (conversation,) = announcements.comments(session, ann)
        assert conversation.thread_key == tweet_id
        account = session.get(ChannelAccount, conversation.channel_account_id)
        assert account is not None and account.channel == "x"
        assert session.scalars(select(Conversation)).all() == [conversation]
