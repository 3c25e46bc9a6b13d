"""Saved views: a named list filter, the agent's own or shared with the whole team."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.audit import record
from inbox.models import User
from inbox.models.workflow import SavedView
from inbox.personal_items import delete_owned, visible_to

# The list's query arguments a view may keep (web/ui/inbox.py ListArgs, the API's filters).
VIEW_KEYS = ("view", "status", "channel", "label", "assignee", "q", "sort", "team")


def save_view(
    session: Session, owner: User, name: str, query: dict[str, str], *, shared: bool = False
) -> SavedView:
    name = name.strip()
    if not name:
        raise ValueError(Words("a saved view needs a name", "저장할 보기의 이름을 적으세요"))
    kept = {k: str(v)[:200] for k, v in query.items() if k in VIEW_KEYS and v}
    view = SavedView(name=name[:100], owner_user_id=owner.id, shared=shared, query=kept)
    session.add(view)
    session.flush()
    record(session, owner.id, "view.save", "saved_view", view.id, {"shared": shared})
    return view


def views_for(session: Session, user: User) -> list[SavedView]:
    """The agent's own views and everyone's shared ones, by name."""
    return visible_to(session, SavedView, user)


def delete_view(session: Session, user: User, view_id: int) -> None:
    delete_owned(session, SavedView, user, view_id, "saved view", "view.delete")
