"""Privacy requests over the API: export a contact as a zip, erase a contact (admins only)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.models import User
from inbox.models.privacy import REQUEST_STATUSES, PrivacyRequest
from inbox.privacy import PrivacyRefused, request_erasure
from web.api import bp
from web.api.auth import require_roles
from web.api.errors import Problem
from web.api.openapi import _ID, _json, _problem_responses, _ref, add_paths
from web.privacy import export_download, status_url
from web.serialize import iso


def privacy_request_json(r: PrivacyRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "source": r.source,
        "status": r.status,
        "contact_ids": list(r.contact_ids),
        "summary": dict(r.summary),
        "error": r.error,
        "confirmation_code": r.confirmation_code,
        "status_url": status_url(r.confirmation_code),
        "requested_by_id": r.requested_by_id,
        "requested_at": iso(r.requested_at),
        "completed_at": iso(r.completed_at),
    }


@bp.get("/contacts/<int:contact_id>/export")
@require_roles("admin")
def contact_export(session: Session, user: User, contact_id: int) -> Response:
    try:
        return export_download(session, contact_id, user.id)
    except LookupError as exc:
        raise Problem(404, "Not Found", str(exc)) from exc
    except PrivacyRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from exc


@bp.post("/contacts/<int:contact_id>/erase")
@require_roles("admin")
def contact_erase(session: Session, user: User, contact_id: int) -> tuple[Response, int]:
    """Queue the erasure; the body must repeat the contact id, so a stray call erases nothing."""
    payload = request.get_json(silent=True) or {}
    if payload.get("confirm") != contact_id:
        raise Problem(400, "Bad Request", f'confirm with {{"confirm": {contact_id}}}')
    try:
        erasure = request_erasure(session, [contact_id], source="api", actor_id=user.id)
    except LookupError as exc:
        raise Problem(404, "Not Found", str(exc)) from exc
    except PrivacyRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    session.flush()
    return jsonify(privacy_request_json(erasure)), 202


@bp.get("/privacy-requests")
@require_roles("admin")
def privacy_requests(session: Session, user: User) -> Response:
    rows = session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id.desc()).limit(100))
    return jsonify({"items": [privacy_request_json(r) for r in rows]})


@bp.get("/privacy-requests/<int:request_id>")
@require_roles("admin")
def privacy_request_show(session: Session, user: User, request_id: int) -> Response:
    row = session.get(PrivacyRequest, request_id)
    if row is None:
        raise Problem(404, "Not Found", f"privacy request {request_id} not found")
    return jsonify(privacy_request_json(row))


add_paths(
    {
        "/contacts/{id}/export": {
            "parameters": [_ID],
            "get": {
                "summary": "Everything about a contact as a zip (admins): contact.json with the "
                "contact, identities, conversations, messages, notes and audit entries, and the "
                "attachment files; the export is audited",
                "responses": {
                    "200": {
                        "description": "the zip",
                        "content": {
                            "application/zip": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    **_problem_responses(401, 403, 404, 409),
                },
            },
        },
        "/contacts/{id}/erase": {
            "parameters": [_ID],
            "post": {
                "summary": "Queue the erasure of a contact (admins); see docs/privacy.md for what "
                "is removed and what is kept",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["confirm"],
                                "properties": {
                                    "confirm": {
                                        "type": "integer",
                                        "description": "the contact id again",
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "202": _json(_ref("PrivacyRequest"), "queued"),
                    **_problem_responses(400, 401, 403, 404, 409),
                },
            },
        },
        "/privacy-requests": {
            "get": {
                "summary": "The newest 100 privacy requests (admins)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "items": {"type": "array", "items": _ref("PrivacyRequest")}
                            },
                        }
                    ),
                    **_problem_responses(401, 403),
                },
            }
        },
        "/privacy-requests/{id}": {
            "parameters": [_ID],
            "get": {
                "summary": "One privacy request and how far it got (admins)",
                "responses": {
                    "200": _json(_ref("PrivacyRequest")),
                    **_problem_responses(401, 403, 404),
                },
            },
        },
    },
    {
        "PrivacyRequest": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string", "enum": ["erase"]},
                "source": {"type": "string", "enum": ["admin", "api", "cli", "meta"]},
                "status": {"type": "string", "enum": list(REQUEST_STATUSES)},
                "contact_ids": {"type": "array", "items": {"type": "integer"}},
                "summary": {"type": "object", "description": "counts of what was erased"},
                "error": {"type": ["string", "null"]},
                "confirmation_code": {"type": "string"},
                "status_url": {"type": "string", "format": "uri"},
                "requested_by_id": {"type": ["integer", "null"]},
                "requested_at": {"type": "string", "format": "date-time"},
                "completed_at": {"type": ["string", "null"], "format": "date-time"},
            },
        }
    },
)
