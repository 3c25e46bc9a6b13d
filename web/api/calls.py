"""/conversations/{id}/calls: log a call made elsewhere; /conversations/{id}/call: click-to-call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from connectors import behaviour
from connectors.base import PlaceCall
from inbox import calls
from inbox.access import can_see
from inbox.models import Conversation, User
from inbox.serialize import message_json
from web.api import bp
from web.api.auth import require_roles
from web.api.errors import Problem
from web.api.openapi import _ID, _json, _problem_responses, _ref, add_paths
from web.runtime import current_runtime

AGENTS = ("admin", "agent")


def _conversation(session: Session, user: User, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not can_see(session, user, conversation):
        raise Problem(404, "Not Found", f"conversation {conversation_id} not found")
    return conversation


@bp.post("/conversations/<int:conversation_id>/calls")
@require_roles(*AGENTS)
def log_call(session: Session, user: User, conversation_id: int) -> tuple[Response, int]:
    conversation = _conversation(session, user, conversation_id)
    payload: Any = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Problem(400, "Bad Request", "the body must be a JSON object")
    try:
        message = calls.log_call(
            session,
            conversation,
            user,
            direction=str(payload.get("direction", "")),
            number=str(payload.get("number", "")),
            seconds=int(payload.get("duration_seconds", 0)),
            outcome=str(payload.get("outcome", "")),
            notes=str(payload.get("notes", "")),
            at=datetime.now(UTC),
        )
    except (calls.CallRefused, ValueError, TypeError) as exc:
        raise Problem(422, "Call refused", str(exc), reason=str(exc)) from exc
    session.commit()
    return jsonify(message_json(message)), 201


@bp.post("/conversations/<int:conversation_id>/call")
@require_roles(*AGENTS)
def place_call(session: Session, user: User, conversation_id: int) -> tuple[Response, int]:
    rt = current_runtime()
    conversation = _conversation(session, user, conversation_id)
    if behaviour(rt.connector(conversation.account), PlaceCall) is None:
        raise Problem(422, "Call refused", "this channel cannot place calls")
    try:
        message = calls.request_call(session, conversation, user)
    except calls.CallRefused as exc:
        raise Problem(422, "Call refused", str(exc), reason=str(exc)) from exc
    session.commit()  # durable before the job can look for it
    body = message_json(message)
    try:
        rt.jobs.enqueue("workers.phone.place_call", message.id, queue="send")
    except Exception:  # the queue is down: the call is marked, never placed late
        calls.place_failed(session, message, "the job queue is unavailable: try again")
        session.commit()
        body = message_json(message)
    return jsonify(body), 202


add_paths(
    {
        "/conversations/{id}/calls": {
            "parameters": [_ID],
            "post": {
                "summary": "Log a call made outside Switchboard (never placed)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["direction", "number", "outcome"],
                                "properties": {
                                    "direction": {"enum": ["inbound", "outbound"]},
                                    "number": {"type": "string", "maxLength": 50},
                                    "duration_seconds": {
                                        "type": "integer",
                                        "minimum": 0,
                                        "maximum": calls.MAX_LOGGED_SECONDS,
                                    },
                                    "outcome": {"enum": list(calls.OUTCOMES)},
                                    "notes": {"type": "string", "maxLength": 4000},
                                },
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(_ref("Message"), "The call, on the conversation's timeline"),
                    **_problem_responses(400, 401, 403, 404, 422),
                },
            },
        },
        "/conversations/{id}/call": {
            "parameters": [_ID],
            "post": {
                "summary": "Click-to-call: the provider rings your phone, then the customer's",
                "responses": {
                    "202": _json(
                        _ref("Message"),
                        "Stored; the call is placed by a job and its statuses update it",
                    ),
                    **_problem_responses(401, 403, 404, 422),
                },
            },
        },
    }
)
