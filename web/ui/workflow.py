"""List and composer tools: bulk actions on selected rows, saved views, macros.

Routes register on the inbox blueprint; every change goes through inbox/bulk_actions.py,
inbox/views.py or inbox/macros.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from inbox.bulk_actions import BulkChange, apply_bulk
from inbox.conversations import Change
from inbox.macros import delete_macro, macros_for, run_macro, save_macro, usable_macro
from inbox.merge import merge_conversations, split_conversation, undo
from inbox.models import PRIORITIES, STATUSES, AuditLog, Label, Message, Team, User
from inbox.replies import ReplyRefused
from inbox.views import VIEW_KEYS, delete_view, save_view
from web.replying import check_reply
from web.runtime import current_runtime
from web.ui.common import roles, user_row, visible_conversation
from web.ui.inbox import AGENTS, bp
from web.ui.text import say


def _back_to_list() -> Response:
    target = request.form.get("back") or ""
    if not target.startswith("/inbox/") or target.startswith("//"):
        target = url_for("inbox.index")
    return redirect(target)


@bp.post("/bulk")
@roles(*AGENTS)
def bulk() -> Response:
    form = request.form
    ids = [int(v) for v in form.getlist("ids") if v.isdigit()]
    assignee = form.get("assignee", "")
    change = Change(
        status=form.get("status") or None,
        assignee_id=None if assignee == "" else (-1 if assignee == "me" else int(assignee or 0)),
    )
    with current_runtime().db.session() as db:
        user = user_row(db)
        if change.assignee_id == -1:
            change = Change(status=change.status, assignee_id=user.id)
        labels = tuple(x.strip() for x in form.get("add_label", "").split(",") if x.strip())
        removed = tuple(x.strip() for x in form.get("remove_label", "").split(",") if x.strip())
        try:
            result = apply_bulk(db, user, ids, BulkChange(change, labels, removed))
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(say(exc), "error")
        else:
            flash(_("Updated %(count)s conversations.", count=len(result.changed)), "ok")
            if result.skipped:
                flash(
                    _(
                        "%(count)s were skipped (not found or not in your inboxes).",
                        count=len(result.skipped),
                    ),
                    "error",
                )
    return _back_to_list()


@bp.post("/views")
@roles(*AGENTS)
def view_save() -> Response:
    query = {k: request.form.get(k, "") for k in VIEW_KEYS}
    with current_runtime().db.session() as db:
        try:
            view = save_view(
                db,
                user_row(db),
                request.form.get("name", ""),
                query,
                shared=request.form.get("shared") == "1",
            )
        except ValueError as exc:
            db.rollback()
            flash(say(exc), "error")
            return _back_to_list()
        kept = dict(view.query)
    return redirect(url_for("inbox.index") + ("?" + urlencode(kept) if kept else ""))


@bp.post("/views/<int:view_id>/delete")
@roles(*AGENTS)
def view_delete(view_id: int) -> Response:
    with current_runtime().db.session() as db:
        try:
            delete_view(db, user_row(db), view_id)
        except LookupError as exc:
            db.rollback()
            flash(say(exc), "error")
    return _back_to_list()


@bp.get("/macros")
@roles(*AGENTS)
def macros() -> str:
    with current_runtime().db.session() as db:
        user = user_row(db)
        return render_template(
            "ui/macros.html",
            macros=macros_for(db, user),
            me_id=user.id,
            agents=list(
                db.scalars(
                    select(User)
                    .where(User.is_active.is_(True), User.role.in_(AGENTS))
                    .order_by(User.name)
                )
            ),
            teams=list(db.scalars(select(Team).order_by(Team.name))),
            labels=list(db.scalars(select(Label).order_by(Label.name))),
            statuses=STATUSES,
            priorities=PRIORITIES,
        )


@bp.post("/macros")
@roles(*AGENTS)
def macro_save() -> Response:
    form = request.form
    actions = {
        "status": form.get("status", ""),
        "snooze_hours": form.get("snooze_hours", ""),
        "assignee": form.get("assignee", ""),
        "team_id": form.get("team_id", ""),
        "priority": form.get("priority", ""),
        "add_labels": form.get("add_labels", ""),
        "remove_labels": form.get("remove_labels", ""),
    }
    with current_runtime().db.session() as db:
        try:
            save_macro(
                db,
                user_row(db),
                name=form.get("name", ""),
                actions={k: v for k, v in actions.items() if v},
                reply=form.get("reply"),
                reply_private=form.get("reply_private") == "1",
                shared=form.get("shared") == "1",
            )
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(say(exc), "error")
        else:
            flash(_("Saved."), "ok")
    return redirect(url_for("inbox.macros"))


@bp.post("/macros/<int:macro_id>/delete")
@roles(*AGENTS)
def macro_delete(macro_id: int) -> Response:
    with current_runtime().db.session() as db:
        try:
            delete_macro(db, user_row(db), macro_id)
        except LookupError as exc:
            db.rollback()
            flash(say(exc), "error")
    return redirect(url_for("inbox.macros"))


@bp.post("/c/<int:conversation_id>/macro")
@roles(*AGENTS)
def macro_run(conversation_id: int) -> Response:
    rt = current_runtime()
    back = request.form.get("back") or url_for("inbox.thread", conversation_id=conversation_id)
    if not back.startswith("/inbox/c/"):
        back = url_for("inbox.thread", conversation_id=conversation_id)
    macro_id = request.form.get("macro", "")
    if not macro_id.isdigit():
        return redirect(back)
    with rt.db.session() as db:
        user = user_row(db)
        conversation = visible_conversation(db, user, conversation_id)
        try:
            macro = usable_macro(db, user, int(macro_id))
            if macro.reply and not macro.reply_private:
                check = check_reply(rt, conversation, macro.reply)
                if check.problem:
                    raise ReplyRefused(check.problem)
            run_macro(
                db,
                macro,
                conversation,
                user,
                store=rt.store,
                max_chars=rt.settings.int("MESSAGE_MAX_CHARS"),
                idempotency_key=request.form.get("idempotency_key") or None,
            )
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(_("Macro not run: %(reason)s", reason=say(exc)), "error")
        else:
            flash(_("Macro “%(name)s” done.", name=macro.name), "ok")
    return redirect(back)


@bp.post("/c/<int:conversation_id>/merge")
@roles(*AGENTS)
def merge(conversation_id: int) -> Response:
    """Merge another conversation of this contact with this one; go to the survivor."""
    other = request.form.get("other_id", "")
    target = conversation_id
    with current_runtime().db.session() as db:
        user = user_row(db)
        visible_conversation(db, user, conversation_id)
        if not other.isdigit():
            abort(400)
        visible_conversation(db, user, int(other))
        try:
            target = merge_conversations(db, conversation_id, int(other), user).id
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(say(exc), "error")
    return redirect(url_for("inbox.thread", conversation_id=target))


@bp.post("/m/<int:message_id>/split")
@roles(*AGENTS)
def split(message_id: int) -> Response:
    with current_runtime().db.session() as db:
        user = user_row(db)
        message = db.get(Message, message_id) or abort(404)
        target = visible_conversation(db, user, message.conversation_id).id
        try:
            target = split_conversation(db, message_id, user).id
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(say(exc), "error")
    return redirect(url_for("inbox.thread", conversation_id=target))


@bp.post("/undo/<int:audit_id>")
@roles(*AGENTS)
def undo_change(audit_id: int) -> Response:
    """Undo a merge or split from its audit entry (both conversations must be visible)."""
    with current_runtime().db.session() as db:
        user = user_row(db)
        entry = db.get(AuditLog, audit_id) or abort(404)
        ids = [entry.detail.get(k) for k in ("survivor", "absorbed", "original", "split")]
        for conversation_id in (i for i in ids if isinstance(i, int)):
            visible_conversation(db, user, conversation_id)
        back = next(i for i in ids if isinstance(i, int))
        try:
            back = undo(db, audit_id, user).id
        except (ValueError, LookupError) as exc:
            db.rollback()
            flash(say(exc), "error")
    return redirect(url_for("inbox.thread", conversation_id=back))
