"""Teams and labels, as admins manage them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.audit import record
from inbox.models import Label, Team, User

LABEL_COLORS = ("gray", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink")


def save_team(
    session: Session,
    *,
    name: str,
    member_ids: set[int],
    team_id: int | None = None,
    actor_id: int | None,
) -> Team:
    name = name.strip()
    if not name:
        raise ValueError(Words("a team needs a name", "팀 이름을 적으세요"))
    clash = session.scalars(select(Team).where(Team.name == name)).first()
    if clash is not None and clash.id != team_id:
        raise ValueError(Words(f"team {name} already exists", f"팀 {name}은(는) 이미 있습니다"))
    team = session.get(Team, team_id) if team_id else Team()
    if team is None:
        raise LookupError(f"team {team_id} not found")
    team.name = name
    team.members = list(session.scalars(select(User).where(User.id.in_(member_ids))))
    session.add(team)
    session.flush()
    record(session, actor_id, "team.save", "team", team.id, {"members": sorted(member_ids)})
    return team


def save_label(
    session: Session, *, name: str, color: str, label_id: int | None = None, actor_id: int | None
) -> Label:
    name = name.strip()
    if not name or len(name) > 64:
        raise ValueError(
            Words(
                "a label needs a name of at most 64 characters",
                "라벨 이름을 64자 이내로 적으세요",
            )
        )
    if color not in LABEL_COLORS:
        raise ValueError(f"color must be one of {', '.join(LABEL_COLORS)}")
    clash = session.scalars(select(Label).where(Label.name == name)).first()
    if clash is not None and clash.id != label_id:
        raise ValueError(Words(f"label {name} already exists", f"라벨 {name}은(는) 이미 있습니다"))
    label = session.get(Label, label_id) if label_id else Label()
    if label is None:
        raise LookupError(f"label {label_id} not found")
    label.name, label.color = name, color
    session.add(label)
    session.flush()
    record(session, actor_id, "label.save", "label", label.id, {"name": name})
    return label


def delete_label(session: Session, label_id: int, *, actor_id: int | None) -> None:
    label = session.get(Label, label_id)
    if label is None:
        raise LookupError(f"label {label_id} not found")
    session.delete(label)
    record(session, actor_id, "label.delete", "label", label_id)
