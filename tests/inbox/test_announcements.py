"""Announcements in the domain: per-target checks before saving, scheduling, re-timing, links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.base import ConversationKind
from inbox import announcements
from inbox.announcement_rules import check_target, render, sniff_image_type
from inbox.announcements import AnnouncementRefused, Draft, NewImage
from inbox.models.announcements import Announcement
from switchboard.runtime import Runtime

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KOREAN_LONG = (
    "🎉 연말 감사 세일! "
    + "비타민과 유산균 전 품목 최대 40% 할인, 오늘 밤 자정까지만 진행합니다. " * 4
)


def make(rt: Runtime, author: Any, draft: Draft) -> Announcement:
    with rt.db.session() as session:
        return announcements.create(session, author, draft, store=rt.store)


def test_korean_text_too_long_for_x_is_refused_with_the_count(rt: Runtime, factory: Any) -> None:
    fb, x = factory.account("facebook"), factory.account("x")
    marketer = factory.user("marketer")
    with pytest.raises(AnnouncementRefused) as refused:
        make(rt, marketer, Draft(text=KOREAN_LONG, targets={fb.id: None, x.id: None}))
    verdict = refused.value.verdict
    assert verdict.targets[fb.id].errors == ()
    (error,) = verdict.targets[x.id].errors
    count = verdict.targets[x.id].count
    assert count.endswith("/280") and int(count.split("/")[0]) > 280
    assert f"{count.split('/')[0]}/280" in error
    with rt.db.session() as session:
        assert session.query(Announcement).count() == 0  # nothing saved


def test_override_fixes_the_x_target(rt: Runtime, factory: Any) -> None:
    fb, x = factory.account("facebook"), factory.account("x")
    short = "연말 감사 세일, 전 품목 최대 40% 할인!"
    created = make(rt, factory.user("marketer"), Draft(KOREAN_LONG, {fb.id: None, x.id: short}))
    with rt.db.session() as session:
        saved = session.get(Announcement, created.id)
        assert saved is not None
        assert {t.channel_account_id: t.text_override for t in saved.targets} == {
            fb.id: None,
            x.id: short,
        }
        assert all(t.status == "draft" for t in saved.targets)


def test_x_counts_links_as_23_and_korean_as_2() -> None:
    text = "가" * 100 + " https://example.com/" + "a" * 80
    verdict = check_target("x", text, None, [], {})
    assert verdict.count == "224/280"  # 200 + space + 23
    assert verdict.errors == ()


def test_instagram_needs_a_jpeg_and_respects_hashtag_cap() -> None:
    assert check_target("instagram", "hello", None, [], {}).errors == (
        "Instagram: a post needs at least one image",
    )
    from inbox.announcement_rules import ImageInfo

    png = [ImageInfo("image/png", 1000, "a.png")]
    (error,) = check_target("instagram", "hello", None, png, {}).errors
    assert "a.png is image/png; only JPEG" in error
    jpeg = [ImageInfo("image/jpeg", 1000)]
    tags = " ".join(f"#tag{i}" for i in range(31))
    assert "31 hashtags; at most 30" in check_target("instagram", tags, None, jpeg, {}).errors[0]
    five = check_target("instagram", tags[:40], None, jpeg, {"max_hashtags": 5}).errors
    assert five and "at most 5" in five[0]
    long = check_target("instagram", "가" * 2201, None, jpeg, {})
    assert long.errors == ("Instagram: caption too long, 2,201/2,200 characters",)


def test_image_limits_and_sniffing() -> None:
    from inbox.announcement_rules import ImageInfo

    assert sniff_image_type(JPEG) == "image/jpeg"
    assert sniff_image_type(PNG) == "image/png"
    assert sniff_image_type(b"<svg>") is None
    big = [ImageInfo("image/jpeg", 9 * 1024 * 1024, "big.jpg")]
    (error,) = check_target("instagram", "x", None, big, {}).errors
    assert "big.jpg is 9.0 MB; the limit is 8 MB" in error
    x = check_target("x", "hello", None, [ImageInfo("image/jpeg", 10)], {})
    assert x.errors == () and "images are not attached" in x.warnings[0]


def test_link_placement_per_platform() -> None:
    link = "https://shop.example/sale"
    assert render("facebook", "세일", link, False).link == link  # link card
    assert render("facebook", "세일", link, True).text == f"세일\n\n{link}"  # photo caption
    assert render("x", "세일", link, False).text == f"세일\n\n{link}"
    assert render("instagram", "세일", link, True).text == "세일"
    assert render("x", f"세일 {link}", link, False).text == f"세일 {link}"  # not twice


def test_non_images_and_missing_targets_are_general_errors(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    with pytest.raises(AnnouncementRefused) as refused:
        make(rt, None, Draft("hi", {}, new_images=(NewImage(b"<svg/>", "x.svg"),)))
    assert refused.value.verdict.general == (
        "choose at least one account to publish to",
        "x.svg is not a JPEG, PNG, GIF or WebP image",
    )
    email = factory.account("email")
    with pytest.raises(AnnouncementRefused) as refused:
        make(rt, None, Draft("hi", {fb.id: None, email.id: None}))
    assert refused.value.verdict.targets[email.id].errors == (
        "announcements cannot be published to email accounts",
    )


def test_marketer_time_zone_is_converted_to_utc() -> None:
    local = datetime(2026, 12, 1, 9, 0)
    assert announcements.to_utc(local, "Asia/Seoul") == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    back = announcements.to_local(datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "Asia/Seoul")
    assert back.hour == 9


def test_schedule_retime_and_cancel_bump_the_version(rt: Runtime, factory: Any) -> None:
    fb, ig = factory.account("facebook"), factory.account("instagram")
    draft = Draft("새 비타민 출시", {fb.id: None, ig.id: None}, new_images=(NewImage(JPEG),))
    created = make(rt, None, draft)
    now = datetime.now(UTC)
    with rt.db.session() as session:
        ann = session.get(Announcement, created.id)
        assert ann is not None
        jobs = announcements.schedule(session, ann, None, now + timedelta(hours=1), now=now)
        assert {j.at for j in jobs} == {now + timedelta(hours=1)}
        first = {j.version for j in jobs}
        jobs = announcements.schedule(session, ann, None, now + timedelta(hours=2), now=now)
        assert {j.version for j in jobs} != first
        assert ann.status == "scheduled"
        with pytest.raises(AnnouncementRefused, match="already passed"):
            announcements.schedule(session, ann, None, now - timedelta(hours=1), now=now)
        announcements.cancel(session, ann, None)
        assert ann.status == "cancelled"
        assert {t.status for t in ann.targets} == {"cancelled"}
        with pytest.raises(AnnouncementRefused, match="no longer be changed"):
            announcements.schedule(session, ann, None, None, now=now)


def test_stale_versions_cannot_claim(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    created = make(rt, None, Draft("hi", {fb.id: None}))
    now = datetime.now(UTC)
    with rt.db.session() as session:
        ann = session.get(Announcement, created.id)
        assert ann is not None
        (old,) = announcements.schedule(session, ann, None, None, now=now)
        (new,) = announcements.schedule(session, ann, None, None, now=now)
    with rt.db.session() as session:
        base = "http://127.0.0.1:5000"
        assert (
            announcements.claim(session, old.target_id, old.version, now=now, public_base_url=base)
            is None
        )
        claim = announcements.claim(
            session, new.target_id, new.version, now=now, public_base_url=base
        )
        assert isinstance(claim, announcements.Claim) and not claim.recheck
        assert (
            announcements.claim(session, new.target_id, new.version, now=now, public_base_url=base)
            is None
        )


def test_comments_link_back_by_post_id(rt: Runtime, factory: Any) -> None:
    fb = factory.account("facebook")
    created = make(rt, None, Draft("hi", {fb.id: None}))
    now = datetime.now(UTC)
    with rt.db.session() as session:
        ann = session.get(Announcement, created.id)
        assert ann is not None
        (job,) = announcements.schedule(session, ann, None, None, now=now)
        base = "http://127.0.0.1:5000"
        announcements.claim(session, job.target_id, job.version, now=now, public_base_url=base)
        announcements.mark_published(
            session, job.target_id, external_id="page_1_post_9", permalink=None, now=now
        )
    conversation = factory.inbound(
        fb, "이 제품 언제 입고되나요?", kind=ConversationKind.COMMENT, thread="page_1_post_9"
    )
    factory.inbound(fb, "다른 글 댓글", kind=ConversationKind.COMMENT, thread="page_1_post_8")
    with rt.db.session() as session:
        ann = session.get(Announcement, created.id)
        assert ann is not None
        assert [c.id for c in announcements.comments(session, ann)] == [conversation.id]
        target = announcements.target_for_conversation(session, conversation)
        assert target is not None and target.announcement_id == ann.id
