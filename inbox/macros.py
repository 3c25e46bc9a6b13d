"""Macros: a named sequence of actions plus an optional reply or note, run on one conversation.

Actions are stored as data (`actions`) and run through `apply_change` and `create_reply`, so a
macro does exactly what the agent could do by hand, with the same events and audit lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from connectors.base import Words
from inbox.attachments import AttachmentStore
from inbox.audit import record
from inbox.canned import render, variables_for
from inbox.conversations import Change, apply_change
from inbox.events import after_commit
from inbox.models import PRIORITIES, STATUSES, Conversation, Message, User, utcnow
from inbox.models.workflow import Macro
from inbox.personal_items import delete_owned, usable_by, visible_to
from inbox.replies import Draft, create_reply

ACTION_KEYS = (
    "status",
    "snooze_hours",
    "assignee",
    "team_id",
    "priority",
    "add_labels",
    "remove_labels",
)


def clean_actions(actions: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise a macro's actions; raise ValueError naming the bad one."""
    unknown = set(actions) - set(ACTION_KEYS)
    if unknown:
        raise ValueError(f"unknown macro actions: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    status = actions.get("status")
    if status:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        out["status"] = status
        if status == "snoozed":
            hours = float(actions.get("snooze_hours") or 0)
            if hours <= 0:
                raise ValueError(
                    Words(
                        "snoozing needs snooze_hours > 0",
                        "미룰 시간(시간 단위)을 0보다 크게 적으세요",
                    )
                )
            out["snooze_hours"] = hours
    assignee = actions.get("assignee")
    if assignee not in (None, ""):
        if assignee not in ("me", "none") and not str(assignee).isdigit():
            raise ValueError("assignee must be me, none or a user id")
        out["assignee"] = str(assignee)
    if actions.get("team_id") not in (None, ""):
        out["team_id"] = int(actions["team_id"])
    priority = actions.get("priority")
    if priority:
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}")
        out["priority"] = priority
    for key in ("add_labels", "remove_labels"):
        names = actions.get(key) or []
        if isinstance(names, str):
            names = names.split(",")
        kept = sorted({str(n).strip() for n in names if str(n).strip()})
        if kept:
            out[key] = kept
    return out


def save_macro(
    session: Session,
    owner: User,
    *,
    name: str,
    actions: dict[str, Any],
    reply: str | None = None,
    reply_private: bool = False,
    shared: bool = False,
) -> Macro:
    name = name.strip()
    if not name:
        raise ValueError(Words("a macro needs a name", "매크로 이름을 적으세요"))
    cleaned = clean_actions(actions)
    reply = (reply or "").strip() or None
    if not cleaned and not reply:
        raise ValueError(
            Words(
                "a macro needs at least one action or a reply",
                "매크로에는 동작이나 답장이 하나 이상 있어야 합니다",
            )
        )
    macro = Macro(
        name=name[:100],
        owner_user_id=owner.id,
        shared=shared,
        actions=cleaned,
        reply=reply,
        reply_private=reply_private,
    )
    session.add(macro)
    session.flush()
    record(session, owner.id, "macro.save", "macro", macro.id)
    return macro


def macros_for(session: Session, user: User) -> list[Macro]:
    return visible_to(session, Macro, user)


def usable_macro(session: Session, user: User, macro_id: int) -> Macro:
    return usable_by(session, Macro, user, macro_id, "macro")


def delete_macro(session: Session, user: User, macro_id: int) -> None:
    delete_owned(session, Macro, user, macro_id, "macro", "macro.delete")


@dataclass(frozen=True, slots=True)
class MacroRun:
    changes: list[str]
    message: Message | None


def run_macro(
    session: Session,
    macro: Macro,
    conversation: Conversation,
    user: User,
    *,
    store: AttachmentStore | None = None,
    max_chars: int = 20_000,
    idempotency_key: str | None = None,
) -> MacroRun:
    """Reply (or note) first, then the actions, so "reply and resolve" reads in that order.

    The reply is stored pending and its send job requested after the commit. Whether the
    channel accepts a reply now is the caller's check (web/replying.py), as for a typed reply.
    """
    message = None
    if macro.reply:
        text = render(macro.reply, variables_for(session, conversation))
        message, created = create_reply(
            session,
            conversation,
            user,
            Draft(text=text, private=macro.reply_private, idempotency_key=idempotency_key),
            store=store,
            max_chars=max_chars,
        )
        if created and not macro.reply_private:
            after_commit(
                session,
                "workers.send.send_message",
                message.id,
                queue="send",
                job_id=f"send:{message.id}",
            )
    changes = apply_change(
        session, conversation, macro_change(macro, conversation, user), actor=user
    )
    record(session, user.id, "macro.run", "conversation", conversation.id, {"macro_id": macro.id})
    return MacroRun(changes, message)


def macro_change(macro: Macro, conversation: Conversation, user: User) -> Change:
    actions = macro.actions
    assignee = actions.get("assignee")
    labels = None
    if actions.get("add_labels") or actions.get("remove_labels"):
        names = {label.name for label in conversation.labels} | set(actions.get("add_labels", []))
        labels = tuple(sorted(names - set(actions.get("remove_labels", []))))
    hours = actions.get("snooze_hours")
    return Change(
        status=actions.get("status"),
        snoozed_until=utcnow() + timedelta(hours=float(hours)) if hours else None,
        assignee_id=(user.id if assignee == "me" else 0 if assignee == "none" else int(assignee))
        if assignee
        else None,
        team_id=actions.get("team_id"),
        priority=actions.get("priority"),
        labels=labels,
    )
