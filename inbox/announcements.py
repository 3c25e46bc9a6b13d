"""Announcements: compose, validate, schedule, re-time, cancel, and record each target's fate.

Publishing is exactly-once per target, by design rather than by hope:

1. A target is posted by one job, `workers.publish.publish_target(target_id, version)`.
   `claim` moves it scheduled → publishing in its own committed transaction, with a single-row
   conditional UPDATE (status and version), so two jobs never both post it, and a job queued
   for an old time or an edited text (older `version`) finds nothing to claim and exits.
   Cancelling or deleting moves or removes the rows, so their jobs find nothing either.
2. The platform is called outside any transaction; the outcome is recorded afterwards.
3. If a worker dies between the platform call and the commit, the target stays `publishing`.
   The sweeper re-claims it once its lease (`claimed_at`) is older than the longest publish
   can take, and any attempt after the first asks the platform first whether the post is
   already there (`find_published`: same text on the same account since the first claim).
   Only if it is not is the post made again. A platform we cannot ask is never re-posted:
   the target is marked failed with "outcome unknown" and the marketer checks and retries.

Nothing here enqueues: functions return `PublishJob`s and the caller (a view or a job) hands
them to the runner after the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from connectors.base import PublishRequest, Words
from inbox.announcement_rules import ImageInfo, Verdict, check_target, sniff_image_type
from inbox.attachments import AttachmentStore
from inbox.audit import record
from inbox.events import emit
from inbox.models import ChannelAccount, Conversation, User
from inbox.models.announcements import Announcement, AnnouncementImage, AnnouncementTarget

DEFAULT_ZONE = "Asia/Seoul"
EDITABLE = ("draft", "scheduled")
FINAL_TARGET = ("published", "failed", "cancelled")
PAST_GRACE = timedelta(minutes=1)  # a time this far in the past is refused, not "now"
EARLY_TOLERANCE = timedelta(seconds=1)  # runners may fire a little early


HAS_PROBLEMS = Words("the announcement has problems", "공지에 고칠 곳이 있습니다")


class AnnouncementRefused(ValueError):
    """The announcement cannot be saved or changed; `verdict` holds per-target errors."""

    def __init__(self, reason: str, verdict: Verdict | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.verdict = verdict or Verdict(general=(reason,))


@dataclass(frozen=True, slots=True)
class NewImage:
    data: bytes
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    targets: Mapping[int, str | None]  # channel account id -> text override (None: the text)
    link: str | None = None
    title: str | None = None
    new_images: tuple[NewImage, ...] = ()
    keep_images: tuple[str, ...] | None = None  # tokens to keep on update (None: keep all)


@dataclass(frozen=True, slots=True)
class PublishJob:
    target_id: int
    version: int
    at: datetime | None  # None: now


@dataclass(frozen=True, slots=True)
class Claim:
    """A target this worker now owns; `recheck` means look on the platform before posting."""

    target_id: int
    account_id: int
    request: PublishRequest
    recheck: bool
    since: datetime


@dataclass(frozen=True, slots=True)
class Early:
    at: datetime


@dataclass(frozen=True, slots=True)
class Problems:
    verdict: Verdict
    images: tuple[ImageInfo, ...] = field(default_factory=tuple)


# Time zones: the marketer types local wall-clock time; we store UTC.


def to_utc(local: datetime, zone: str) -> datetime:
    """Interpret a naive wall-clock time in `zone` (e.g. Asia/Seoul) and return aware UTC."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(value: datetime, zone: str) -> datetime:
    return value.astimezone(ZoneInfo(zone))


# Compose and change.


