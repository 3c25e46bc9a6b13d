"""The agent web UI: sign-in, the inbox, admin pages and the live stream.

Server-rendered Jinja with one small script (static/app.js) for keyboard, live refresh and
the composer; the strict CSP (web/security.py) means no inline script or style anywhere.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, g, redirect, request, url_for
from flask_babel import Babel, format_datetime, format_timedelta, get_locale, gettext
from flask_login import LoginManager, current_user
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from web.ui.common import Agent, load_agent

login_manager = LoginManager()
babel = Babel()
LANGUAGES = ("ko", "en")


def init_ui(app: Flask) -> None:
    """Bind Flask-Login and Flask-Babel to `app` and register the UI blueprints."""
    from web.ui.admin import bp as admin_bp
    from web.ui.auth import bp as auth_bp
    from web.ui.inbox import bp as inbox_bp
    from web.ui.live import bp as live_bp

    app.config.setdefault("BABEL_DEFAULT_LOCALE", "ko")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Seoul")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_agent)
    login_manager.unauthorized_handler(_unauthorized)
    babel.init_app(app, locale_selector=_locale, timezone_selector=_timezone)
    for blueprint in (auth_bp, inbox_bp, admin_bp, live_bp):
        app.register_blueprint(blueprint)
    app.add_url_rule("/", "home", lambda: redirect(url_for("inbox.index")))
    app.jinja_env.filters.update(when=when, ago=ago, nl2br=nl2br, event_text=event_text)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, get_locale=get_locale, idempotency_key=lambda: str(uuid.uuid4())
    )


def _unauthorized() -> Response | tuple[str, int]:
    if request.path.startswith("/live/") or request.headers.get("X-Requested-With"):
        return "sign in first", 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _locale() -> str:
    user: Agent | Any = current_user
    if getattr(user, "is_authenticated", False) and user.locale in LANGUAGES:
        return str(user.locale)
    chosen = request.args.get("lang") or g.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or "ko"


def _timezone() -> str:
    user: Agent | Any = current_user
    if getattr(user, "is_authenticated", False):
        return str(user.timezone or "Asia/Seoul")
    return "Asia/Seoul"


def when(value: datetime | None, fmt: str = "short") -> str:
    """A UTC time in the agent's zone: "short" is today's HH:mm or the date, "full" both."""
    if value is None:
        return ""
    if fmt == "full":
        return str(format_datetime(value, "yyyy-MM-dd HH:mm"))
    if fmt == "input":
        return str(format_datetime(value, "yyyy-MM-dd'T'HH:mm"))
    if datetime.now(UTC) - value < timedelta(hours=20):
        return str(format_datetime(value, "HH:mm"))
    return str(format_datetime(value, "MM-dd"))


def ago(value: datetime | None) -> str:
    if value is None:
        return ""
    delta = datetime.now(UTC) - value
    return str(format_timedelta(delta, granularity="minute", threshold=0.9))


def nl2br(value: str | None) -> Markup:
    """Escape, then keep line breaks (untrusted text never reaches the page unescaped)."""
    return Markup("<br>").join(escape(value or "").split("\n"))


# System events are stored as English sentences (inbox/conversations.py); show them in the
# agent's language. Unknown shapes are shown as stored.
_EVENTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<who>.+) changed status (?P<a>\w+) → (?P<b>\w+)(?P<rest>.*)$"), "status"),
    (re.compile(r"^(?P<who>.+) assigned team (?P<team>.+)$"), "team"),
    (re.compile(r"^(?P<who>.+) unassigned$"), "unassigned"),
    (re.compile(r"^(?P<who>.+) assigned (?P<whom>.+)$"), "assigned"),
    (re.compile(r"^(?P<who>.+) set priority (?P<p>\w+)$"), "priority"),
    (re.compile(r"^(?P<who>.+) set category (?P<c>.+)$"), "category"),
    (re.compile(r"^(?P<who>.+) set labels (?P<labels>.+)$"), "labels"),
    (re.compile(r"^reopened \((?P<a>\w+) → open\) by a new message$"), "reopened"),
    (re.compile(r"^snooze ended → open$"), "woke"),
]


def _(text: str, **values: str) -> str:
    return str(gettext(text, **values))


def _status(name: str) -> str:
    names = {
        "open": _("Open"),
        "pending": _("Pending"),
        "snoozed": _("Snoozed"),
        "resolved": _("Resolved"),
    }
    return names.get(name, name)


def event_text(text: str | None) -> str:
    text = text or ""
    for pattern, kind in _EVENTS:
        match = pattern.match(text)
        if match is None:
            continue
        g = match.groupdict()
        if g.get("who") == "system":
            g["who"] = _("System")
        if kind == "status":
            return _(
                "%(who)s changed the status: %(a)s → %(b)s%(rest)s",
                who=g["who"],
                a=_status(g["a"]),
                b=_status(g["b"]),
                rest=g["rest"],
            )
        if kind == "team":
            return _("%(who)s assigned the team %(team)s", who=g["who"], team=g["team"])
        if kind == "unassigned":
            return _("%(who)s removed the assignee", who=g["who"])
        if kind == "assigned":
            return _("%(who)s assigned %(whom)s", who=g["who"], whom=g["whom"])
        if kind == "priority":
            return _("%(who)s set the priority to %(p)s", who=g["who"], p=g["p"])
        if kind == "category":
            return _("%(who)s set the category to %(c)s", who=g["who"], c=g["c"])
        if kind == "labels":
            return _("%(who)s set the labels: %(labels)s", who=g["who"], labels=g["labels"])
        if kind == "reopened":
            return _("Reopened by a new customer message (was %(a)s)", a=_status(g["a"]))
        return _("Snooze ended; open again")
    return text
