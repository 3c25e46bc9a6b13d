"""JSON shapes of announcements, shared by the REST API and the live pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inbox.announcement_rules import Verdict
from inbox.announcements import image_url
from inbox.models import Conversation
from inbox.models.announcements import Announcement, AnnouncementTarget
from web.serialize import iso


def target_json(target: AnnouncementTarget) -> dict[str, Any]:
    return {
        "id": target.id,
        "channel_account_id": target.channel_account_id,
        "channel": target.account.channel,
        "account_name": target.account.name,
        "text": target.text_override,
        "status": target.status,
        "external_id": target.external_id,
        "permalink": target.permalink,
        "failure_reason": target.failure_reason,
        "attempts": target.attempts,
        "next_attempt_at": iso(target.next_attempt_at),
        "published_at": iso(target.published_at),
    }


def announcement_json(
    announcement: Announcement,
    public_base_url: str,
    *,
    comments: list[Conversation] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": announcement.id,
        "uuid": announcement.uuid,
        "title": announcement.title,
        "text": announcement.text,
        "link": announcement.link,
        "status": announcement.status,
        "version": announcement.version,
        "scheduled_at": iso(announcement.scheduled_at),
        "timezone": announcement.timezone,
        "author_id": announcement.author_id,
        "images": [
            {
                "url": image_url(public_base_url, image),
                "content_type": image.content_type,
                "size": image.size,
                "filename": image.filename,
            }
            for image in announcement.images
        ],
        "targets": [target_json(t) for t in announcement.targets],
        "created_at": iso(announcement.created_at),
        "started_at": iso(announcement.started_at),
        "finished_at": iso(announcement.finished_at),
    }
    if comments is not None:
        body["comments"] = [
            {
                "conversation_id": c.id,
                "channel_account_id": c.channel_account_id,
                "thread_key": c.thread_key,
                "status": c.status,
                "contact": {"id": c.contact.id, "name": c.contact.name},
                "last_activity_at": iso(c.last_activity_at),
            }
            for c in comments
        ]
    return body


def verdict_json(verdict: Verdict, say: Callable[[object], str] = str) -> dict[str, Any]:
    """The checks as JSON; the API keeps the English text, the compose page passes `say`
    (web/ui/text.py) for the marketer's language."""
    return {
        "ok": verdict.ok,
        "errors": [say(e) for e in verdict.general],
        "targets": {
            str(account_id): {
                "channel": check.channel,
                "count": check.count,
                "errors": [say(e) for e in check.errors],
                "warnings": [say(w) for w in check.warnings],
                "preview": check.rendered.text,
                "link": check.rendered.link,
                "with_images": check.rendered.with_images,
            }
            for account_id, check in verdict.targets.items()
        },
    }
