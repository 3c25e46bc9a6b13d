"""Bearer-token authentication and role checks for the API."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.models import ApiToken, User
from web.api.errors import Problem

F = TypeVar("F", bound=Callable[..., Any])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str = "cli") -> str:
    """Create a token for `user`; the plain value is returned once and never stored."""
    token = "sb_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), name=name))
    return token


def authenticate(session: Session) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <token>")
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip())))
    api_token = row.first()
    if api_token is None or not api_token.user.is_active:
        raise Problem(401, "Unauthorized", "unknown or revoked token")
    api_token.last_used_at = datetime.now(UTC)
    return api_token.user


def require_roles(*roles: str) -> Callable[[F], F]:
    """Open a session, authenticate, check the role; the view gets (session, user, ...)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from web import current_runtime

            with current_runtime().db.session() as session:
                user = authenticate(session)
                if user.role not in roles:
                    raise Problem(403, "Forbidden", f"role {user.role!r} may not do this")
                g.user_id = user.id
                return view(session, user, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
