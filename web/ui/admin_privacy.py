"""Admin: privacy requests. Export a contact as a zip; erase a contact after a confirmation
page that says what goes and what stays; the list of erasures with their status.

Admins only: an export or an erasure spans every inbox the customer wrote to.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from inbox.models import Attachment, Contact, ContactIdentity, Conversation, Message
from inbox.models.privacy import PrivacyRequest
from inbox.privacy import (
    PrivacyRefused,
    contact_family,
    erasure_of,
    request_erasure,
    retry,
)
from web.privacy import export_download
from web.runtime import current_runtime
from web.ui.admin import bp
from web.ui.common import roles, user_row
from web.ui.text import say


def _(text: str, **values: Any) -> str:
    return str(gettext(text, **values))


@bp.get("/privacy")
@roles("admin")
def privacy() -> str | Response:

    wanted = request.args.get("contact_id", "").strip().lstrip("#")
    if wanted:
        if not wanted.isdigit():
            flash(_("Enter a contact number."), "error")
            return redirect(url_for("admin.privacy"))
        return redirect(url_for("admin.contact_privacy", contact_id=int(wanted)))
    with current_runtime().db.session() as db:
        rows = list(
            db.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id.desc()).limit(100))
        )
        return render_template("ui/admin/privacy.html", requests=rows)


@bp.get("/contacts/<int:contact_id>/privacy")
@roles("admin")
def contact_privacy(contact_id: int) -> str | Response:
    """What an export holds and what an erasure removes, with both buttons."""

    with current_runtime().db.session() as db:
        contact = db.get(Contact, contact_id)
        if contact is None:
            abort(404)
        try:
            family = contact_family(db, contact_id)
        except PrivacyRefused as exc:
            flash(say(exc), "error")
            return redirect(url_for("admin.privacy"))
        conversations = select(Conversation.id).where(Conversation.contact_id.in_(family))
        messages = select(Message.id).where(Message.conversation_id.in_(conversations))
        counts = {
            "conversations": db.scalar(select(func.count()).select_from(conversations.subquery())),
            "messages": db.scalar(select(func.count()).select_from(messages.subquery())),
            "attachments": db.scalar(
                select(func.count(Attachment.id)).where(Attachment.message_id.in_(messages))
            ),
        }
        identities = list(
            db.scalars(select(ContactIdentity).where(ContactIdentity.contact_id.in_(family)))
        )
        return render_template(
            "ui/admin/privacy_contact.html",
            contact=contact,
            identities=identities,
            counts=counts,
            merged=len(family) - 1,
            erasure=erasure_of(db, contact_id),
        )


@bp.get("/contacts/<int:contact_id>/export")
@roles("admin")
def export_contact_zip(contact_id: int) -> Response:

    with current_runtime().db.session() as db:
        try:
            return export_download(db, contact_id, user_row(db).id)
        except LookupError:
            abort(404)
        except PrivacyRefused as exc:
            db.rollback()
            flash(say(exc), "error")
            return redirect(url_for("admin.privacy"))


@bp.post("/contacts/<int:contact_id>/erase")
@roles("admin")
def erase_contact(contact_id: int) -> Response:
    """The confirmation step: the admin types the contact number again."""

    back = url_for("admin.contact_privacy", contact_id=contact_id)
    if request.form.get("confirm", "").strip().lstrip("#") != str(contact_id):
        flash(_("Type the contact number %(id)s to confirm the erasure.", id=contact_id), "error")
        return redirect(back)
    with current_runtime().db.session() as db:
        try:
            erasure = request_erasure(db, [contact_id], source="admin", actor_id=user_row(db).id)
        except LookupError:
            abort(404)
        except PrivacyRefused as exc:
            db.rollback()
            flash(say(exc), "error")
            return redirect(back)
        number = erasure.id
    flash(_("Erasure %(id)s queued.", id=number), "ok")
    return redirect(url_for("admin.privacy"))


@bp.post("/privacy/<int:request_id>/retry")
@roles("admin")
def retry_erasure(request_id: int) -> Response:

    with current_runtime().db.session() as db:
        try:
            retry(db, request_id, actor_id=user_row(db).id)
        except LookupError:
            abort(404)
        except PrivacyRefused as exc:
            db.rollback()
            flash(say(exc), "error")
            return redirect(url_for("admin.privacy"))
    flash(_("Erasure %(id)s queued.", id=request_id), "ok")
    return redirect(url_for("admin.privacy"))
