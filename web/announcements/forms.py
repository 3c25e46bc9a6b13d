"""Reading the compose form and the live-check request into domain drafts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext
from werkzeug.datastructures import FileStorage, MultiDict

from inbox.announcement_rules import ImageInfo
from inbox.announcements import Draft, NewImage, to_utc

ACTIONS = ("draft", "schedule", "now")


@dataclass(frozen=True)
class ComposeForm:
    draft: Draft
    action: str
    local_time: str  # as typed, for re-rendering
    zone: str
    at: datetime | None  # aware UTC when scheduling
    problem: str | None = None  # unreadable time or zone


def read_compose(
    form: MultiDict[str, str], files: MultiDict[str, FileStorage], default_zone: str
) -> ComposeForm:
    targets: dict[int, str | None] = {}
    for raw in form.getlist("target"):
        if raw.isascii() and raw.isdigit():
            override = form.get(f"override_{raw}", "")
            targets[int(raw)] = override if override.strip() else None
    images = tuple(
        NewImage(data=f.read(), filename=f.filename or None)
        for f in files.getlist("images")
        if f and f.filename
    )
    keep = tuple(form.getlist("keep_image")) if form.get("editing") else None
    draft = Draft(
        text=form.get("text", ""),
        link=form.get("link", "").strip() or None,
        title=form.get("title", "").strip() or None,
        targets=targets,
        new_images=images,
        keep_images=keep,
    )
    action = form.get("action", "draft")
    if action not in ACTIONS:
        action = "draft"
    zone = form.get("timezone") or default_zone
    local_time = form.get("scheduled_local", "")
    at, problem = None, None
    if action == "schedule":
        at, problem = _when(local_time, zone)
    return ComposeForm(draft, action, local_time, zone, at, problem)


def _when(local_time: str, zone: str) -> tuple[datetime | None, str | None]:
    if not local_time:
        return None, gettext("pick a date and time to schedule")
    try:
        return to_utc(datetime.fromisoformat(local_time), zone), None
    except ValueError:
        return None, gettext("%(value)s is not a date and time", value=repr(local_time))
    except ZoneInfoNotFoundError:
        return None, gettext("unknown time zone %(zone)s", zone=repr(zone))


def read_check(payload: Any) -> tuple[str, str | None, dict[int, str | None], list[ImageInfo]]:
    """The live preview sends text, link, {account id: override} and image types and sizes."""
    if not isinstance(payload, dict):
        payload = {}
    targets: dict[int, str | None] = {}
    raw_targets = payload.get("targets")
    for key, override in raw_targets.items() if isinstance(raw_targets, dict) else ():
        if str(key).isdigit():
            targets[int(key)] = override if isinstance(override, str) and override.strip() else None
    images = [
        ImageInfo(str(i.get("content_type", "")), int(i.get("size") or 0), i.get("filename"))
        for i in payload.get("images") or ()
        if isinstance(i, dict)
    ]
    link = payload.get("link")
    return (
        str(payload.get("text") or ""),
        link if isinstance(link, str) and link.strip() else None,
        targets,
        images,
    )


def zones(preferred: str) -> list[str]:
    common = ["Asia/Seoul", "UTC", "Asia/Tokyo", "America/Los_Angeles", "Europe/London"]
    if preferred not in common and preferred in available_timezones():
        common.insert(0, preferred)
    return common