def check(
    session: Session,
    draft: Draft,
    *,
    existing: Sequence[AnnouncementImage] = (),
) -> Problems:
    """Validate every target of `draft` against its platform; nothing is written."""
    images = _image_infos(draft, existing)
    flags = _new_flags(draft, existing)
    bad = [
        (i.filename or "an image", i.filename or "이미지")
        for i, d in zip(images, flags, strict=True)
        if d
    ]
    verdict = check_parts(
        session,
        text=draft.text,
        link=draft.link,
        targets=draft.targets,
        images=images,
        general=tuple(
            Words(
                f"{en} is not a JPEG, PNG, GIF or WebP image",
                f"{ko}은(는) JPEG, PNG, GIF, WebP 이미지가 아닙니다",
            )
            for en, ko in bad
        ),
    )
    return Problems(verdict, images=tuple(images))


def check_parts(
    session: Session,
    *,
    text: str,
    link: str | None,
    targets: Mapping[int, str | None],
    images: Sequence[ImageInfo],
    general: Sequence[str] = (),
) -> Verdict:
    """The checks behind `check`, from image sizes and types alone (the live preview)."""
    problems = list(general)
    if not targets:
        problems.insert(
            0,
            Words("choose at least one account to publish to", "게시할 계정을 하나 이상 고르세요"),
        )
    checks = {}
    for account_id, override in targets.items():
        account = session.get(ChannelAccount, account_id)
        if account is None or not account.enabled:
            problems.append(
                Words(
                    f"channel account {account_id} is not connected",
                    f"채널 계정 {account_id}이(가) 연결되어 있지 않습니다",
                )
            )
            continue
        body = override if override is not None and override.strip() else text
        checks[account_id] = check_target(
            account.channel, body, link or None, images, dict(account.options or {})
        )
    return Verdict(general=tuple(problems), targets=checks)


def create(
    session: Session,
    author: User | None,
    draft: Draft,
    *,
    store: AttachmentStore,
    idempotency_key: str | None = None,
) -> Announcement:
    """Save a new draft after checking it; raise AnnouncementRefused with every problem."""
    problems = check(session, draft)
    if not problems.verdict.ok:
        raise AnnouncementRefused(HAS_PROBLEMS, problems.verdict)
    announcement = Announcement(
        author_id=author.id if author else None,
        title=(draft.title or "").strip() or None,
        text=draft.text,
        link=(draft.link or "").strip() or None,
        timezone=(author.timezone if author else None) or DEFAULT_ZONE,
        idempotency_key=idempotency_key,
    )
    session.add(announcement)
    session.flush()
    _store_images(session, announcement, draft, store)
    _sync_targets(session, announcement, draft)
    record(session, _id(author), "announcement.create", "announcement", announcement.id)
    _announce(session, announcement)
    return announcement


def update(
    session: Session,
    announcement: Announcement,
    author: User | None,
    draft: Draft,
    *,
    store: AttachmentStore,
) -> list[PublishJob]:
    """Change text, link, images or targets until publishing starts; stale jobs then exit."""
    _require_editable(announcement)
    problems = check(session, draft, existing=_kept(announcement, draft))
    if not problems.verdict.ok:
        raise AnnouncementRefused(HAS_PROBLEMS, problems.verdict)
    announcement.title = (draft.title or "").strip() or None
    announcement.text = draft.text
    announcement.link = (draft.link or "").strip() or None
    announcement.version += 1
    keep = set(draft.keep_images) if draft.keep_images is not None else None
    for image in list(announcement.images):
        if keep is not None and image.token not in keep:
            announcement.images.remove(image)
    _store_images(session, announcement, draft, store)
    _sync_targets(session, announcement, draft)
    record(session, _id(author), "announcement.update", "announcement", announcement.id)
    jobs = _jobs(announcement) if announcement.status == "scheduled" else []
    _announce(session, announcement)
    return jobs


