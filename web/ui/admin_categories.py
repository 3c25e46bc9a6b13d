"""Admin: per-category resolve rules (issue 20): which categories need a resolution summary."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from inbox.category_rules import required_categories, set_required
from inbox.faq.articles import default_articles
from web.runtime import current_runtime
from web.ui.admin import bp
from web.ui.common import roles, user_row


def _known(db: Session) -> list[str]:
    return sorted({a.slug for a in default_articles()} | required_categories(db))


@bp.get("/categories")
@roles("admin")
def categories() -> str:
    with current_runtime().db.session() as db:
        return render_template(
            "ui/admin/categories.html", categories=_known(db), required=required_categories(db)
        )


@bp.post("/categories")
@roles("admin")
def save_categories() -> Response:
    with current_runtime().db.session() as db:
        actor = user_row(db)
        set_required(
            db, set(request.form.getlist("required")), known=set(_known(db)), actor_id=actor.id
        )
    flash(_("Saved."), "ok")
    return redirect(url_for("admin.categories"))
