"""Sign in (throttled per IP and email), sign out, and the agent's own profile."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from werkzeug.wrappers import Response

from inbox.logins import (
    claim_attempt,
    clear_failures,
    password_matches,
    throttle_key,
    warm_up,
)
from inbox.users import LOCALES, set_password, update_user, user_by_email
from web.runtime import current_runtime
from web.security import client_ip
from web.ui.common import SESSION_LANGUAGE, agent_of, me, user_row
from web.ui.text import say

bp = Blueprint("auth", __name__)
bp.record_once(lambda _state: warm_up())  # the dummy password hash, made once per process

TIMEZONES = ("Asia/Seoul", "UTC", "Asia/Tokyo", "America/Los_Angeles", "Europe/London")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("ui/login.html")
    rt = current_runtime()
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    key = throttle_key(client_ip(), email)
    rate = rt.settings.get("LOGIN_RATE_LIMIT", "10/5min")
    now = datetime.now(UTC)
    with rt.db.session() as db:
        if not claim_attempt(db, key, now=now, rate=rate):
            flash(_("Too many failed sign-ins. Wait a few minutes and try again."), "error")
            return render_template("ui/login.html", email=email), 429
        user = user_by_email(db, email) if email else None
        if not password_matches(user, password):
            flash(_("Wrong email or password."), "error")
            return render_template("ui/login.html", email=email), 401
        assert user is not None
        clear_failures(db, key)
        agent = agent_of(user)
    language = session.get(SESSION_LANGUAGE)  # a `?lang=` chosen before signing in stays
    session.clear()  # a fresh session on sign-in: no fixation
    if language:
        session[SESSION_LANGUAGE] = language
    login_user(agent)
    return redirect(_safe_next(request.args.get("next"), agent.role))


def _safe_next(target: str | None, role: str) -> str:
    """Only same-site paths: `next` must never send the user to another host."""
    home = url_for("inbox.index")
    if role == "marketer" and "announcements.index" in current_app.view_functions:
        home = url_for("announcements.index")  # marketers do not work the queue
    if not target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    return target


@bp.post("/logout")
@login_required  # type: ignore[untyped-decorator]
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
def profile() -> str | Response:
    if request.method == "POST":
        form = request.form
        with current_runtime().db.session() as db:
            user = user_row(db)
            try:
                update_user(
                    db,
                    user,
                    actor_id=user.id,
                    name=form.get("name") or None,
                    locale=form.get("locale") or None,
                    timezone=form.get("timezone") or None,
                    available=form.get("available") == "1",
                )
                if form.get("password"):
                    if len(form["password"]) < 10:
                        raise ValueError(_("The new password needs at least 10 characters."))
                    set_password(db, user, form["password"])
            except ValueError as exc:
                db.rollback()
                flash(say(exc), "error")
                return redirect(url_for("auth.profile"))
        session.pop(SESSION_LANGUAGE, None)  # the profile's language is the choice now
        flash(_("Profile saved."), "ok")
        return redirect(url_for("auth.profile"))
    with current_runtime().db.session() as db:
        user = user_row(db)
        return render_template(
            "ui/profile.html", user=user, locales=LOCALES, timezones=TIMEZONES, agent=me()
        )