def schedule(
    session: Session,
    announcement: Announcement,
    actor: User | None,
    at: datetime | None,
    *,
    now: datetime,
    zone: str | None = None,
) -> list[PublishJob]:
    """Schedule for `at` (aware UTC; None: now), or re-time; return the jobs to enqueue."""
    _require_editable(announcement)
    if at is not None and at < now - PAST_GRACE:
        raise AnnouncementRefused(Words("that time has already passed", "이미 지난 시각입니다"))
    problems = check(session, _as_draft(announcement), existing=tuple(announcement.images))
    if not problems.verdict.ok:
        raise AnnouncementRefused(HAS_PROBLEMS, problems.verdict)
    announcement.scheduled_at = now if at is None or at < now else at
    if zone:
        announcement.timezone = zone
    announcement.version += 1
    announcement.status = "scheduled"
    for target in announcement.targets:
        target.status = "scheduled"
        target.version = announcement.version
        target.failure_reason = None
    record(
        session,
        _id(actor),
        "announcement.schedule",
        "announcement",
        announcement.id,
        {"at": announcement.scheduled_at.isoformat()},
    )
    _announce(session, announcement)
    return _jobs(announcement)


def cancel(session: Session, announcement: Announcement, actor: User | None) -> None:
    """Stop an announcement that has not started; its queued jobs will find nothing to do."""
    _require_editable(announcement)
    announcement.status = "cancelled"
    announcement.version += 1
    announcement.finished_at = datetime.now(UTC)
    for target in announcement.targets:
        target.status = "cancelled"
    record(session, _id(actor), "announcement.cancel", "announcement", announcement.id)
    _announce(session, announcement)


def delete(session: Session, announcement: Announcement, actor: User | None) -> None:
    """Delete an announcement nothing of which has been posted (or is being posted)."""
    if any(t.status in ("publishing", "published") for t in announcement.targets):
        raise AnnouncementRefused(
            Words(
                "part of this announcement is already published",
                "이 공지의 일부가 이미 게시되었습니다",
            )
        )
    record(session, _id(actor), "announcement.delete", "announcement", announcement.id)
    emit(session, "announcement.deleted", announcement_id=announcement.id)
    session.delete(announcement)


def retry(session: Session, target: AnnouncementTarget, actor: User | None) -> PublishJob:
    """Put a failed target back in the queue, now."""
    if target.status != "failed":
        raise AnnouncementRefused(
            Words(
                f"only failed targets can be retried (this one is {target.status})",
                "실패한 대상만 다시 시도할 수 있습니다",
            )
        )
    announcement = target.announcement
    target.status = "scheduled"
    target.version = announcement.version
    target.next_attempt_at = None
    target.failure_reason = None
    target.attempts = 0
    _refresh(announcement)
    record(session, _id(actor), "announcement.retry", "announcement_target", target.id)
    _announce(session, announcement, target)
    return PublishJob(target.id, target.version, None)


def by_idempotency_key(session: Session, key: str) -> Announcement | None:
    """The announcement an earlier request with this `Idempotency-Key` created, if any."""
    return session.scalars(select(Announcement).where(Announcement.idempotency_key == key)).first()


# Publishing (called by workers/publish.py).


def claim(
    session: Session, target_id: int, version: int, *, now: datetime, public_base_url: str
) -> Claim | Early | None:
    """Take a scheduled target for publishing (committed by the caller before the call)."""
    target = session.get(AnnouncementTarget, target_id)
    if target is None or target.version != version or target.status != "scheduled":
        return None
    announcement = target.announcement
    due = target.next_attempt_at or announcement.scheduled_at or now
    if due > now + EARLY_TOLERANCE:
        return Early(due)
    result = session.execute(
        sql_update(AnnouncementTarget)
        .where(
            AnnouncementTarget.id == target_id,
            AnnouncementTarget.status == "scheduled",
            AnnouncementTarget.version == version,
        )
        .values(status="publishing", claimed_at=now, attempts=AnnouncementTarget.attempts + 1)
    )
    if not getattr(result, "rowcount", 0):
        return None
    session.refresh(target)
    return _claimed(session, target, now, public_base_url)


