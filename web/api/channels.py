"""/channel-accounts: connected accounts with their health; check, reconnect, enable/disable.

Admins only (credentials are never in an answer, only whether the token expires and when).
The logic is switchboard/accounts.py, shared with `switchboard channel ...`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import ConnectorError
from inbox.channels import set_enabled
from inbox.models import ChannelAccount, User
from switchboard import accounts
from web.api import bp
from web.api.auth import require_roles
from web.api.errors import Problem
from web.api.openapi import _ID, _json, _problem_responses, _ref, add_paths
from web.runtime import current_runtime


def _rt() -> Any:

    return current_runtime()


def _account(session: Session, account_id: int) -> ChannelAccount:
    found = session.get(ChannelAccount, account_id)
    if found is None:
        raise Problem(404, "Not Found", f"channel account {account_id} not found")
    return found


def _fresh(account_id: int) -> dict[str, Any]:
    rt = _rt()
    with rt.db.session() as session:
        return accounts.summary(rt, _account(session, account_id))


@bp.get("/channel-accounts")
@require_roles("admin")
def channel_accounts(session: Session, user: User) -> Response:
    rt = _rt()
    rows = session.scalars(select(ChannelAccount).order_by(ChannelAccount.id))
    return jsonify(data=[accounts.summary(rt, a) for a in rows])


@bp.get("/channel-accounts/<int:account_id>")
@require_roles("admin")
def channel_account_show(session: Session, user: User, account_id: int) -> Response:
    return jsonify(accounts.summary(_rt(), _account(session, account_id)))


@bp.post("/channel-accounts/<int:account_id>/check")
@require_roles("admin")
def channel_account_check(session: Session, user: User, account_id: int) -> Response:
    _account(session, account_id)
    session.commit()  # the check opens its own sessions
    outcome = accounts.check(_rt(), account_id)
    return jsonify(
        ok=outcome.ok,
        identity=outcome.identity,
        problems=outcome.problems,
        cleared=outcome.cleared,
        account=_fresh(account_id),
    )


@bp.post("/channel-accounts/<int:account_id>/reconnect")
@require_roles("admin")
def channel_account_reconnect(session: Session, user: User, account_id: int) -> Response:
    _account(session, account_id)
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        raise Problem(400, "Bad Request", "send a JSON object (or nothing)")
    credentials = body.get("credentials")
    if credentials is not None and not (
        isinstance(credentials, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in credentials.items())
    ):
        raise Problem(400, "Bad Request", "credentials must be an object of strings")
    session.commit()
    try:
        outcome = accounts.reconnect(
            _rt(), account_id, credentials=credentials or None, actor_id=user.id
        )
    except accounts.BrowserNeeded as exc:
        raise Problem(
            409,
            "Conflict",
            f"{exc.reason}; sign in again in the browser at {exc.path}",
        ) from exc
    except ConnectorError as exc:
        raise Problem(422, "Unprocessable Content", exc.reason) from exc
    return jsonify(
        renewed_with=outcome.how,
        ok=outcome.check.ok,
        problems=outcome.check.problems,
        account=_fresh(account_id),
    )


@bp.post("/channel-accounts/<int:account_id>/enable")
@require_roles("admin")
def channel_account_enable(session: Session, user: User, account_id: int) -> Response:
    return _toggle(session, user, account_id, True)


@bp.post("/channel-accounts/<int:account_id>/disable")
@require_roles("admin")
def channel_account_disable(session: Session, user: User, account_id: int) -> Response:
    return _toggle(session, user, account_id, False)


def _toggle(session: Session, user: User, account_id: int, enabled: bool) -> Response:

    changed = set_enabled(session, _account(session, account_id), enabled, user.id)
    session.commit()
    return jsonify(changed=changed, account=_fresh(account_id))


_ACCOUNT = _json(_ref("ChannelAccount"))
_WITH_ACCOUNT = {
    "type": "object",
    "properties": {"changed": {"type": "boolean"}, "account": _ref("ChannelAccount")},
}
add_paths(
    {
        "/channel-accounts": {
            "get": {
                "summary": "Connected channel accounts with health and token expiry (admins)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _ref("ChannelAccount")}
                            },
                        }
                    ),
                    **_problem_responses(401, 403),
                },
            }
        },
        "/channel-accounts/{id}": {
            "parameters": [_ID],
            "get": {
                "summary": "One channel account",
                "responses": {"200": _ACCOUNT, **_problem_responses(401, 403, 404)},
            },
        },
        "/channel-accounts/{id}/check": {
            "parameters": [_ID],
            "post": {
                "summary": "Test the stored credentials; success clears a stale "
                '"reconnect needed" and its reason',
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "ok": {"type": "boolean"},
                                "identity": {"type": "string"},
                                "problems": {"type": "array", "items": {"type": "string"}},
                                "cleared": {"type": "boolean"},
                                "account": _ref("ChannelAccount"),
                            },
                        }
                    ),
                    **_problem_responses(401, 403, 404),
                },
            },
        },
        "/channel-accounts/{id}/reconnect": {
            "parameters": [_ID],
            "post": {
                "summary": "Renew the token from the stored grant (X refresh token, Meta "
                "long-lived user token), or store new credentials; 409 when only signing in "
                "again in the browser can help",
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "credentials": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "renewed_with": {"type": "string"},
                                "ok": {"type": "boolean"},
                                "problems": {"type": "array", "items": {"type": "string"}},
                                "account": _ref("ChannelAccount"),
                            },
                        }
                    ),
                    **_problem_responses(400, 401, 403, 404, 409, 422),
                },
            },
        },
        **{
            f"/channel-accounts/{{id}}/{action}": {
                "parameters": [_ID],
                "post": {
                    "summary": summary,
                    "responses": {
                        "200": _json(_WITH_ACCOUNT),
                        **_problem_responses(401, 403, 404),
                    },
                },
            }
            for action, summary in (
                ("enable", "Resume polling, sending and receiving for the account"),
                ("disable", "Pause the account; its credentials and history are kept"),
            )
        },
    },
    {
        "ChannelAccount": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "channel": {"type": "string"},
                "connector": {"type": "string"},
                "name": {"type": "string"},
                "external_id": {"type": "string"},
                "enabled": {"type": "boolean"},
                "state": {
                    "type": "string",
                    "description": "ok, reconnect_needed, error, not connected, disconnected",
                },
                "health": {"type": "string", "enum": ["ok", "reconnect_needed", "error"]},
                "health_detail": {"type": ["string", "null"]},
                "health_changed_at": {"type": ["string", "null"], "format": "date-time"},
                "reconnect_needed": {"type": "boolean"},
                "token_expires_at": {"type": ["string", "null"], "format": "date-time"},
                "token_warning": {
                    "type": ["string", "null"],
                    "description": "set a week before the token expires (or once it has)",
                },
                "token_renews_itself": {"type": "boolean"},
                "created_at": {"type": "string", "format": "date-time"},
            },
        }
    },
)
