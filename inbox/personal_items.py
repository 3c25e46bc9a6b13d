"""Saved views and macros are each an agent's own or shared with everyone: who sees, runs and
deletes one is the same rule for both, kept here once."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from inbox.audit import record
from inbox.models import User
from inbox.models.workflow import Macro, SavedView

Item = TypeVar("Item", SavedView, Macro)


def visible_to(session: Session, model: type[Item], user: User) -> list[Item]:
    """The user's own items and everyone's shared ones, by name."""
    return list(
        session.scalars(
            select(model)
            .where(or_(model.owner_user_id == user.id, model.shared.is_(True)))
            .order_by(model.name, model.id)
        )
    )


def usable_by(session: Session, model: type[Item], user: User, item_id: int, label: str) -> Item:
    """One item the user may use (own or shared); LookupError otherwise, saying `label`."""
    item = session.get(model, item_id)
    if item is None or not (item.shared or item.owner_user_id == user.id):
        raise LookupError(f"{label} {item_id} not found")
    return item


def delete_owned(
    session: Session, model: type[Item], user: User, item_id: int, label: str, action: str
) -> None:
    """Only the owner or an admin deletes; to anyone else the item does not exist."""
    item = session.get(model, item_id)
    if item is None or (item.owner_user_id != user.id and user.role != "admin"):
        raise LookupError(f"{label} {item_id} not found")
    record(session, user.id, action, model.__tablename__, item.id, {"name": item.name})
    session.delete(item)