def reclaim_stale(
    session: Session, target_id: int, *, stale_before: datetime, now: datetime, public_base_url: str
) -> Claim | None:
    """Take over a target whose worker died mid-publish; the caller must look before posting."""
    result = session.execute(
        sql_update(AnnouncementTarget)
        .where(
            AnnouncementTarget.id == target_id,
            AnnouncementTarget.status == "publishing",
            AnnouncementTarget.claimed_at <= stale_before,
        )
        .values(claimed_at=now, attempts=AnnouncementTarget.attempts + 1)
    )
    if not getattr(result, "rowcount", 0):
        return None
    target = session.get(AnnouncementTarget, target_id, populate_existing=True)
    assert target is not None
    return _claimed(session, target, now, public_base_url)


def mark_published(
    session: Session, target_id: int, *, external_id: str, permalink: str | None, now: datetime
) -> None:
    target = _target(session, target_id)
    target.status = "published"
    target.external_id = external_id
    target.permalink = permalink
    target.published_at = now
    target.failure_reason = None
    target.next_attempt_at = None
    _lock_and_refresh(session, target.announcement)
    _announce(session, target.announcement, target)


def set_permalink(session: Session, target_id: int, permalink: str) -> None:
    """Enrich a published target with its public URL (never changes its status)."""
    target = _target(session, target_id)
    target.permalink = permalink
    _announce(session, target.announcement, target)


def mark_failed(session: Session, target_id: int, reason: str) -> None:
    target = _target(session, target_id)
    target.status = "failed"
    target.failure_reason = reason
    target.next_attempt_at = None
    _lock_and_refresh(session, target.announcement)
    _announce(session, target.announcement, target)


def mark_retry(session: Session, target_id: int, reason: str, at: datetime) -> PublishJob:
    """A transient failure: back to scheduled for `at`, same version, reason shown meanwhile."""
    target = _target(session, target_id)
    target.status = "scheduled"
    target.failure_reason = reason
    target.next_attempt_at = at
    _lock_and_refresh(session, target.announcement)
    _announce(session, target.announcement, target)
    return PublishJob(target.id, target.version, at)


def stale_publishing(session: Session, stale_before: datetime) -> list[int]:
    return list(
        session.scalars(
            select(AnnouncementTarget.id).where(
                AnnouncementTarget.status == "publishing",
                AnnouncementTarget.claimed_at <= stale_before,
            )
        )
    )


def missing_permalinks(session: Session, published_after: datetime) -> list[int]:
    """Recently published targets still without a permalink (its job may be lost)."""
    return list(
        session.scalars(
            select(AnnouncementTarget.id).where(
                AnnouncementTarget.status == "published",
                AnnouncementTarget.permalink.is_(None),
                AnnouncementTarget.published_at >= published_after,
            )
        )
    )


def overdue(session: Session, before: datetime) -> list[PublishJob]:
    """Scheduled targets whose time passed before `before`: their job may be lost (Redis)."""
    rows = session.execute(
        select(AnnouncementTarget.id, AnnouncementTarget.version)
        .join(Announcement)
        .where(
            AnnouncementTarget.status == "scheduled",
            AnnouncementTarget.version == Announcement.version,
            Announcement.status.in_(("scheduled", "publishing")),
            or_(
                AnnouncementTarget.next_attempt_at <= before,
                AnnouncementTarget.next_attempt_at.is_(None)
                & (Announcement.scheduled_at <= before),
            ),
        )
    ).all()
    return [PublishJob(target_id, version, None) for target_id, version in rows]


# Reading.


def comments(session: Session, announcement: Announcement) -> list[Conversation]:
    """The comment and reply conversations the published posts drew, newest activity first.

    Linked at read time by (account, thread_key == the post's external id), the way ingest
    already threads comments per post, so ingest needs no knowledge of announcements.
    """
    pairs = [
        (t.channel_account_id, t.external_id)
        for t in announcement.targets
        if t.status == "published" and t.external_id
    ]
    if not pairs:
        return []
    clauses = [
        (Conversation.channel_account_id == account_id) & (Conversation.thread_key == post_id)
        for account_id, post_id in pairs
    ]
    return list(
        session.scalars(
            select(Conversation)
            .where(Conversation.kind.in_(("comment", "mention")), or_(*clauses))
            .order_by(Conversation.last_activity_at.desc())
            .limit(200)
        )
    )


