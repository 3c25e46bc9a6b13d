"""Admin pages for the team workflow: auto-assignment per inbox, SLA policies and business
hours, automation rules. Routes live on the admin blueprint (see the end of web/ui/admin.py)."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from inbox.assignment import policy_for, queue_position, save_policy
from inbox.models import ChannelAccount, Conversation, User, inbox_member
from web.ui.admin import _save, bp
from web.ui.common import roles


@bp.get("/assignment")
@roles("admin")
def assignment() -> str:
    from web import current_runtime

    with current_runtime().db.session() as db:
        accounts = list(db.scalars(select(ChannelAccount).order_by(ChannelAccount.name)))
        rows = []
        for account in accounts:
            members = list(
                db.scalars(
                    select(User)
                    .join(inbox_member, inbox_member.c.user_id == User.id)
                    .where(inbox_member.c.channel_account_id == account.id)
                    .order_by(User.name)
                )
            )
            loads = dict(
                db.execute(
                    select(Conversation.assignee_id, func.count())
                    .where(
                        Conversation.channel_account_id == account.id,
                        Conversation.status == "open",
                    )
                    .group_by(Conversation.assignee_id)
                )
                .tuples()
                .all()
            )
            rows.append(
                {
                    "account": account,
                    "policy": policy_for(db, account.id),
                    "members": members,
                    "loads": loads,
                    "waiting": len(queue_position(db, account.id)),
                }
            )
        return render_template("ui/admin/assignment.html", rows=rows)


@bp.post("/assignment/<int:account_id>")
@roles("admin")
def save_assignment(account_id: int) -> Response:
    form = request.form

    def action(db: Session, actor: User) -> None:
        if db.get(ChannelAccount, account_id) is None:
            raise LookupError(f"inbox {account_id} not found")
        limits = {
            int(key.removeprefix("limit_")): int(value)
            for key, value in form.items()
            if key.startswith("limit_") and value.strip().isdigit()
        }
        save_policy(
            db,
            account_id,
            enabled=form.get("enabled") == "1",
            mode=form.get("mode", "round_robin"),
            capacity=form.get("capacity", type=int) or 0,
            reassign_off_shift=form.get("reassign_off_shift") == "1",
            agent_limits=limits,
            actor_id=actor.id,
        )

    return _save(action, "admin.assignment")
