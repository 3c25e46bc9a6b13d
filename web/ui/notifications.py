"""The notification centre: the bell's count, the list, read marks, delivery preferences,
and the names the note composer offers after "@"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from inbox.access import can_see
from inbox.models import Conversation, User
from inbox.models.notifications import Notification
from inbox.notifications import email_enabled, list_for, mark_read, set_email
from web.runtime import current_runtime
from web.ui.common import me, roles, user_row, visible_conversation

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
AGENTS = ("admin", "agent")


def titles() -> dict[str, str]:
    return {
        "assigned": _("Assigned to you"),
        "mentioned": _("You were mentioned"),
        "sla_breach": _("SLA breached"),
        "customer_replied": _("Customer replied"),
        "webhook_disabled": _("Webhook disabled"),
        "follow_up": _("Follow-up due"),
    }


@bp.get("/")
@roles(*AGENTS)
def index() -> str:
    rt = current_runtime()
    unread_only = request.args.get("unread") == "1"
    before = request.args.get("before", "")
    with rt.db.session() as db:
        user = user_row(db)
        page = list_for(
            db, user, unread_only=unread_only, before_id=int(before) if before.isdigit() else None
        )
        email = email_enabled(db, user.id)
        smtp_ready = bool(rt.settings.get("NOTIFY_SMTP_URL"))
        return render_template(
            "ui/notifications.html",
            page=page,
            titles=titles(),
            unread_only=unread_only,
            email=email,
            smtp_ready=smtp_ready,
        )


@bp.get("/summary.json")
@roles(*AGENTS)
def summary() -> Response:
    """The bell's count and the newest unread items (the browser notification's text)."""
    with current_runtime().db.session() as db:
        user = user_row(db)
        page = list_for(db, user, unread_only=True, limit=5)
        names = titles()
        return jsonify(
            unread=page.unread,
            items=[
                {
                    "id": n.id,
                    "kind": n.kind,
                    "title": names.get(n.kind, n.kind),
                    "text": n.text,
                    "url": url_for("notifications.open_one", notification_id=n.id),
                }
                for n in page.items
            ],
        )


@bp.get("/<int:notification_id>")
@roles(*AGENTS)
def open_one(notification_id: int) -> BaseResponse:
    """Mark read and go to what it is about."""
    with current_runtime().db.session() as db:
        user = user_row(db)
        note = db.get(Notification, notification_id)
        if note is None or note.user_id != user.id:
            return redirect(url_for("notifications.index"))
        mark_read(db, user, [note.id])
        conversation_id = note.conversation_id
        kind = note.kind
    if conversation_id:
        return redirect(url_for("inbox.thread", conversation_id=conversation_id))
    if kind == "webhook_disabled" and me().is_admin:
        return redirect(url_for("admin.webhooks"))
    return redirect(url_for("notifications.index"))


@bp.post("/read")
@roles(*AGENTS)
def read() -> BaseResponse:
    ids = [int(v) for v in request.form.getlist("id") if v.isdigit()]
    with current_runtime().db.session() as db:
        mark_read(db, user_row(db), ids or None)
    return redirect(url_for("notifications.index"))


@bp.post("/settings")
@roles(*AGENTS)
def settings() -> BaseResponse:
    with current_runtime().db.session() as db:
        set_email(db, user_row(db), request.form.get("email") == "1")
    return redirect(url_for("notifications.index"))


@bp.get("/mentionable/<int:conversation_id>.json")
@roles(*AGENTS)
def mentionable(conversation_id: int) -> Response:
    """Colleagues who can see this conversation: what "@" offers in a note."""
    with current_runtime().db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        agents = db.scalars(
            select(User)
            .where(User.is_active.is_(True), User.role.in_(AGENTS), User.id != user.id)
            .order_by(User.name)
        ).all()
        return jsonify(
            [
                {"id": a.id, "name": a.name, "email": a.email}
                for a in agents
                if _sees(db, a, conversation)
            ]
        )


def _sees(db: Any, user: User, conversation: Conversation) -> bool:
    return can_see(db, user, conversation)