def target_for_conversation(
    session: Session, conversation: Conversation
) -> AnnouncementTarget | None:
    """The announcement post a comment conversation hangs under, for the inbox UI."""
    if conversation.kind not in ("comment", "mention"):
        return None
    return session.scalars(
        select(AnnouncementTarget).where(
            AnnouncementTarget.channel_account_id == conversation.channel_account_id,
            AnnouncementTarget.external_id == conversation.thread_key,
        )
    ).first()


def image_url(public_base_url: str, image: AnnouncementImage) -> str:
    return f"{public_base_url.rstrip('/')}/media/announcements/{image.token}"


def build_request(target: AnnouncementTarget, public_base_url: str) -> PublishRequest:
    """The post for this target, rendered the same way the checks saw it."""
    announcement = target.announcement
    override = target.text_override
    text = override if override is not None and override.strip() else announcement.text
    verdict = check_target(
        target.account.channel,
        text,
        announcement.link,
        [ImageInfo(i.content_type, i.size) for i in announcement.images],
        dict(target.account.options or {}),
    )
    rendered = verdict.rendered
    urls = (
        tuple(image_url(public_base_url, i) for i in announcement.images)
        if rendered.with_images
        else ()
    )
    return PublishRequest(
        announcement_uuid=announcement.uuid, text=rendered.text, image_urls=urls, link=rendered.link
    )


# Helpers.


def _claimed(
    session: Session, target: AnnouncementTarget, now: datetime, public_base_url: str
) -> Claim:
    recheck = target.first_claimed_at is not None
    if target.first_claimed_at is None:
        target.first_claimed_at = now
    announcement = target.announcement
    if announcement.started_at is None:
        announcement.started_at = now
    _lock_and_refresh(session, announcement)
    _announce(session, announcement, target)
    return Claim(
        target_id=target.id,
        account_id=target.channel_account_id,
        request=build_request(target, public_base_url),
        recheck=recheck,
        since=target.first_claimed_at - timedelta(minutes=5),  # platform clock skew
    )


def _lock_and_refresh(session: Session, announcement: Announcement) -> None:
    """Derive the status under a row lock on the announcement, from committed target rows.

    Two targets finishing at once on PostgreSQL (READ COMMITTED) would each see the other
    still `publishing` and leave the announcement `publishing` forever. The lock makes the
    second transaction wait for the first to commit; re-reading the targets after it then
    sees both. SQLite already serializes writers (BEGIN IMMEDIATE); FOR UPDATE is a no-op.
    """
    session.flush()
    session.execute(
        select(Announcement.id).where(Announcement.id == announcement.id).with_for_update()
    )
    session.scalars(  # re-read committed rows into the identity map
        select(AnnouncementTarget)
        .where(AnnouncementTarget.announcement_id == announcement.id)
        .execution_options(populate_existing=True)
    ).all()
    session.refresh(announcement, attribute_names=["status", "finished_at", "targets"])
    _refresh(announcement)


def recompute_statuses(session: Session) -> int:
    """Re-derive announcements left `publishing` although every target is final (sweeper)."""
    fixed = 0
    for announcement in session.scalars(
        select(Announcement).where(Announcement.status.in_(("publishing", "scheduled")))
    ):
        before = announcement.status
        _refresh(announcement)
        if announcement.status != before:
            _announce(session, announcement)
            fixed += 1
    return fixed


def _refresh(announcement: Announcement) -> None:
    statuses = {t.status for t in announcement.targets}
    if announcement.status in ("draft", "cancelled"):
        return
    if statuses and statuses <= set(FINAL_TARGET):
        announcement.status = "cancelled" if statuses == {"cancelled"} else "done"
        announcement.finished_at = announcement.finished_at or datetime.now(UTC)
    elif statuses & {"publishing", "published", "failed"}:
        announcement.status = "publishing"
        announcement.finished_at = None
    else:
        announcement.status = "scheduled"


