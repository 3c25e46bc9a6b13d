"""/notifications: the caller's notification centre (list, mark read, email preference)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from inbox.models import User
from inbox.models.notifications import Notification
from inbox.notifications import email_enabled, list_for, mark_read, set_email
from web.api import bp
from web.api.auth import require_roles
from web.api.errors import Problem
from web.api.openapi import _json, _problem_responses, _ref, add_paths
from web.serialize import iso

AGENTS = ("admin", "agent")


def notification_json(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "text": n.text,
        "conversation_id": n.conversation_id,
        "message_id": n.message_id,
        "actor_user_id": n.actor_user_id,
        "created_at": iso(n.created_at),
        "read_at": iso(n.read_at),
    }


@bp.get("/notifications")
@require_roles(*AGENTS)
def notifications(session: Session, user: User) -> Response:
    args = request.args
    before = args.get("before", "")
    limit = args.get("limit", "30")
    if (before and not before.isdigit()) or not limit.isdigit() or not 1 <= int(limit) <= 100:
        raise Problem(400, "Bad Request", "before must be an id; limit between 1 and 100")
    page = list_for(
        session,
        user,
        unread_only=args.get("unread") in ("1", "true"),
        before_id=int(before) if before else None,
        limit=int(limit),
    )
    return jsonify(data=[notification_json(n) for n in page.items], unread=page.unread)


@bp.post("/notifications/read")
@require_roles(*AGENTS)
def notifications_read(session: Session, user: User) -> Response:
    payload = request.get_json(silent=True) or {}
    ids = payload.get("ids") if isinstance(payload, dict) else None
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)):
        raise Problem(400, "Bad Request", "ids must be a list of notification ids")
    return jsonify(marked=mark_read(session, user, ids))


@bp.route("/notifications/settings", methods=["GET", "PUT"])
@require_roles(*AGENTS)
def notification_settings(session: Session, user: User) -> Response:
    if request.method == "PUT":
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict) or not isinstance(payload.get("email"), bool):
            raise Problem(400, "Bad Request", 'send {"email": true|false}')
        set_email(session, user, payload["email"])
        session.flush()
    return jsonify(email=email_enabled(session, user.id))


add_paths(
    {
        "/notifications": {
            "get": {
                "summary": "Your notifications, newest first (assigned, mentioned, SLA breach, "
                "customer replied, webhook disabled)",
                "parameters": [
                    {"name": "unread", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "before", "in": "query", "schema": {"type": "integer"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _ref("Notification")},
                                "unread": {"type": "integer"},
                            },
                        }
                    ),
                    **_problem_responses(400, 401, 403),
                },
            }
        },
        "/notifications/read": {
            "post": {
                "summary": "Mark notifications read (all of yours when `ids` is absent)",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "ids": {"type": "array", "items": {"type": "integer"}}
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "200": _json({"type": "object", "properties": {"marked": {"type": "integer"}}}),
                    **_problem_responses(400, 401, 403),
                },
            }
        },
        "/notifications/settings": {
            "get": {
                "summary": "Your notification delivery preferences",
                "responses": {"200": _json(_ref("NotificationSettings"))},
            },
            "put": {
                "summary": "Turn email copies of your notifications on or off",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("NotificationSettings")}},
                },
                "responses": {
                    "200": _json(_ref("NotificationSettings")),
                    **_problem_responses(400, 401, 403),
                },
            },
        },
    },
    {
        "Notification": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "kind": {
                    "type": "string",
                    "enum": [
                        "assigned",
                        "mentioned",
                        "sla_breach",
                        "customer_replied",
                        "webhook_disabled",
                    ],
                },
                "text": {"type": "string"},
                "conversation_id": {"type": ["integer", "null"]},
                "message_id": {"type": ["integer", "null"]},
                "actor_user_id": {"type": ["integer", "null"]},
                "created_at": {"type": "string", "format": "date-time"},
                "read_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "NotificationSettings": {
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "boolean"}},
        },
    },
)
