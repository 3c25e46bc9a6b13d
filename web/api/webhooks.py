"""/webhooks: outgoing webhook subscriptions and their delivery log (admins only)."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.models import User
from inbox.models.webhooks import WebhookDelivery, WebhookSubscription
from inbox.outgoing_webhooks import (
    EVENT_TYPES,
    WebhookError,
    delete_subscription,
    redeliver,
    send_test,
)
from inbox.webhook_admin import (
    FIELDS,
    delivery_json,
    delivery_log,
    save_subscription,
    subscription_json,
)
from web.api import bp
from web.api.auth import require_roles
from web.api.errors import Problem
from web.api.openapi import _ID, _json, _problem_responses, _ref, add_paths
from web.runtime import current_runtime


def _save(
    session: Session, user: User, subscription: WebhookSubscription | None = None
) -> tuple[WebhookSubscription, str | None]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Problem(400, "Bad Request", "send a JSON object")
    unknown = set(payload) - set(FIELDS)
    if unknown:
        raise Problem(400, "Bad Request", f"unknown fields: {', '.join(sorted(unknown))}")
    rt = current_runtime()
    try:
        saved = save_subscription(
            session,
            rt.vault,
            payload,
            allowed_hosts=rt.settings.get("WEBHOOK_ALLOW_HOSTS", ""),
            actor=user,
            subscription=subscription,
        )
    except WebhookError as exc:
        raise Problem(422, "Unprocessable Content", str(exc)) from exc
    return saved.subscription, saved.secret


def _subscription(session: Session, subscription_id: int) -> WebhookSubscription:
    found = session.get(WebhookSubscription, subscription_id)
    if found is None:
        raise Problem(404, "Not Found", f"webhook {subscription_id} not found")
    return found


@bp.get("/webhooks")
@require_roles("admin")
def webhooks(session: Session, user: User) -> Response:
    rows = session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
    return jsonify(data=[subscription_json(s) for s in rows], event_types=list(EVENT_TYPES))


@bp.post("/webhooks")
@require_roles("admin")
def webhook_create(session: Session, user: User) -> tuple[Response, int]:
    subscription, secret = _save(session, user)
    return jsonify(subscription_json(subscription, secret=secret)), 201


@bp.get("/webhooks/<int:subscription_id>")
@require_roles("admin")
def webhook_show(session: Session, user: User, subscription_id: int) -> Response:
    return jsonify(subscription_json(_subscription(session, subscription_id)))


@bp.patch("/webhooks/<int:subscription_id>")
@require_roles("admin")
def webhook_update(session: Session, user: User, subscription_id: int) -> Response:
    subscription, secret = _save(session, user, _subscription(session, subscription_id))
    return jsonify(subscription_json(subscription, secret=secret))


@bp.delete("/webhooks/<int:subscription_id>")
@require_roles("admin")
def webhook_delete(session: Session, user: User, subscription_id: int) -> tuple[str, int]:
    delete_subscription(session, _subscription(session, subscription_id), user)
    return "", 204


@bp.post("/webhooks/<int:subscription_id>/ping")
@require_roles("admin")
def webhook_ping(session: Session, user: User, subscription_id: int) -> tuple[Response, int]:
    delivery_id = send_test(session, _subscription(session, subscription_id), user)
    return jsonify(delivery_id=delivery_id), 202


@bp.get("/webhooks/<int:subscription_id>/deliveries")
@require_roles("admin")
def webhook_deliveries(session: Session, user: User, subscription_id: int) -> Response:
    _subscription(session, subscription_id)
    cursor = request.args.get("cursor", "")
    if cursor and not cursor.isdigit():
        raise Problem(400, "Bad Request", "invalid cursor")
    rows = delivery_log(session, subscription_id, before=int(cursor) if cursor else None, limit=51)
    more, rows = len(rows) > 50, rows[:50]
    return jsonify(
        data=[delivery_json(d, attempts) for d, attempts in rows],
        next_cursor=str(rows[-1][0].id) if more else None,
    )


@bp.post("/webhook-deliveries/<int:delivery_id>/redeliver")
@require_roles("admin")
def webhook_redeliver(session: Session, user: User, delivery_id: int) -> tuple[Response, int]:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise Problem(404, "Not Found", f"delivery {delivery_id} not found")
    try:
        copy = redeliver(session, delivery, user)
    except WebhookError as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    return jsonify(delivery_id=copy.id), 202


_SUBSCRIPTION_BODY = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "event_types": {"type": "array", "items": {"type": "string", "enum": list(EVENT_TYPES)}},
        "active": {"type": "boolean"},
        "rotate_secret": {"type": "boolean"},
    },
}
add_paths(
    {
        "/webhooks": {
            "get": {
                "summary": "Outgoing webhook subscriptions (admins)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _ref("WebhookSubscription")}
                            },
                        }
                    ),
                    **_problem_responses(401, 403),
                },
            },
            "post": {
                "summary": "Subscribe a URL to event types; the answer holds the signing secret",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _SUBSCRIPTION_BODY}},
                },
                "responses": {
                    "201": _json(_ref("WebhookSubscription")),
                    **_problem_responses(400, 401, 403, 422),
                },
            },
        },
        "/webhooks/{id}": {
            "parameters": [_ID],
            "get": {
                "summary": "One subscription (its secret is never shown again)",
                "responses": {
                    "200": _json(_ref("WebhookSubscription")),
                    **_problem_responses(401, 403, 404),
                },
            },
            "patch": {
                "summary": "Change name, URL, event types; enable/disable; rotate the secret "
                "(the answer holds the new one, shown this once)",
                "requestBody": {"content": {"application/json": {"schema": _SUBSCRIPTION_BODY}}},
                "responses": {
                    "200": _json(_ref("WebhookSubscription")),
                    **_problem_responses(400, 401, 403, 404, 422),
                },
            },
            "delete": {
                "summary": "Delete the subscription and its log",
                "responses": {
                    "204": {"description": "Deleted"},
                    **_problem_responses(401, 403, 404),
                },
            },
        },
        "/webhooks/{id}/ping": {
            "parameters": [_ID],
            "post": {
                "summary": "Queue a `ping` delivery to check the endpoint",
                "responses": {
                    "202": _json({"type": "object"}),
                    **_problem_responses(401, 403, 404),
                },
            },
        },
        "/webhooks/{id}/deliveries": {
            "parameters": [_ID],
            "get": {
                "summary": "The delivery log, newest first, with every attempt's response code",
                "parameters": [{"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _ref("WebhookDelivery")},
                                "next_cursor": {"type": ["string", "null"]},
                            },
                        }
                    ),
                    **_problem_responses(400, 401, 403, 404),
                },
            },
        },
        "/webhook-deliveries/{id}/redeliver": {
            "parameters": [_ID],
            "post": {
                "summary": "Send a delivery again (same event id, fresh retries)",
                "responses": {
                    "202": _json({"type": "object"}),
                    **_problem_responses(401, 403, 404, 409),
                },
            },
        },
    },
    {
        "WebhookSubscription": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "url": {"type": "string"},
                "event_types": {"type": "array", "items": {"type": "string"}},
                "active": {"type": "boolean"},
                "disabled_reason": {"type": ["string", "null"]},
                "secret": {
                    "type": "string",
                    "description": "HMAC-SHA256 key, present only in the answer that made it "
                    "(creation or rotate_secret): it is stored encrypted and never shown again. "
                    "X-Switchboard-Signature is t=<unix time>,v1=<hex HMAC of '<t>.' + raw body>",
                },
            },
        },
        "WebhookDelivery": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "event_id": {"type": "string", "description": "X-Switchboard-Delivery"},
                "event_type": {"type": "string"},
                "status": {"type": "string", "enum": ["pending", "sending", "delivered", "failed"]},
                "attempts": {"type": "array", "items": {"type": "object"}},
                "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
                "payload": {"type": "object"},
            },
        },
    },
)
