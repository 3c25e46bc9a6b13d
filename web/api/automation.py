"""/inboxes/{id}/assignment, /sla/policies, /business-hours, /rules, /conversations/{id}/sla.

Admins configure; agents may read the queue and a conversation's SLA clock in their inboxes.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.access import can_see, visible_account_ids
from inbox.assignment import policy_for, queue_position, save_policy
from inbox.business_hours import korean_holidays, save_hours
from inbox.models import ChannelAccount, Conversation, User, utcnow
from inbox.models.assignment import AssignmentPolicy
from inbox.models.rules import TRIGGERS, AutomationRule
from inbox.models.sla import BusinessHours, ConversationSla, SlaPolicy
from inbox.rules import ACTIONS, CONDITIONS, delete_rule, list_rules, save_rule
from inbox.sla import clock_of, delete_policy
from inbox.sla import save_policy as save_sla_policy
from web.api import bp
from web.api.auth import require_roles
from web.api.conversations import AGENTS
from web.api.errors import Problem
from web.api.openapi import _json, _problem_responses, _ref, add_paths
from web.serialize import iso


def _body() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise Problem(400, "Bad Request", "send a JSON object")
    return payload


def _int_or_none(payload: dict[str, Any], key: str) -> int | None:
    value = payload.get(key)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise Problem(400, "Bad Request", f"{key} must be an integer or null")
    return value


def _refused(exc: Exception) -> Problem:
    return Problem(422, "Unprocessable Content", str(exc))


def policy_json(account_id: int, policy: AssignmentPolicy | None) -> dict[str, Any]:
    return {
        "channel_account_id": account_id,
        "enabled": bool(policy and policy.enabled),
        "mode": policy.mode if policy else "round_robin",
        "capacity": policy.capacity if policy else 20,
        "agent_limits": {int(k): v for k, v in (policy.agent_limits or {}).items()}
        if policy
        else {},
        "reassign_off_shift": bool(policy and policy.reassign_off_shift),
    }


def _account(session: Session, user: User, account_id: int) -> ChannelAccount:
    account = session.get(ChannelAccount, account_id)
    allowed = visible_account_ids(session, user)
    if account is None or (allowed is not None and account_id not in allowed):
        raise Problem(404, "Not Found", f"inbox {account_id} not found")
    return account


@bp.get("/inboxes/<int:account_id>/assignment")
@require_roles(*AGENTS)
def assignment_show(session: Session, user: User, account_id: int) -> Response:
    _account(session, user, account_id)
    body = policy_json(account_id, policy_for(session, account_id))
    body["queue"] = queue_position(session, account_id)
    return jsonify(body)


@bp.put("/inboxes/<int:account_id>/assignment")
@require_roles("admin")
def assignment_update(session: Session, user: User, account_id: int) -> Response:
    _account(session, user, account_id)
    payload = _body()
    current = policy_json(account_id, policy_for(session, account_id))
    merged = {**current, **payload}
    limits = merged.get("agent_limits") or {}
    if not isinstance(limits, dict):
        raise Problem(400, "Bad Request", "agent_limits maps user ids to limits")
    try:
        policy = save_policy(
            session,
            account_id,
            enabled=bool(merged["enabled"]),
            mode=str(merged["mode"]),
            capacity=int(merged["capacity"]),
            reassign_off_shift=bool(merged["reassign_off_shift"]),
            agent_limits={int(k): int(v) for k, v in limits.items()},
            actor_id=user.id,
        )
    except (ValueError, TypeError) as exc:
        raise _refused(exc) from exc
    return jsonify(policy_json(account_id, policy))


def sla_policy_json(p: SlaPolicy) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "priority": p.priority,
        "channel_account_id": p.channel_account_id,
        "first_response_minutes": p.first_response_minutes,
        "next_response_minutes": p.next_response_minutes,
        "resolution_minutes": p.resolution_minutes,
        "warn_minutes": p.warn_minutes,
        "enabled": p.enabled,
    }


@bp.get("/sla/policies")
@require_roles(*AGENTS)
def sla_policies(session: Session, user: User) -> Response:
    rows = session.scalars(select(SlaPolicy).order_by(SlaPolicy.id)).all()
    return jsonify({"items": [sla_policy_json(p) for p in rows]})


def _save_sla(session: Session, user: User, policy_id: int | None) -> SlaPolicy:
    payload = _body()
    existing = session.get(SlaPolicy, policy_id) if policy_id else None
    current = sla_policy_json(existing) if existing else {}
    merged = {"priority": "any", "warn_minutes": 15, "enabled": True, **current, **payload}
    try:
        return save_sla_policy(
            session,
            name=str(merged.get("name") or ""),
            priority=str(merged["priority"]),
            account_id=_int_or_none(merged, "channel_account_id"),
            first_response_minutes=_int_or_none(merged, "first_response_minutes"),
            next_response_minutes=_int_or_none(merged, "next_response_minutes"),
            resolution_minutes=_int_or_none(merged, "resolution_minutes"),
            warn_minutes=int(merged["warn_minutes"]),
            enabled=bool(merged["enabled"]),
            policy_id=policy_id,
            actor_id=user.id,
        )
    except ValueError as exc:
        raise _refused(exc) from exc


@bp.post("/sla/policies")
@require_roles("admin")
def sla_policy_create(session: Session, user: User) -> tuple[Response, int]:
    return jsonify(sla_policy_json(_save_sla(session, user, None))), 201


@bp.put("/sla/policies/<int:policy_id>")
@require_roles("admin")
def sla_policy_update(session: Session, user: User, policy_id: int) -> Response:
    if session.get(SlaPolicy, policy_id) is None:
        raise Problem(404, "Not Found", f"SLA policy {policy_id} not found")
    return jsonify(sla_policy_json(_save_sla(session, user, policy_id)))


@bp.delete("/sla/policies/<int:policy_id>")
@require_roles("admin")
def sla_policy_delete(session: Session, user: User, policy_id: int) -> tuple[str, int]:
    try:
        delete_policy(session, policy_id, actor_id=user.id)
    except LookupError as exc:
        raise Problem(404, "Not Found", str(exc)) from exc
    return "", 204


def hours_json(h: BusinessHours) -> dict[str, Any]:
    return {
        "id": h.id,
        "name": h.name,
        "channel_account_id": h.channel_account_id,
        "timezone": h.timezone,
        "always_open": h.always_open,
        "weekly": h.weekly,
        "holidays": h.holidays,
    }


@bp.get("/business-hours")
@require_roles(*AGENTS)
def business_hours_list(session: Session, user: User) -> Response:
    rows = session.scalars(select(BusinessHours).order_by(BusinessHours.id)).all()
    return jsonify({"items": [hours_json(h) for h in rows]})


@bp.get("/business-hours/holidays/kr")
@require_roles(*AGENTS)
def korean_holiday_list(session: Session, user: User) -> Response:
    return jsonify({"items": korean_holidays()})


def _save_hours(session: Session, user: User, hours_id: int | None) -> BusinessHours:
    payload = _body()
    existing = session.get(BusinessHours, hours_id) if hours_id else None
    current = hours_json(existing) if existing else {}
    merged = {"timezone": "Asia/Seoul", "always_open": True, "weekly": {}, **current, **payload}
    holidays = merged.get("holidays") or []
    if payload.get("import_kr_holidays"):
        holidays = sorted(set(holidays) | {h["date"] for h in korean_holidays()})
    if not isinstance(holidays, list) or not isinstance(merged["weekly"], dict):
        raise Problem(400, "Bad Request", "weekly is an object, holidays a list of dates")
    try:
        return save_hours(
            session,
            name=str(merged.get("name") or ""),
            timezone=str(merged["timezone"]),
            always_open=bool(merged["always_open"]),
            weekly=merged["weekly"],
            holidays=[str(d) for d in holidays],
            account_id=_int_or_none(merged, "channel_account_id"),
            hours_id=hours_id,
            actor_id=user.id,
        )
    except (ValueError, TypeError) as exc:
        raise _refused(exc) from exc


@bp.post("/business-hours")
@require_roles("admin")
def business_hours_create(session: Session, user: User) -> tuple[Response, int]:
    return jsonify(hours_json(_save_hours(session, user, None))), 201


@bp.put("/business-hours/<int:hours_id>")
@require_roles("admin")
def business_hours_update(session: Session, user: User, hours_id: int) -> Response:
    if session.get(BusinessHours, hours_id) is None:
        raise Problem(404, "Not Found", f"business hours {hours_id} not found")
    return jsonify(hours_json(_save_hours(session, user, hours_id)))


@bp.get("/conversations/<int:conversation_id>/sla")
@require_roles(*AGENTS)
def conversation_sla(session: Session, user: User, conversation_id: int) -> Response:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not can_see(session, user, conversation):
        raise Problem(404, "Not Found", f"conversation {conversation_id} not found")
    row = session.get(ConversationSla, conversation_id)
    policy = session.get(SlaPolicy, row.policy_id) if row and row.policy_id else None
    clock = clock_of(row, policy, utcnow())
    return jsonify(
        {
            "conversation_id": conversation_id,
            "policy_id": policy.id if policy else None,
            "target": clock.target,
            "due_at": iso(clock.due_at),
            "state": clock.state,
            "seconds_left": clock.seconds_left,
        }
    )


def rule_json(r: AutomationRule) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "position": r.position,
        "enabled": r.enabled,
        "trigger": r.trigger,
        "conditions": r.conditions,
        "actions": r.actions,
        "stop_processing": r.stop_processing,
    }


@bp.get("/rules")
@require_roles("admin")
def rules_list(session: Session, user: User) -> Response:
    return jsonify({"items": [rule_json(r) for r in list_rules(session)]})


def _save_rule(session: Session, user: User, rule_id: int | None) -> AutomationRule:
    payload = _body()
    existing = session.get(AutomationRule, rule_id) if rule_id else None
    merged = {"enabled": True, "stop_processing": False, "conditions": [], "actions": []}
    merged.update(rule_json(existing) if existing else {})
    merged.update(payload)
    if not isinstance(merged["conditions"], list) or not isinstance(merged["actions"], list):
        raise Problem(400, "Bad Request", "conditions and actions are lists of objects")
    if not all(isinstance(x, dict) for x in merged["conditions"] + merged["actions"]):
        raise Problem(400, "Bad Request", "conditions and actions are lists of objects")
    try:
        return save_rule(
            session,
            name=str(merged.get("name") or ""),
            trigger=str(merged.get("trigger") or ""),
            conditions=merged["conditions"],
            actions=merged["actions"],
            stop_processing=bool(merged["stop_processing"]),
            enabled=bool(merged["enabled"]),
            position=_int_or_none(merged, "position"),
            rule_id=rule_id,
            actor_id=user.id,
        )
    except (ValueError, TypeError) as exc:
        raise _refused(exc) from exc


@bp.post("/rules")
@require_roles("admin")
def rule_create(session: Session, user: User) -> tuple[Response, int]:
    return jsonify(rule_json(_save_rule(session, user, None))), 201


@bp.put("/rules/<int:rule_id>")
@require_roles("admin")
def rule_update(session: Session, user: User, rule_id: int) -> Response:
    if session.get(AutomationRule, rule_id) is None:
        raise Problem(404, "Not Found", f"rule {rule_id} not found")
    return jsonify(rule_json(_save_rule(session, user, rule_id)))


@bp.delete("/rules/<int:rule_id>")
@require_roles("admin")
def rule_delete(session: Session, user: User, rule_id: int) -> tuple[str, int]:
    try:
        delete_rule(session, rule_id, actor_id=user.id)
    except LookupError as exc:
        raise Problem(404, "Not Found", str(exc)) from exc
    return "", 204


_OBJ = {"type": "object"}


def _body_of(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_INBOX = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
add_paths(
    {
        "/inboxes/{id}/assignment": {
            "parameters": [_INBOX],
            "get": {
                "summary": "The inbox's auto-assignment policy and its waiting queue, in order",
                "responses": {
                    "200": _json(_ref("AssignmentPolicy")),
                    **_problem_responses(401, 403, 404),
                },
            },
            "put": {
                "summary": "Change the auto-assignment policy (admins); omitted fields are kept",
                "requestBody": _body_of(_ref("AssignmentPolicy")),
                "responses": {
                    "200": _json(_ref("AssignmentPolicy")),
                    **_problem_responses(400, 401, 403, 404, 422),
                },
            },
        },
        "/sla/policies": {
            "get": {
                "summary": "SLA policies",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"items": {"type": "array", "items": _ref("SlaPolicy")}},
                        }
                    ),
                    **_problem_responses(401, 403),
                },
            },
            "post": {
                "summary": "Create an SLA policy (admins)",
                "requestBody": _body_of(_ref("SlaPolicy")),
                "responses": {
                    "201": _json(_ref("SlaPolicy"), "Created"),
                    **_problem_responses(400, 401, 403, 422),
                },
            },
        },
        "/sla/policies/{id}": {
            "parameters": [_INBOX],
            "put": {
                "summary": "Change an SLA policy (admins); omitted fields are kept",
                "requestBody": _body_of(_ref("SlaPolicy")),
                "responses": {
                    "200": _json(_ref("SlaPolicy")),
                    **_problem_responses(400, 401, 403, 404, 422),
                },
            },
            "delete": {
                "summary": "Delete an SLA policy (admins)",
                "responses": {
                    "204": {"description": "Deleted"},
                    **_problem_responses(401, 403, 404),
                },
            },
        },
        "/business-hours": {
            "get": {
                "summary": "Business hours (no inbox = the default for all inboxes)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "items": {"type": "array", "items": _ref("BusinessHours")}
                            },
                        }
                    ),
                    **_problem_responses(401, 403),
                },
            },
            "post": {
                "summary": "Create business hours (admins); `import_kr_holidays: true` adds "
                "the shipped Korean public holidays",
                "requestBody": _body_of(_ref("BusinessHours")),
                "responses": {
                    "201": _json(_ref("BusinessHours"), "Created"),
                    **_problem_responses(400, 401, 403, 422),
                },
            },
        },
        "/business-hours/{id}": {
            "parameters": [_INBOX],
            "put": {
                "summary": "Change business hours (admins); omitted fields are kept",
                "requestBody": _body_of(_ref("BusinessHours")),
                "responses": {
                    "200": _json(_ref("BusinessHours")),
                    **_problem_responses(400, 401, 403, 404, 422),
                },
            },
        },
        "/business-hours/holidays/kr": {
            "get": {
                "summary": "Korean public holidays 2026–2028 shipped with Switchboard",
                "responses": {"200": _json(_OBJ), **_problem_responses(401, 403)},
            },
        },
        "/rules": {
            "get": {
                "summary": "Automation rules in the order they run (admins)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"items": {"type": "array", "items": _ref("Rule")}},
                        }
                    ),
                    **_problem_responses(401, 403),
                },
            },
            "post": {
                "summary": "Create an automation rule (admins)",
                "requestBody": _body_of(_ref("Rule")),
                "responses": {
                    "201": _json(_ref("Rule"), "Created"),
                    **_problem_responses(400, 401, 403, 422),
                },
            },
        },
        "/rules/{id}": {
            "parameters": [_INBOX],
            "put": {
                "summary": "Change an automation rule (admins); omitted fields are kept",
                "requestBody": _body_of(_ref("Rule")),
                "responses": {
                    "200": _json(_ref("Rule")),
                    **_problem_responses(400, 401, 403, 404, 422),
                },
            },
            "delete": {
                "summary": "Delete an automation rule (admins)",
                "responses": {
                    "204": {"description": "Deleted"},
                    **_problem_responses(401, 403, 404),
                },
            },
        },
        "/conversations/{id}/sla": {
            "parameters": [_INBOX],
            "get": {
                "summary": "The conversation's SLA clock: target, due time, state",
                "responses": {
                    "200": _json(_ref("SlaClock")),
                    **_problem_responses(401, 403, 404),
                },
            },
        },
    },
    {
        "AssignmentPolicy": {
            "type": "object",
            "properties": {
                "channel_account_id": {"type": "integer", "readOnly": True},
                "enabled": {"type": "boolean"},
                "mode": {"enum": ["round_robin", "least_open"]},
                "capacity": {"type": "integer", "minimum": 1, "maximum": 1000},
                "agent_limits": {
                    "type": "object",
                    "description": "user id → own limit of open conversations",
                    "additionalProperties": {"type": "integer"},
                },
                "reassign_off_shift": {"type": "boolean"},
                "queue": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "readOnly": True,
                    "description": "waiting conversation ids in assignment order",
                },
            },
        },
        "SlaPolicy": {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "name": {"type": "string"},
                "priority": {"enum": ["any", "none", "low", "medium", "high", "urgent"]},
                "channel_account_id": {"type": ["integer", "null"]},
                "first_response_minutes": {"type": ["integer", "null"]},
                "next_response_minutes": {"type": ["integer", "null"]},
                "resolution_minutes": {"type": ["integer", "null"]},
                "warn_minutes": {"type": "integer"},
                "enabled": {"type": "boolean"},
            },
        },
        "BusinessHours": {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "name": {"type": "string"},
                "channel_account_id": {"type": ["integer", "null"]},
                "timezone": {"type": "string", "example": "Asia/Seoul"},
                "always_open": {"type": "boolean"},
                "weekly": {
                    "type": "object",
                    "description": 'mon..sun → [["09:00", "18:00"], …]',
                },
                "holidays": {"type": "array", "items": {"type": "string", "format": "date"}},
                "import_kr_holidays": {"type": "boolean", "writeOnly": True},
            },
        },
        "Rule": {
            "type": "object",
            "description": "name, trigger and actions are required when creating",
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "name": {"type": "string"},
                "position": {"type": "integer", "description": "rules run in ascending order"},
                "enabled": {"type": "boolean"},
                "trigger": {"enum": list(TRIGGERS)},
                "conditions": {
                    "type": "array",
                    "description": "all must hold",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"enum": list(CONDITIONS)},
                            "op": {
                                "type": "string",
                                "description": "per field: "
                                + "; ".join(f"{k}: {', '.join(v)}" for k, v in CONDITIONS.items()),
                            },
                            "value": {},
                        },
                    },
                },
                "actions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "type": {"enum": list(ACTIONS)},
                            "value": {
                                "description": "webhook: the outgoing-webhook subscription's "
                                "name (or id); it receives a signed `rule.fired` delivery"
                            },
                        },
                    },
                },
                "stop_processing": {"type": "boolean"},
            },
        },
        "SlaClock": {
            "type": "object",
            "properties": {
                "conversation_id": {"type": "integer"},
                "policy_id": {"type": ["integer", "null"]},
                "target": {"enum": ["first_response", "next_response", "resolution", None]},
                "due_at": {"type": ["string", "null"], "format": "date-time"},
                "state": {"enum": ["none", "ok", "warning", "breached", "paused", "met"]},
                "seconds_left": {"type": ["number", "null"]},
            },
        },
    },
)
