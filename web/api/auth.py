"""Bearer-token authentication and role checks for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy.orm import Session

from inbox.models import User
from inbox.tokens import hash_token, issue_token, note_use, token_for
from web.api.errors import Problem
from web.runtime import current_runtime

__all__ = ["authenticate", "hash_token", "issue_token", "require_roles"]

F = TypeVar("F", bound=Callable[..., Any])


def authenticate(session: Session) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <token>")
    api_token = token_for(session, token.strip())
    if api_token is None:
        raise Problem(401, "Unauthorized", "unknown, expired or revoked token")
    note_use(session, api_token)
    return api_token.user


def require_roles(*roles: str) -> Callable[[F], F]:
    """Open a session, authenticate, check the role; the view gets (session, user, ...)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with current_runtime().db.session() as session:
                user = authenticate(session)
                if user.role not in roles:
                    raise Problem(403, "Forbidden", f"role {user.role!r} may not do this")
                g.user_id = user.id
                return view(session, user, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
