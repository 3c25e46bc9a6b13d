"""Bulk changes, saved views and macros over the API (the same inbox/ functions as the UI)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from inbox.bulk_actions import BulkChange, apply_bulk
from inbox.conversations import Change
from inbox.macros import delete_macro, macros_for, run_macro, save_macro, usable_macro
from inbox.merge import merge_conversations, split_conversation, undo
from inbox.models import AuditLog, Message, User
from inbox.models.workflow import Macro, SavedView
from inbox.replies import ReplyRefused
from inbox.views import VIEW_KEYS, delete_view, save_view, views_for
from web.api import bp
from web.api.auth import require_roles
from web.api.conversations import _conversation
from web.api.errors import Problem
from web.api.openapi import _ID, _json, _problem_responses, _ref, add_paths
from web.replying import check_reply
from web.runtime import current_runtime
from web.serialize import conversation_json, message_json

AGENTS = ("admin", "agent")


def _body() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Problem(400, "Bad Request", "send a JSON object")
    return payload


@bp.post("/conversations/bulk")
@require_roles(*AGENTS)
def bulk(session: Session, user: User) -> Response:
    payload = _body()
    ids = payload.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise Problem(400, "Bad Request", "ids must be a list of conversation ids")
    assignee = payload.get("assignee_id")
    try:
        change = Change(
            status=payload.get("status"),
            assignee_id=None if "assignee_id" not in payload else int(assignee or 0),
            team_id=None if "team_id" not in payload else int(payload["team_id"] or 0),
            priority=payload.get("priority"),
        )
        result = apply_bulk(
            session,
            user,
            ids,
            BulkChange(
                change,
                tuple(payload.get("add_labels") or ()),
                tuple(payload.get("remove_labels") or ()),
            ),
        )
    except (ValueError, TypeError, LookupError) as exc:
        raise Problem(422, "Unprocessable Content", str(exc)) from exc
    return jsonify(changed=result.changed, unchanged=result.unchanged, skipped=result.skipped)


def view_json(v: SavedView) -> dict[str, Any]:
    return {
        "id": v.id,
        "name": v.name,
        "shared": v.shared,
        "owner_user_id": v.owner_user_id,
        "query": v.query,
    }


@bp.get("/views")
@require_roles(*AGENTS)
def views(session: Session, user: User) -> Response:
    return jsonify(data=[view_json(v) for v in views_for(session, user)])


@bp.post("/views")
@require_roles(*AGENTS)
def view_create(session: Session, user: User) -> tuple[Response, int]:
    payload = _body()
    query = payload.get("query") or {}
    if not isinstance(query, dict):
        raise Problem(400, "Bad Request", f"query must be an object with keys {VIEW_KEYS}")
    try:
        view = save_view(
            session, user, str(payload.get("name", "")), query, shared=payload.get("shared") is True
        )
    except ValueError as exc:
        raise Problem(422, "Unprocessable Content", str(exc)) from exc
    return jsonify(view_json(view)), 201


@bp.delete("/views/<int:view_id>")
@require_roles(*AGENTS)
def view_remove(session: Session, user: User, view_id: int) -> tuple[str, int]:
    try:
        delete_view(session, user, view_id)
    except LookupError as exc:
        raise Problem(404, "Not Found", str(exc)) from exc
    return "", 204


def macro_json(m: Macro) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "shared": m.shared,
        "owner_user_id": m.owner_user_id,
        "actions": m.actions,
        "reply": m.reply,
        "reply_private": m.reply_private,
    }


@bp.get("/macros")
@require_roles(*AGENTS)
def macros(session: Session, user: User) -> Response:
    return jsonify(data=[macro_json(m) for m in macros_for(session, user)])


@bp.post("/macros")
@require_roles(*AGENTS)
def macro_create(session: Session, user: User) -> tuple[Response, int]:
    payload = _body()
    try:
        macro = save_macro(
            session,
            user,
            name=str(payload.get("name", "")),
            actions=dict(payload.get("actions") or {}),
            reply=payload.get("reply"),
            reply_private=payload.get("reply_private") is True,
            shared=payload.get("shared") is True,
        )
    except (ValueError, TypeError) as exc:
        raise Problem(422, "Unprocessable Content", str(exc)) from exc
    return jsonify(macro_json(macro)), 201


@bp.delete("/macros/<int:macro_id>")
@require_roles(*AGENTS)
def macro_remove(session: Session, user: User, macro_id: int) -> tuple[str, int]:
    try:
        delete_macro(session, user, macro_id)
    except LookupError as exc:
        raise Problem(404, "Not Found", str(exc)) from exc
    return "", 204


@bp.post("/conversations/<int:conversation_id>/macros/<int:macro_id>")
@require_roles(*AGENTS)
def macro_apply(session: Session, user: User, conversation_id: int, macro_id: int) -> Response:
    rt = current_runtime()
    conversation = _conversation(session, user, conversation_id)
    try:
        macro = usable_macro(session, user, macro_id)
    except LookupError as exc:
        raise Problem(404, "Not Found", str(exc)) from exc
    try:
        if macro.reply and not macro.reply_private:
            check = check_reply(rt, conversation, macro.reply)
            if check.problem:
                raise ReplyRefused(check.problem)
        run = run_macro(
            session,
            macro,
            conversation,
            user,
            store=rt.store,
            max_chars=rt.settings.int("MESSAGE_MAX_CHARS"),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    except (ValueError, LookupError) as exc:
        raise Problem(422, "Unprocessable Content", str(exc), reason=str(exc)) from exc
    session.flush()
    return jsonify(
        conversation=conversation_json(conversation),
        changes=run.changes,
        message=message_json(run.message) if run.message else None,
    )


@bp.post("/conversations/<int:conversation_id>/merge")
@require_roles(*AGENTS)
def merge(session: Session, user: User, conversation_id: int) -> Response:
    other = _body().get("other_id")
    if not isinstance(other, int):
        raise Problem(400, "Bad Request", "other_id must be a conversation id")
    _conversation(session, user, conversation_id)
    _conversation(session, user, other)
    try:
        survivor = merge_conversations(session, conversation_id, other, user)
    except ValueError as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    session.flush()
    return jsonify(conversation=conversation_json(survivor), audit_id=_last_audit(session, user))


@bp.post("/messages/<int:message_id>/split")
@require_roles(*AGENTS)
def split(session: Session, user: User, message_id: int) -> Response:
    message = session.get(Message, message_id)
    if message is None:
        raise Problem(404, "Not Found", f"message {message_id} not found")
    _conversation(session, user, message.conversation_id)
    try:
        new = split_conversation(session, message_id, user)
    except ValueError as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    session.flush()
    return jsonify(conversation=conversation_json(new), audit_id=_last_audit(session, user))


@bp.post("/audit/<int:audit_id>/undo")
@require_roles(*AGENTS)
def undo_entry(session: Session, user: User, audit_id: int) -> Response:
    entry = session.get(AuditLog, audit_id)
    if entry is None:
        raise Problem(404, "Not Found", f"audit entry {audit_id} not found")
    for key in ("survivor", "absorbed", "original", "split"):
        if isinstance(entry.detail.get(key), int):
            _conversation(session, user, entry.detail[key])
    try:
        restored = undo(session, audit_id, user)
    except LookupError as exc:
        raise Problem(404, "Not Found", str(exc)) from exc
    except ValueError as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    session.flush()
    return jsonify(conversation=conversation_json(restored))


def _last_audit(session: Session, user: User) -> int | None:
    from sqlalchemy import select

    return session.scalar(
        select(AuditLog.id)
        .where(
            AuditLog.actor_user_id == user.id,
            AuditLog.action.in_(("conversation.merge", "conversation.split")),
        )
        .order_by(AuditLog.id.desc())
    )


_LIST = {"type": "object", "properties": {"data": {"type": "array"}}}
add_paths(
    {
        "/conversations/{id}/merge": {
            "parameters": [_ID],
            "post": {
                "summary": "Merge another conversation of the same contact with this one; the "
                "one where the customer wrote last survives (replies go to that thread)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["other_id"],
                                "properties": {"other_id": {"type": "integer"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object", "description": "survivor and audit_id"}),
                    **_problem_responses(400, 401, 403, 404, 409),
                },
            },
        },
        "/messages/{id}/split": {
            "parameters": [_ID],
            "post": {
                "summary": "Move this message and every later one into a new conversation",
                "responses": {
                    "200": _json({"type": "object", "description": "new conversation, audit_id"}),
                    **_problem_responses(401, 403, 404, 409),
                },
            },
        },
        "/audit/{id}/undo": {
            "parameters": [_ID],
            "post": {
                "summary": "Undo a merge or a split by its audit entry",
                "responses": {
                    "200": _json({"type": "object"}),
                    **_problem_responses(401, 403, 404, 409),
                },
            },
        },
        "/conversations/bulk": {
            "post": {
                "summary": "One change for many conversations (rows outside your inboxes are "
                "skipped and listed)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("BulkChange")}},
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                k: {"type": "array", "items": {"type": "integer"}}
                                for k in ("changed", "unchanged", "skipped")
                            },
                        }
                    ),
                    **_problem_responses(400, 401, 403, 422),
                },
            }
        },
        "/views": {
            "get": {
                "summary": "Your saved views and the shared ones",
                "responses": {"200": _json(_LIST)},
            },
            "post": {
                "summary": "Save a named list filter (query keys: " + ", ".join(VIEW_KEYS) + ")",
                "requestBody": {"content": {"application/json": {"schema": _ref("SavedView")}}},
                "responses": {"201": _json(_ref("SavedView")), **_problem_responses(400, 401, 422)},
            },
        },
        "/views/{id}": {
            "parameters": [_ID],
            "delete": {
                "summary": "Delete your saved view (admins: any)",
                "responses": {"204": {"description": "Deleted"}, **_problem_responses(401, 404)},
            },
        },
        "/macros": {
            "get": {
                "summary": "Your macros and the shared ones",
                "responses": {"200": _json(_LIST)},
            },
            "post": {
                "summary": "Create a macro: actions plus an optional reply or note",
                "requestBody": {"content": {"application/json": {"schema": _ref("Macro")}}},
                "responses": {"201": _json(_ref("Macro")), **_problem_responses(400, 401, 422)},
            },
        },
        "/macros/{id}": {
            "parameters": [_ID],
            "delete": {
                "summary": "Delete your macro (admins: any)",
                "responses": {"204": {"description": "Deleted"}, **_problem_responses(401, 404)},
            },
        },
        "/conversations/{id}/macros/{macro_id}": {
            "parameters": [
                _ID,
                {"name": "macro_id", "in": "path", "required": True, "schema": {"type": "integer"}},
            ],
            "post": {
                "summary": "Run a macro on a conversation (reply first, then the actions)",
                "responses": {
                    "200": _json({"type": "object"}),
                    **_problem_responses(401, 403, 404, 422),
                },
            },
        },
    },
    {
        "BulkChange": {
            "type": "object",
            "required": ["ids"],
            "properties": {
                "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 500},
                "status": {"type": "string", "enum": ["open", "pending", "resolved"]},
                "assignee_id": {"type": ["integer", "null"], "description": "0 or null unassigns"},
                "team_id": {"type": ["integer", "null"]},
                "priority": {"type": "string"},
                "add_labels": {"type": "array", "items": {"type": "string"}},
                "remove_labels": {"type": "array", "items": {"type": "string"}},
            },
        },
        "SavedView": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "shared": {"type": "boolean"},
                "query": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "Macro": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "shared": {"type": "boolean"},
                "actions": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string"},
                        "snooze_hours": {"type": "number"},
                        "assignee": {"type": "string", "description": "me, none or a user id"},
                        "team_id": {"type": "integer"},
                        "priority": {"type": "string"},
                        "add_labels": {"type": "array", "items": {"type": "string"}},
                        "remove_labels": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "reply": {"type": ["string", "null"]},
                "reply_private": {"type": "boolean"},
            },
        },
    },
)