def _jobs(announcement: Announcement) -> list[PublishJob]:
    return [
        PublishJob(t.id, t.version, announcement.scheduled_at)
        for t in announcement.targets
        if t.status == "scheduled"
    ]


def _require_editable(announcement: Announcement) -> None:
    if announcement.status not in EDITABLE or any(
        t.status not in ("draft", "scheduled") for t in announcement.targets
    ):
        raise AnnouncementRefused(
            Words(
                f"this announcement is {announcement.status} and can no longer be changed",
                "이 공지는 이제 바꿀 수 없습니다",
            )
        )


def _sync_targets(session: Session, announcement: Announcement, draft: Draft) -> None:
    current = {t.channel_account_id: t for t in announcement.targets}
    for account_id, gone in current.items():
        if account_id not in draft.targets:
            announcement.targets.remove(gone)
    session.flush()
    status = "scheduled" if announcement.status == "scheduled" else "draft"
    for account_id, override in draft.targets.items():
        found = current.get(account_id)
        if found is None:
            target = AnnouncementTarget(
                channel_account_id=account_id,
                idempotency_key=f"{announcement.uuid}:{account_id}",
            )
            announcement.targets.append(target)
        else:
            target = found
        target.text_override = override if override is not None and override.strip() else None
        target.status = status
        target.version = announcement.version
    session.flush()


def _store_images(
    session: Session, announcement: Announcement, draft: Draft, store: AttachmentStore
) -> None:
    position = max((i.position for i in announcement.images), default=-1) + 1
    for offset, new in enumerate(draft.new_images):
        kind = sniff_image_type(new.data)
        if kind is None:
            continue  # refused by check()
        announcement.images.append(
            AnnouncementImage(
                position=position + offset,
                token=secrets.token_urlsafe(24),
                sha256=store.put(new.data),
                content_type=kind,
                size=len(new.data),
                filename=new.filename,
            )
        )
    session.flush()


def _image_infos(draft: Draft, existing: Sequence[AnnouncementImage]) -> list[ImageInfo]:
    infos = [ImageInfo(i.content_type, i.size, i.filename) for i in existing]
    for new in draft.new_images:
        kind = sniff_image_type(new.data) or "application/octet-stream"
        infos.append(ImageInfo(kind, len(new.data), new.filename))
    return infos


def _new_flags(draft: Draft, existing: Sequence[AnnouncementImage]) -> list[bool]:
    """For each image, whether it is an upload that is not an image at all."""
    return [False] * len(existing) + [sniff_image_type(n.data) is None for n in draft.new_images]


def _kept(announcement: Announcement, draft: Draft) -> tuple[AnnouncementImage, ...]:
    if draft.keep_images is None:
        return tuple(announcement.images)
    keep = set(draft.keep_images)
    return tuple(i for i in announcement.images if i.token in keep)


def _as_draft(announcement: Announcement) -> Draft:
    return Draft(
        text=announcement.text,
        link=announcement.link,
        targets={t.channel_account_id: t.text_override for t in announcement.targets},
    )


def _target(session: Session, target_id: int) -> AnnouncementTarget:
    target = session.get(AnnouncementTarget, target_id)
    if target is None:
        raise LookupError(f"announcement target {target_id} not found")
    return target


def _announce(
    session: Session, announcement: Announcement, target: AnnouncementTarget | None = None
) -> None:
    """Tell live pages; `target` narrows it to one target's status change."""
    data: dict[str, object] = {
        "announcement_id": announcement.id,
        "status": announcement.status,
    }
    if target is not None:
        data.update(
            target_id=target.id,
            target_status=target.status,
            external_id=target.external_id,
            permalink=target.permalink,
            failure_reason=target.failure_reason,
        )
    emit(session, "announcement.updated", **data)


def _id(user: User | None) -> int | None:
    return user.id if user else None
