"""Helpers shared by the UI blueprints: the signed-in agent, sessions, access checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from inbox.access import can_see, can_see_contact
from inbox.models import Contact, Conversation, User
from inbox.replies import AttachmentRefused, ReplyRefused, UnfilledVariables
from web.runtime import current_runtime
from web.ui.attachments import file_refusal
from web.ui.text import say

F = TypeVar("F", bound=Callable[..., Any])
SESSION_LANGUAGE = "lang"  # the session's `?lang=` choice (web/ui/__init__.py, _locale)


@dataclass(frozen=True)
class Agent:
    """The signed-in user as Flask-Login sees it: a snapshot, never a live ORM row."""

    id: int
    email: str
    name: str
    role: str
    locale: str
    timezone: str
    active: bool

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def works_queue(self) -> bool:
        return self.role in ("admin", "agent")


def agent_of(user: User) -> Agent:
    return Agent(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        locale=user.locale,
        timezone=user.timezone,
        active=user.is_active,
    )


def load_agent(user_id: str) -> Agent | None:
    if not user_id.isdigit():
        return None
    with current_runtime().db.session() as session:
        user = session.get(User, int(user_id))
        return agent_of(user) if user is not None and user.is_active else None


def me() -> Agent:
    agent: Any = current_user
    assert isinstance(agent, Agent)
    return agent


def user_row(session: Session) -> User:
    user = session.get(User, me().id)
    if user is None:
        abort(403)
    return user


def roles(*allowed: str) -> Callable[[F], F]:
    """Signed in with one of `allowed` roles, else 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if me().role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded: F = login_required(wrapper)
        return guarded

    return decorate


def conversation_if_visible(
    session: Session, user: User, conversation_id: int
) -> Conversation | None:
    """The conversation if `user` may see it; None for one they may not see, exactly as for
    a missing id (an address never tells whether a conversation exists)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not can_see(session, user, conversation):
        return None
    return conversation


def visible_conversation(session: Session, user: User, conversation_id: int) -> Conversation:
    """The conversation if `user` may see it; otherwise 404, exactly as for a missing id."""
    conversation = conversation_if_visible(session, user, conversation_id)
    if conversation is None:
        abort(404)
    return conversation


def thread_contact(session: Session, user: User, conversation_id: int, contact_id: int) -> Contact:
    """The contact of a thread the agent works, if they may see the whole contact; else 404."""
    conversation = visible_conversation(session, user, conversation_id)
    contact = session.get(Contact, contact_id)
    if (
        contact is None
        or conversation.contact_id != contact.id
        or not can_see_contact(session, user, contact.id)
    ):
        abort(404)
    return contact


def wants_fragment() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def refusal(exc: ReplyRefused) -> str:
    """The agent's words for a refused reply; unfilled canned-response variables are named."""
    if isinstance(exc, AttachmentRefused):
        return file_refusal(exc)
    if isinstance(exc, UnfilledVariables):
        names = ", ".join("{{" + n + "}}" for n in exc.names)
        return str(
            _(
                "Not sent: fill in %(names)s first; the customer would read them as typed.",
                names=names,
            )
        )
    return str(_("Not sent: %(reason)s", reason=say(exc)))
