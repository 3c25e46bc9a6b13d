"""Admin pages for the team workflow: auto-assignment per inbox, SLA policies and business
hours, automation rules. Routes live on the admin blueprint (see the end of web/ui/admin.py)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from inbox.assignment import policy_for, queue_position, save_policy
from inbox.business_hours import (
    DAYS,
    korean_holidays,
    parse_holidays,
    parse_weekly_text,
    save_hours,
)
from inbox.models import PRIORITIES, ChannelAccount, Conversation, Team, User, inbox_member
from inbox.models.rules import TRIGGERS
from inbox.models.sla import BusinessHours, SlaPolicy
from inbox.rules import ACTIONS, CONDITIONS, delete_rule, list_rules, save_rule
from inbox.sla import delete_policy as delete_sla_policy
from inbox.sla import save_policy as save_sla
from web.runtime import current_runtime
from web.ui.admin import _save, bp
from web.ui.auth import TIMEZONES
from web.ui.common import roles


@bp.get("/assignment")
@roles("admin")
def assignment() -> str:
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


def _minutes(name: str) -> int | None:
    value = request.form.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(_("Targets are whole minutes."))
    return int(value)


@bp.get("/sla")
@roles("admin")
def sla() -> str:
    with current_runtime().db.session() as db:
        accounts = list(db.scalars(select(ChannelAccount).order_by(ChannelAccount.name)))
        policies = list(db.scalars(select(SlaPolicy).order_by(SlaPolicy.priority, SlaPolicy.id)))
        hours = list(db.scalars(select(BusinessHours).order_by(BusinessHours.id)))
        return render_template(
            "ui/admin/sla.html",
            accounts=accounts,
            policies=policies,
            hours=hours,
            priorities=("any", *PRIORITIES),
            days=DAYS,
            weekly_text=weekly_text,
            timezones=TIMEZONES,
        )


@bp.post("/sla/policy")
@roles("admin")
def save_sla_policy() -> Response:
    form = request.form
    policy_id = form.get("policy_id", type=int)
    if form.get("delete") and policy_id:
        return _save(lambda db, a: delete_sla_policy(db, policy_id, actor_id=a.id), "admin.sla")

    def action(db: Session, actor: User) -> None:
        save_sla(
            db,
            name=form.get("name", ""),
            priority=form.get("priority", "any"),
            account_id=form.get("account_id", type=int) or None,
            first_response_minutes=_minutes("first_response_minutes"),
            next_response_minutes=_minutes("next_response_minutes"),
            resolution_minutes=_minutes("resolution_minutes"),
            warn_minutes=_minutes("warn_minutes") or 0,
            enabled=form.get("enabled") == "1",
            policy_id=policy_id,
            actor_id=actor.id,
        )

    return _save(action, "admin.sla")


@bp.post("/sla/hours")
@roles("admin")
def save_business_hours() -> Response:
    form = request.form

    def action(db: Session, actor: User) -> None:
        holidays = parse_holidays(form.get("holidays", ""))
        if form.get("import_kr"):
            holidays = sorted(set(holidays) | {h["date"] for h in korean_holidays()})
        save_hours(
            db,
            name=form.get("name", ""),
            timezone=form.get("timezone", "Asia/Seoul"),
            always_open=form.get("always_open") == "1",
            weekly=parse_weekly_text(form.get("weekly", "")),
            holidays=holidays,
            account_id=form.get("account_id", type=int) or None,
            hours_id=form.get("hours_id", type=int),
            actor_id=actor.id,
        )

    return _save(action, "admin.sla")


def weekly_text(weekly: dict[str, list[list[str]]] | None) -> str:
    """The stored weekly mapping as the form's lines ("mon 09:00-18:00")."""
    return "\n".join(
        f"{day} " + ", ".join(f"{a}-{b}" for a, b in (weekly or {}).get(day, []))
        for day in DAYS
        if (weekly or {}).get(day)
    )


RULE_ROWS = 4  # condition and action rows on the form; blank rows are ignored


@bp.get("/rules")
@roles("admin")
def rules() -> str:
    with current_runtime().db.session() as db:
        return render_template(
            "ui/admin/rules.html",
            rules=list_rules(db),
            triggers=TRIGGERS,
            conditions=CONDITIONS,
            actions=ACTIONS,
            rows=RULE_ROWS,
            teams=list(db.scalars(select(Team).order_by(Team.name))),
            users=list(
                db.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name))
            ),
        )


def _rule_parts() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    form = request.form
    conditions: list[dict[str, Any]] = []
    for i in range(RULE_ROWS):
        field_name = form.get(f"c{i}_field", "")
        if not field_name:
            continue
        op = form.get(f"c{i}_op", "")
        raw = form.get(f"c{i}_value", "").strip()
        value: Any = (
            [v.strip() for v in raw.split(",") if v.strip()]
            if op
            in (
                "in",
                "not_in",
            )
            else raw
        )
        conditions.append({"field": field_name, "op": op, "value": value})
    actions = [
        {"type": form.get(f"a{i}_type"), "value": form.get(f"a{i}_value", "").strip() or None}
        for i in range(RULE_ROWS)
        if form.get(f"a{i}_type")
    ]
    return conditions, actions


@bp.post("/rules")
@roles("admin")
def save_rule_form() -> Response:
    form = request.form
    rule_id = form.get("rule_id", type=int)
    if form.get("delete") and rule_id:
        return _save(lambda db, a: delete_rule(db, rule_id, actor_id=a.id), "admin.rules")

    def action(db: Session, actor: User) -> None:
        conditions, actions = _rule_parts()
        save_rule(
            db,
            name=form.get("name", ""),
            trigger=form.get("trigger", ""),
            conditions=conditions,
            actions=actions,
            stop_processing=form.get("stop_processing") == "1",
            enabled=form.get("enabled") == "1",
            position=form.get("position", type=int),
            rule_id=rule_id,
            actor_id=actor.id,
        )

    return _save(action, "admin.rules")
