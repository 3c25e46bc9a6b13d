"""/messages/{id}/moderation: hide, unhide or delete a customer's comment on the platform.

POST records the request and answers 202 with it (the job calls the platform); asking for
what is already so, or what is already pending, answers 200 with the existing request.
GET shows the comment's state and every request with its outcome (the platform's reason
when it refused).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from inbox.access import can_see
from inbox.models import Message, User
from inbox.models.moderation import MODERATION_ACTIONS, CommentModeration
from inbox.moderation import ModerationBusy, ModerationForbidden, ModerationRefused, states
from web.api import bp
from web.api.auth import require_roles
from web.api.errors import Problem
from web.api.openapi import _ID, _json, _problem_responses, _ref, add_paths
from web.moderating import moderate, supported_actions
from web.runtime import current_runtime
from web.serialize import iso

AGENTS = ("admin", "agent")


def _message(session: Session, user: User, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None or not can_see(session, user, message.conversation):
        raise Problem(404, "Not Found", f"message {message_id} not found")
    return message


def request_json(row: CommentModeration) -> dict[str, Any]:
    return {
        "id": row.id,
        "message_id": row.message_id,
        "action": row.action,
        "status": row.status,
        "requested_by": (
            {"id": row.requested_by.id, "name": row.requested_by.name} if row.requested_by else None
        ),
        "requested_at": iso(row.requested_at),
        "done_at": iso(row.done_at),
        "attempts": row.attempts,
        "failure_reason": row.failure_reason,
    }


def _state_json(session: Session, message: Message) -> dict[str, Any]:
    state = states(session, [message.id])[message.id]
    supported = supported_actions(current_runtime(), message.conversation.account)
    history = session.query(CommentModeration).filter_by(message_id=message.id)
    return {
        "message_id": message.id,
        "state": state.state,
        "supported_actions": sorted(supported),
        "requests": [request_json(r) for r in history.order_by(CommentModeration.id)],
    }


@bp.get("/messages/<int:message_id>/moderation")
@require_roles(*AGENTS)
def moderation_state(session: Session, user: User, message_id: int) -> Response:
    return jsonify(_state_json(session, _message(session, user, message_id)))


@bp.post("/messages/<int:message_id>/moderation")
@require_roles(*AGENTS)
def moderate_comment(session: Session, user: User, message_id: int) -> tuple[Response, int]:
    message = _message(session, user, message_id)
    payload = request.get_json(silent=True)
    action = payload.get("action") if isinstance(payload, dict) else None
    if action not in MODERATION_ACTIONS:
        raise Problem(400, "Bad Request", f"action must be one of {', '.join(MODERATION_ACTIONS)}")
    try:
        row, created = moderate(current_runtime(), session, message, str(action), user)
    except ModerationForbidden as exc:
        raise Problem(403, "Forbidden", str(exc)) from exc
    except ModerationBusy as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    except ModerationRefused as exc:
        raise Problem(422, "Moderation refused", str(exc), reason=str(exc)) from exc
    session.commit()  # durable before the job can look for it
    return jsonify(request_json(row)), 202 if created else 200


_REQUEST = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "message_id": {"type": "integer"},
        "action": {"type": "string", "enum": list(MODERATION_ACTIONS)},
        "status": {"type": "string", "enum": ["pending", "done", "failed"]},
        "requested_by": {"type": ["object", "null"]},
        "requested_at": {"type": "string", "format": "date-time"},
        "done_at": {"type": ["string", "null"], "format": "date-time"},
        "attempts": {"type": "integer"},
        "failure_reason": {"type": ["string", "null"]},
    },
}
add_paths(
    {
        "/messages/{id}/moderation": {
            "parameters": [_ID],
            "get": {
                "summary": "A customer comment's moderation state and the requests made",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "message_id": {"type": "integer"},
                                "state": {
                                    "type": "string",
                                    "enum": ["visible", "hidden", "deleted"],
                                },
                                "supported_actions": {"type": "array", "items": {"type": "string"}},
                                "requests": {"type": "array", "items": _ref("ModerationRequest")},
                            },
                        }
                    ),
                    **_problem_responses(401, 403, 404),
                },
            },
            "post": {
                "summary": "Hide, unhide or delete the comment on the platform (hide/unhide: "
                "agents and admins of the inbox; delete: admins). 202: requested, the platform "
                "is called by a job; 200: already so or already requested (idempotent).",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["action"],
                                "properties": {
                                    "action": {"type": "string", "enum": list(MODERATION_ACTIONS)}
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(_ref("ModerationRequest"), "Already so, or already requested"),
                    "202": _json(_ref("ModerationRequest"), "Requested"),
                    **_problem_responses(400, 401, 403, 404, 409, 422),
                },
            },
        }
    },
    {"ModerationRequest": _REQUEST},
)
