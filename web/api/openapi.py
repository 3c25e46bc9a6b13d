"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Feature modules add their paths with `add_paths` at import time, next to their views.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from connectors import CHANNEL_SLUGS
from web.api import bp


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem_responses(*codes: int) -> dict[str, Any]:
    names = {
        400: "Bad request",
        401: "No or unknown token",
        403: "Role not allowed",
        404: "Not found (or not in your inboxes)",
        409: "Conflict",
        422: "Refused (reason given)",
    }
    return {
        str(code): {
            "description": names[code],
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
        for code in codes
    }


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
_LIMIT = {
    "name": "limit",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": 100},
}
_PAGE = [{"name": "cursor", "in": "query", "schema": {"type": "string"}}, _LIMIT]
# A thread's cursor is the id of the last message seen.
_ID_CURSOR = {
    "name": "cursor",
    "in": "query",
    "schema": {"type": "string", "pattern": "^[0-9]{0,9}$"},
}
_STATUSES = ["open", "pending", "snoozed", "resolved"]

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Switchboard API",
        "version": "1",
        "description": "Conversations, messages and contacts of the unified inbox. "
        "Authenticate with `Authorization: Bearer <token>` (`switchboard token create EMAIL`).",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Problem": {
                "type": "object",
                "required": ["title", "status"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
            "Conversation": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "channel": {
                        "type": "string",
                        "enum": list(CHANNEL_SLUGS),
                    },
                    "kind": {
                        "type": "string",
                        "enum": ["dm", "comment", "mention", "email", "chat"],
                    },
                    "status": {
                        "type": "string",
                        "enum": ["open", "pending", "snoozed", "resolved"],
                    },
                    "assignee_id": {"type": ["integer", "null"]},
                    "team_id": {"type": ["integer", "null"]},
                    "priority": {"type": "string"},
                    "category": {"type": ["string", "null"]},
                    "labels": {"type": "array", "items": {"type": "string"}},
                    "last_activity_at": {"type": "string", "format": "date-time"},
                    "reply_window": {"type": "object"},
                },
            },
            "ConversationChange": {
                "type": "object",
                "properties": {
                    "status": {
                        "type": "string",
                        "enum": ["open", "pending", "snoozed", "resolved"],
                    },
                    "snoozed_until": {"type": "string", "format": "date-time"},
                    "assignee_id": {"type": ["integer", "null"]},
                    "team_id": {"type": ["integer", "null"]},
                    "priority": {
                        "type": "string",
                        "enum": ["none", "low", "medium", "high", "urgent"],
                    },
                    "labels": {"type": "array", "items": {"type": "string"}},
                    "category": {"type": "string"},
                    "resolution_summary": {"type": "string"},
                    "follow_up_days": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 90,
                        "description": "With status resolved: snooze this many days, then "
                        "reopen with follow_up_task",
                    },
                    "follow_up_task": {"type": "string", "maxLength": 500},
                },
                "additionalProperties": False,
            },
            "Message": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "uuid": {"type": "string"},
                    "direction": {"type": "string", "enum": ["inbound", "outbound", "internal"]},
                    "kind": {
                        "type": "string",
                        "enum": ["message", "comment", "note", "event", "call"],
                    },
                    "text": {"type": ["string", "null"]},
                    "call": {
                        "type": "object",
                        "description": "kind=call only: direction, stage, outcome (answered, "
                        "missed, abandoned, not_reached), answered_by(_name), talk_seconds, "
                        "duration, voicemail, recording_seconds, transcript, number, notes, "
                        "logged_by, problem",
                    },
                    "status": {
                        "type": ["string", "null"],
                        "enum": [
                            "pending",
                            "sending",
                            "sent",
                            "delivered",
                            "read",
                            "failed",
                            "unknown",
                            None,
                        ],
                        "description": "unknown: the platform may or may not have it (a send "
                        "timed out and the platform cannot be asked); an agent checks the "
                        "channel, then retries or leaves it. Never resent automatically.",
                    },
                    "failure_reason": {"type": ["string", "null"]},
                },
            },
            "NewMessage": {
                "type": "object",
                "anyOf": [{"required": ["text"]}, {"required": ["template"]}],
                "properties": {
                    "text": {"type": "string", "maxLength": 20000, "pattern": "\\S"},
                    "private": {
                        "type": "boolean",
                        "default": False,
                        "description": "true: an internal note, never sent",
                    },
                    "idempotency_key": {
                        "type": "string",
                        "description": "or the Idempotency-Key header",
                    },
                    "subject": {"type": "string"},
                    "cc": {"type": "array", "items": {"type": "string"}},
                    "private_reply": {
                        "type": "boolean",
                        "description": "answer a public comment by DM",
                    },
                    "template": {
                        "type": "object",
                        "description": "send a message template instead of text, on channels "
                        "that have them (WhatsApp); allowed when the reply window is closed. "
                        "The stored text is the template as the customer reads it.",
                        "required": ["name", "language"],
                        "properties": {
                            "name": {"type": "string"},
                            "language": {"type": "string"},
                            "variables": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
            "Contact": {"type": "object"},
        },
    },
    "paths": {
        "/conversations": {
            "get": {
                "summary": "List conversations, newest activity first",
                "parameters": [
                    {"name": "status", "in": "query", "schema": {"enum": ["", *_STATUSES]}},
                    {
                        "name": "channel",
                        "in": "query",
                        "schema": {"enum": ["", *CHANNEL_SLUGS]},
                    },
                    {
                        "name": "assignee",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^(|me|none|[0-9]{1,10})$"},
                        "description": "me, none or a user id",
                    },
                    {"name": "label", "in": "query", "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "team", "in": "query", "schema": {"type": "string"}},
                    *_PAGE,
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _ref("Conversation")},
                                "next_cursor": {"type": ["string", "null"]},
                            },
                        }
                    ),
                    **_problem_responses(400, 401, 403),
                },
            }
        },
        "/conversations/{id}": {
            "parameters": [_ID],
            "get": {
                "summary": "One conversation with its reply window",
                "responses": {
                    "200": _json(_ref("Conversation")),
                    **_problem_responses(401, 403, 404),
                },
            },
            "patch": {
                "summary": "Change status, assignee, team, labels, priority, category",
                "requestBody": {
                    "content": {"application/json": {"schema": _ref("ConversationChange")}}
                },
                "responses": {
                    "200": _json(_ref("Conversation")),
                    **_problem_responses(400, 401, 403, 404, 422),
                },
            },
        },
        "/conversations/{id}/messages": {
            "parameters": [_ID],
            "get": {
                "summary": "Messages, oldest first",
                "parameters": [_ID_CURSOR, _LIMIT],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _ref("Message")},
                                "next_cursor": {"type": ["string", "null"]},
                            },
                        }
                    ),
                    **_problem_responses(401, 403, 404),
                },
            },
            "post": {
                "summary": "Reply through the conversation's channel, or add a private note",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("NewMessage")}},
                },
                "responses": {
                    "201": _json(_ref("Message"), "Stored; sending is asynchronous"),
                    "200": _json(_ref("Message"), "Same idempotency key: existing"),
                    "202": _json(
                        _ref("Message"),
                        "Stored, but the job queue was unavailable: the sweeper sends it "
                        "within SWEEP_INTERVAL_SECONDS. Do not post it again (or reuse the "
                        "Idempotency-Key)",
                    ),
                    **_problem_responses(400, 401, 403, 404, 422),
                },
            },
        },
        "/contacts/{id}": {
            "parameters": [_ID],
            "get": {
                "summary": "A contact with identities and conversations",
                "responses": {"200": _json(_ref("Contact")), **_problem_responses(401, 403, 404)},
            },
        },
        "/contacts/{id}/merge": {
            "parameters": [_ID],
            "post": {
                "summary": "Merge contact `source_id` into this contact",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["source_id"],
                                "properties": {"source_id": {"type": "integer", "minimum": 1}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(_ref("Contact")),
                    **_problem_responses(400, 401, 403, 404, 409),
                },
            },
        },
    },
}


def add_paths(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
    SPEC["paths"].update(paths)
    SPEC["components"]["schemas"].update(schemas or {})


# What every operation can answer besides its own codes: the edge's input checks (400), the
# token (401) and role (403) checks, ids not found or out of range (404), bodies over the size
# limit (413).
_EDGE_CODES = {400: "Bad request", 401: "No or unknown token", 403: "Role not allowed"}


def completed() -> dict[str, Any]:
    """SPEC with the responses every operation shares filled in where a module left them out."""
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            responses = operation.setdefault("responses", {})
            codes = dict(_EDGE_CODES)
            if "{" in path:
                codes[404] = "Not found (or not in your inboxes)"
            if "requestBody" in operation:
                codes[413] = "Body too large"
            for code, description in codes.items():
                responses.setdefault(
                    str(code),
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": _ref("Problem")}},
                    },
                )
    return SPEC


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(completed())
