"""/faq/suggest and /conversations/{id}/faq-suggestions: FAQ answers for agents and integrators.

The composer of every channel asks the second one for the customer's latest message, in the
conversation's language (Hangul in the message → Korean, else English), so an agent can insert
an answer with one key. Both take a Bearer token or, for the inbox UI, the agent's session.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from inbox.access import can_see
from inbox.faq.service import Suggestion
from inbox.models import Conversation, User
from inbox.selfservice import answers_for, detect_locale, latest_customer_text
from web.api import bp
from web.api.auth import authenticate
from web.api.edge import plain_int
from web.api.errors import Problem
from web.api.openapi import add_paths
from web.runtime import current_runtime

AGENTS = ("admin", "agent")
F = TypeVar("F", bound=Callable[..., Any])
MAX_QUERY_CHARS = 500


def _limit() -> int:
    raw = request.args.get("limit", "3")
    if not 1 <= (plain_int(raw) or 0) <= 15:
        raise Problem(400, "Bad Request", "limit must be between 1 and 15")
    return int(raw)


def _locale() -> str | None:
    locale = request.args.get("locale") or None
    if locale is not None and locale not in ("ko", "en"):
        raise Problem(400, "Bad Request", "locale must be ko or en")
    return locale


def suggestion_json(s: Suggestion) -> dict[str, Any]:
    return {
        "slug": s.slug,
        "title": s.title,
        "answer": s.answer,
        "score": s.score,
        "category": s.category,
        "locale": s.locale,
    }


def agent_or_token(view: F) -> F:
    """Bearer token (API clients) or the signed-in agent's session (the inbox composer).

    Only for reads: a GET changes nothing, so the cookie needs no CSRF token, and another
    site's page cannot read the answer (no CORS on /api/v1).
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with current_runtime().db.session() as session:
            user = authenticate(session) if "Authorization" in request.headers else None
            if user is None:
                user = _signed_in(session)
            if user.role not in AGENTS:
                raise Problem(403, "Forbidden", f"role {user.role!r} may not do this")
            return view(session, user, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _signed_in(session: Session) -> User:
    try:
        from flask_login import current_user

        user_id = current_user.get_id() if current_user.is_authenticated else None
    except AttributeError:  # an app without the inbox UI (no login manager)
        user_id = None
    user = session.get(User, int(user_id)) if user_id is not None else None
    if user is None or not user.is_active:
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <token> or sign in")
    return user


@bp.get("/faq/suggest")
@agent_or_token
def suggest_view(session: Session, user: User) -> Response:
    query = request.args.get("q", "")
    if not query.strip():
        raise Problem(400, "Bad Request", "q is required")
    locale = _locale() or detect_locale(query)
    found = answers_for(session, query[:MAX_QUERY_CHARS], locale=locale, limit=_limit())
    return jsonify(
        query=query, locale=locale, no_match=not found, data=[suggestion_json(s) for s in found]
    )


@bp.get("/conversations/<int:conversation_id>/faq-suggestions")
@agent_or_token
def conversation_suggestions(session: Session, user: User, conversation_id: int) -> Response:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not can_see(session, user, conversation):
        raise Problem(404, "Not Found", f"conversation {conversation_id} not found")
    text = latest_customer_text(session, conversation_id) or ""
    locale = _locale() or detect_locale(text)
    found = answers_for(session, text[:MAX_QUERY_CHARS], locale=locale, limit=_limit())
    return jsonify(
        conversation_id=conversation_id,
        query=text[:MAX_QUERY_CHARS] or None,
        locale=locale,
        no_match=not found,
        data=[suggestion_json(s) for s in found],
    )


_ARTICLE = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "answer": {"type": "string"},
        "score": {"type": "number"},
        "category": {"type": "string"},
        "locale": {"type": "string", "enum": ["ko", "en"]},
    },
}
_LIST = {
    "type": "object",
    "properties": {
        "query": {"type": ["string", "null"]},
        "locale": {"type": "string", "enum": ["ko", "en"]},
        "no_match": {
            "type": "boolean",
            "description": "true when no article is a believable answer (data is then empty): "
            "greetings, nonsense, off-topic questions",
        },
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/FaqSuggestion"}},
    },
}
_PARAMS = [
    {
        "name": "locale",
        "in": "query",
        "schema": {"type": "string", "enum": ["ko", "en"]},
        "description": "language of the answers; default: Korean if the text has Hangul",
    },
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 15}},
]


def _problems(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": {400: "Bad request", 401: "No token", 403: "Role", 404: "Not found"}[
                code
            ],
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
        for code in codes
    }


add_paths(
    {
        "/faq/suggest": {
            "get": {
                "summary": "FAQ articles ranked for a customer's question",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "pattern": "\\S"},
                        "description": "the question; not blank",
                    },
                    *_PARAMS,
                ],
                "responses": {
                    "200": {
                        "description": "Best first",
                        "content": {"application/json": {"schema": _LIST}},
                    },
                    **_problems(400, 401, 403),
                },
            }
        },
        "/conversations/{id}/faq-suggestions": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "summary": "FAQ answers for the customer's latest message, in its language",
                "parameters": _PARAMS,
                "responses": {
                    "200": {
                        "description": "Best first; `query` is the message used",
                        "content": {"application/json": {"schema": _LIST}},
                    },
                    **_problems(400, 401, 403, 404),
                },
            },
        },
    },
    {"FaqSuggestion": _ARTICLE},
)
