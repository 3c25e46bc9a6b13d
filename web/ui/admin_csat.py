"""Admin: CSAT survey settings per inbox (issue 20): on/off, delay after resolve, quiet hours."""

from __future__ import annotations

from datetime import time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from inbox import csat, csat_schedule
from inbox.models import ChannelAccount
from web.runtime import current_runtime
from web.ui.admin import bp
from web.ui.common import roles, user_row
from web.ui.text import say


@bp.get("/csat")
@roles("admin")
def csat_settings() -> str:
    with current_runtime().db.session() as db:
        accounts = list(db.scalars(select(ChannelAccount).order_by(ChannelAccount.name)))
        rows = [(a, csat_schedule.config_of(a)) for a in accounts]
        return render_template("ui/admin/csat.html", rows=rows)


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


@bp.post("/csat/<int:account_id>")
@roles("admin")
def save_csat(account_id: int) -> Response:
    form = request.form
    with current_runtime().db.session() as db:
        actor = user_row(db)
        try:
            config = csat_schedule.Config(
                enabled=form.get("enabled") == "1",
                delay_minutes=int(form.get("delay_minutes") or 60),
                quiet_start=_time(form.get("quiet_start")),
                quiet_end=_time(form.get("quiet_end")),
                timezone=form.get("timezone") or "Asia/Seoul",
            )
            csat.configure(db, account_id, config, actor_id=actor.id)
        except (ValueError, LookupError, KeyError) as exc:
            db.rollback()
            flash(say(exc), "error")
        else:
            flash(_("Saved."), "ok")
    return redirect(url_for("admin.csat_settings"))
