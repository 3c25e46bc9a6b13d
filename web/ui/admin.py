"""Admin pages: agents and their inboxes, teams, labels, canned responses, channel accounts
with their health, and rejected deliveries with the reason they were refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.wrappers import Response

from inbox.canned import delete_canned, list_canned, save_canned
from inbox.models import (
    ROLES,
    ChannelAccount,
    InboundDelivery,
    Label,
    Team,
    User,
    inbox_member,
)
from inbox.teams import LABEL_COLORS, delete_label, save_label, save_team
from inbox.users import create_user, set_inboxes, update_user
from switchboard.check import account_state
from web.runtime import current_runtime
from web.ui.common import roles, user_row
from web.ui.text import say

bp = Blueprint("admin", __name__, url_prefix="/admin")
DELIVERIES_PAGE = 50


def _save(action: Callable[[Session, User], Any], back: str) -> Response:
    """Run one admin change in a session; show its error instead of a 500."""
    with current_runtime().db.session() as db:
        actor = user_row(db)
        try:
            action(db, actor)
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(say(exc), "error")
        else:
            flash(_("Saved."), "ok")
    return redirect(url_for(back))


def _ids(name: str) -> set[int]:
    return {int(v) for v in request.form.getlist(name) if v.isascii() and v.isdigit()}


@bp.get("/")
@roles("admin")
def index() -> Response:
    return redirect(url_for("admin.agents"))


@bp.get("/agents")
@roles("admin")
def agents() -> str:
    with current_runtime().db.session() as db:
        users = list(db.scalars(select(User).order_by(User.name)))
        accounts = list(db.scalars(select(ChannelAccount).order_by(ChannelAccount.name)))
        members: dict[int, set[int]] = {}
        for user_id, account_id in db.execute(select(inbox_member)):
            members.setdefault(user_id, set()).add(account_id)
        return render_template(
            "ui/admin/agents.html", users=users, accounts=accounts, members=members, roles=ROLES
        )


@bp.post("/agents")
@roles("admin")
def create_agent() -> Response:
    form = request.form

    def action(db: Session, actor: User) -> None:
        user, _password = create_user(
            db,
            email=form.get("email", ""),
            role=form.get("role", "agent"),
            name=form.get("name") or None,
            password=form.get("password") or None,
            locale=form.get("locale", "ko"),
        )
        set_inboxes(db, user, _ids("inboxes"))

    return _save(action, "admin.agents")


@bp.post("/agents/<int:user_id>")
@roles("admin")
def edit_agent(user_id: int) -> Response:
    form = request.form

    def action(db: Session, actor: User) -> None:
        user = db.get(User, user_id)
        if user is None:
            raise LookupError(f"user {user_id} not found")
        if user.id == actor.id and (form.get("role") != "admin" or form.get("active") != "1"):
            raise ValueError(_("You cannot remove your own admin access."))
        update_user(
            db,
            user,
            actor_id=actor.id,
            role=form.get("role"),
            is_active=form.get("active") == "1",
            available=form.get("available") == "1",
        )
        set_inboxes(db, user, _ids("inboxes"))

    return _save(action, "admin.agents")


@bp.route("/teams", methods=["GET", "POST"])
@roles("admin")
def teams() -> str | Response:
    if request.method == "POST":
        team_id = request.form.get("team_id", type=int)
        return _save(
            lambda db, actor: save_team(
                db,
                name=request.form.get("name", ""),
                member_ids=_ids("members"),
                team_id=team_id,
                actor_id=actor.id,
            ),
            "admin.teams",
        )
    with current_runtime().db.session() as db:
        rows = list(
            db.scalars(select(Team).options(selectinload(Team.members)).order_by(Team.name))
        )
        users = list(db.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name)))
        return render_template("ui/admin/teams.html", teams=rows, users=users)


@bp.route("/labels", methods=["GET", "POST"])
@roles("admin")
def labels() -> str | Response:
    form = request.form
    if request.method == "POST":
        label_id = form.get("label_id", type=int)
        if form.get("delete") and label_id:
            return _save(lambda db, a: delete_label(db, label_id, actor_id=a.id), "admin.labels")
        return _save(
            lambda db, a: save_label(
                db,
                name=form.get("name", ""),
                color=form.get("color", "gray"),
                label_id=label_id,
                actor_id=a.id,
            ),
            "admin.labels",
        )
    with current_runtime().db.session() as db:
        rows = list(db.scalars(select(Label).order_by(Label.name)))
        return render_template("ui/admin/labels.html", labels=rows, colors=LABEL_COLORS)


@bp.route("/canned", methods=["GET", "POST"])
@roles("admin")
def canned() -> str | Response:
    form = request.form
    if request.method == "POST":
        canned_id = form.get("canned_id", type=int)
        if form.get("delete") and canned_id:
            return _save(lambda db, a: delete_canned(db, canned_id, actor_id=a.id), "admin.canned")
        return _save(
            lambda db, a: save_canned(
                db,
                shortcut=form.get("shortcut", ""),
                title=form.get("title", ""),
                body=form.get("body", ""),
                locale=form.get("locale", "ko"),
                canned_id=canned_id,
                actor_id=a.id,
            ),
            "admin.canned",
        )
    with current_runtime().db.session() as db:
        return render_template("ui/admin/canned.html", canned=list_canned(db))


@bp.get("/channels")
@roles("admin")
def channels() -> str:
    rt = current_runtime()
    with rt.db.session() as db:
        rows = list(db.scalars(select(ChannelAccount).order_by(ChannelAccount.name)))
        states = {a.id: account_state(rt, a) for a in rows}
        return render_template("ui/admin/channels.html", accounts=rows, states=states)


@bp.get("/deliveries")
@roles("admin")
def deliveries() -> str:
    before = request.args.get("before", type=int)
    with current_runtime().db.session() as db:
        query = select(InboundDelivery).where(InboundDelivery.status == "rejected")
        if before:
            query = query.where(InboundDelivery.id < before)
        rows = list(
            db.scalars(query.order_by(InboundDelivery.id.desc()).limit(DELIVERIES_PAGE + 1))
        )
        more = len(rows) > DELIVERIES_PAGE
        rows = rows[:DELIVERIES_PAGE]
        return render_template(
            "ui/admin/deliveries.html",
            deliveries=[(d, d.body[:2000].decode("utf-8", "replace")) for d in rows],
            next_before=rows[-1].id if more and rows else None,
        )


# Route modules that add pages to bp; imported last because they import bp from here.
from web.ui import (  # noqa: E402
    admin_categories,  # noqa: F401  (per-category resolve rules on bp)
    admin_channels,  # noqa: F401  (connect/test/reconnect/disconnect routes on bp)
    admin_csat,  # noqa: F401  (CSAT survey settings per inbox on bp)
    admin_faq,  # noqa: F401  (FAQ editor: list, edit, history, restore on bp)
    admin_oauth,  # noqa: F401  (Connect with Facebook / X: OAuth start, callback, page choice)
    admin_privacy,  # noqa: F401  (contact export, erasure with confirmation, request list)
    admin_webhooks,  # noqa: F401  (outgoing webhooks: subscriptions, delivery log)
    admin_workflow,  # noqa: F401  (auto-assignment, SLA and business hours, rules on bp)
)
