"""/announcements: list, create (draft, schedule or publish now) and read, for marketers."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inbox import announcements
from inbox.announcement_rules import RULES
from inbox.announcements import AnnouncementRefused, Draft, NewImage
from inbox.models import User
from inbox.models.announcements import ANNOUNCEMENT_STATUSES, Announcement
from web.announcements.serialize import announcement_json, verdict_json
from web.api import bp
from web.api.auth import require_roles
from web.api.edge import plain_int
from web.api.errors import Problem
from web.api.openapi import add_paths
from web.runtime import current_runtime
from workers.publish import enqueue

MARKETERS = ("marketer", "admin")
log = logging.getLogger(__name__)


@bp.get("/announcements")
@require_roles(*MARKETERS)
def announcements_list(session: Session, user: User) -> Response:
    status = request.args.get("status")
    if status is not None and status not in ANNOUNCEMENT_STATUSES:
        raise Problem(
            400, "Bad Request", f"status must be one of {', '.join(ANNOUNCEMENT_STATUSES)}"
        )
    cursor = request.args.get("cursor") or None
    if cursor is not None and plain_int(cursor) is None:
        raise Problem(400, "Bad Request", "invalid cursor")
    limit = _limit()
    query = select(Announcement).order_by(Announcement.id.desc()).limit(limit + 1)
    if status:
        query = query.where(Announcement.status == status)
    if cursor:
        query = query.where(Announcement.id < int(cursor))
    rows = list(session.scalars(query))
    base = _base(current_runtime())
    more = len(rows) > limit
    rows = rows[:limit]
    return jsonify(
        data=[announcement_json(a, base) for a in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )


@bp.get("/announcements/<int:announcement_id>")
@require_roles(*MARKETERS)
def announcement_show(session: Session, user: User, announcement_id: int) -> Response:
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise Problem(404, "Not Found", f"announcement {announcement_id} not found")
    found = announcements.comments(session, announcement)
    return jsonify(announcement_json(announcement, _base(current_runtime()), comments=found))


@bp.post("/announcements")
@require_roles(*MARKETERS)
def announcement_create(session: Session, user: User) -> tuple[Response, int]:
    rt = current_runtime()
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Problem(400, "Bad Request", "the body must be a JSON object")
    key = _idempotency_key(payload)
    if key is not None:
        earlier = _earlier(session, user, key)
        if earlier is not None:
            return jsonify(announcement_json(earlier, _base(rt))), 200
    draft = _draft(payload)
    mode = payload.get("publish", "draft")
    if mode not in ("draft", "now", "schedule"):
        raise Problem(400, "Bad Request", "publish must be draft, now or schedule")
    zone = str(payload.get("timezone") or user.timezone or announcements.DEFAULT_ZONE)
    at = _scheduled_at(payload, zone) if mode == "schedule" else None
    try:
        announcement = announcements.create(
            session, user, draft, store=rt.store, idempotency_key=key
        )
        jobs = []
        if mode != "draft":
            now = datetime.now(UTC)
            jobs = announcements.schedule(session, announcement, user, at, now=now, zone=zone)
    except AnnouncementRefused as exc:
        session.rollback()
        raise Problem(422, "Announcement refused", exc.reason, **verdict_json(exc.verdict)) from exc
    try:
        session.commit()  # durable before any job can look for it
    except IntegrityError:  # the same key, created by a request racing this one
        session.rollback()
        earlier = _earlier(session, user, key or "")
        if earlier is None:
            raise
        return jsonify(announcement_json(earlier, _base(rt))), 200
    try:
        enqueue(rt, jobs)
    except Exception:  # the queue is down: the sweeper re-enqueues overdue targets
        log.warning("announcement %s stored; publish jobs not queued", announcement.id)
        return jsonify(announcement_json(announcement, _base(rt))), 202
    return jsonify(announcement_json(announcement, _base(rt))), 201


def _idempotency_key(payload: dict[str, Any]) -> str | None:
    key = request.headers.get("Idempotency-Key") or payload.get("idempotency_key")
    if key is None:
        return None
    if not isinstance(key, str) or not 1 <= len(key) <= 100:
        raise Problem(400, "Bad Request", "Idempotency-Key must be 1 to 100 characters")
    return key


def _earlier(session: Session, user: User, key: str) -> Announcement | None:
    earlier = announcements.by_idempotency_key(session, key)
    if earlier is not None and earlier.author_id != user.id:
        raise Problem(422, "Announcement refused", "this Idempotency-Key was used by another user")
    return earlier


def _draft(payload: dict[str, Any]) -> Draft:
    text = payload.get("text", "")
    if not isinstance(text, str):
        raise Problem(400, "Bad Request", "text must be a string")
    targets: dict[int, str | None] = {}
    for item in payload.get("targets") or ():
        if not isinstance(item, dict) or not isinstance(item.get("channel_account_id"), int):
            raise Problem(400, "Bad Request", "targets are objects with channel_account_id")
        override = item.get("text")
        targets[item["channel_account_id"]] = override if isinstance(override, str) else None
    images = []
    for item in payload.get("images") or ():
        try:
            data = base64.b64decode(str(item["data"]), validate=True)
        except (KeyError, TypeError, ValueError) as exc:  # ValueError: non-ASCII "base64"
            raise Problem(400, "Bad Request", "images are objects with base64 data") from exc
        images.append(NewImage(data=data, filename=item.get("filename")))
    link = payload.get("link")
    return Draft(
        text=text,
        targets=targets,
        link=link if isinstance(link, str) else None,
        title=payload.get("title") if isinstance(payload.get("title"), str) else None,
        new_images=tuple(images),
    )


def _scheduled_at(payload: dict[str, Any], zone: str) -> datetime:
    raw = payload.get("scheduled_at")
    if not isinstance(raw, str):
        raise Problem(400, "Bad Request", "scheduled_at is required to schedule")
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return announcements.to_utc(value, zone)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise Problem(400, "Bad Request", f"bad scheduled_at or timezone: {exc}") from exc


def _limit() -> int:
    raw = request.args.get("limit", "25")
    if not 1 <= (plain_int(raw) or 0) <= 100:
        raise Problem(400, "Bad Request", "limit must be between 1 and 100")
    return int(raw)


def _base(rt: Any) -> str:
    return str(rt.settings.get("PUBLIC_BASE_URL") or "")


_TARGET = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "channel_account_id": {"type": "integer"},
        "channel": {"type": "string", "enum": list(RULES)},
        "text": {"type": ["string", "null"], "description": "override of the text"},
        "status": {
            "type": "string",
            "enum": ["draft", "scheduled", "publishing", "published", "failed", "cancelled"],
        },
        "external_id": {"type": ["string", "null"]},
        "permalink": {"type": ["string", "null"]},
        "failure_reason": {"type": ["string", "null"]},
    },
}
_ANNOUNCEMENT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "uuid": {"type": "string"},
        "text": {"type": "string"},
        "link": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": list(ANNOUNCEMENT_STATUSES)},
        "scheduled_at": {"type": ["string", "null"], "format": "date-time"},
        "timezone": {"type": "string"},
        "images": {"type": "array", "items": {"type": "object"}},
        "targets": {"type": "array", "items": {"$ref": "#/components/schemas/AnnouncementTarget"}},
        "comments": {
            "type": "array",
            "items": {"type": "object"},
            "description": "comment conversations on the published posts (GET by id only)",
        },
    },
}
_NEW = {
    "type": "object",
    "required": ["text", "targets"],
    "properties": {
        "text": {"type": "string"},
        "link": {"type": "string"},
        "title": {"type": "string"},
        "targets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["channel_account_id"],
                "properties": {
                    "channel_account_id": {"type": "integer"},
                    "text": {"type": "string", "description": "this account's own text"},
                },
            },
        },
        "images": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {"type": "string", "contentEncoding": "base64"},
                    "filename": {"type": "string"},
                },
            },
        },
        "publish": {"type": "string", "enum": ["draft", "now", "schedule"], "default": "draft"},
        "idempotency_key": {"type": "string", "description": "or the Idempotency-Key header"},
        "scheduled_at": {
            "type": "string",
            "description": "ISO 8601; without an offset it is read in `timezone`",
        },
        "timezone": {"type": "string", "description": "default: the user's (Asia/Seoul)"},
    },
}


def _responses(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": {400: "Bad request", 401: "No token", 403: "Role not allowed"}.get(
                code, "Not found" if code == 404 else "Refused: per-target errors"
            ),
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
        for code in codes
    }


add_paths(
    {
        "/announcements": {
            "get": {
                "summary": "Announcements, newest first (marketer, admin)",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(ANNOUNCEMENT_STATUSES)},
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^[0-9]{0,9}$"},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "data": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Announcement"},
                                        },
                                        "next_cursor": {"type": ["string", "null"]},
                                    },
                                }
                            }
                        },
                    },
                    **_responses(400, 401, 403),
                },
            },
            "post": {
                "summary": "Create an announcement; save it as a draft, schedule it or publish now",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 100},
                        "description": "a retried create with the same key returns the "
                        "announcement the first request made (200) instead of a second one",
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/NewAnnouncement"}
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "Saved; publishing is asynchronous",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Announcement"}
                            }
                        },
                    },
                    "200": {
                        "description": "Same Idempotency-Key: the announcement made before",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Announcement"}
                            }
                        },
                    },
                    "202": {
                        "description": "Saved, but the job queue was unavailable: the "
                        "sweeper queues its publishing",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Announcement"}
                            }
                        },
                    },
                    **_responses(400, 401, 403, 422),
                },
            },
        },
        "/announcements/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "summary": "One announcement with per-target status and the comments it drew",
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Announcement"}
                            }
                        },
                    },
                    **_responses(401, 403, 404),
                },
            },
        },
    },
    {"Announcement": _ANNOUNCEMENT, "AnnouncementTarget": _TARGET, "NewAnnouncement": _NEW},
)
