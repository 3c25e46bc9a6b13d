"""The agent web UI: sign-in, the inbox, admin pages and the live stream.

Server-rendered Jinja with one small script (static/app.js) for keyboard, live refresh and
the composer; the strict CSP (web/security.py) means no inline script or style anywhere.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, g, redirect, request, session, url_for
from flask_babel import Babel, get_locale
from flask_login import LoginManager, current_user
from werkzeug.wrappers import Response

from web.ui.admin import bp as admin_bp
from web.ui.auth import bp as auth_bp
from web.ui.channel_fields import CONNECTABLE
from web.ui.channel_styles import channel_styles
from web.ui.common import SESSION_LANGUAGE, Agent, load_agent
from web.ui.errors import install_error_pages
from web.ui.inbox import bp as inbox_bp
from web.ui.live import bp as live_bp
from web.ui.notifications import bp as notifications_bp
from web.ui.reports import bp as reports_bp
from web.ui.text import (
    ago,
    category_name,
    channel_has,
    channel_name,
    delivery_name,
    event_text,
    highlight,
    left,
    local,
    nl2br,
    priority_name,
    reply_limit,
    sla_target_name,
    status_name,
    when,
)

login_manager = LoginManager()
babel = Babel()
LANGUAGES = ("ko", "en")


def init_ui(app: Flask) -> None:
    """Bind Flask-Login and Flask-Babel to `app` and register the UI blueprints."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "ko")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Seoul")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_agent)
    login_manager.unauthorized_handler(_unauthorized)
    babel.init_app(app, locale_selector=_locale, timezone_selector=_timezone)
    install_error_pages(app)
    for blueprint in (auth_bp, inbox_bp, admin_bp, live_bp, notifications_bp, reports_bp):
        app.register_blueprint(blueprint)
    app.add_url_rule("/", "home", lambda: redirect(url_for("inbox.index")))
    app.add_url_rule("/channels.css", "channel_styles", channel_styles)
    app.jinja_env.filters.update(
        when=when, ago=ago, nl2br=nl2br, event_text=event_text, left=left, highlight=highlight
    )
    app.jinja_env.globals.update(url_endpoints=lambda: app.view_functions.keys())
    app.jinja_env.globals.update(
        channel_label=channel_name,
        category_name=category_name,
        channel_display=channel_name,
        channel_has=channel_has,
        local=local,
        reply_limit=reply_limit,
        connectable_channels=CONNECTABLE,
        status_label=status_name,
        priority_label=priority_name,
        delivery_label=delivery_name,
        sla_target_label=sla_target_name,
    )
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, get_locale=get_locale, idempotency_key=lambda: str(uuid.uuid4())
    )


def _unauthorized() -> Response | tuple[str, int]:
    if request.path.startswith("/live/") or request.headers.get("X-Requested-With"):
        return "sign in first", 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _locale() -> str:
    """`?lang=ko|en` switches the language for the rest of the session, signed in or not (it
    outlives the sign-in, web/ui/auth.py, and gives way when the profile's language is saved);
    then the agent's profile, then the browser's languages, then Korean."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        if session.get(SESSION_LANGUAGE) != chosen:
            session[SESSION_LANGUAGE] = chosen
        return str(chosen)
    chosen = session.get(SESSION_LANGUAGE) or g.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    user: Agent | Any = current_user
    if getattr(user, "is_authenticated", False) and user.locale in LANGUAGES:
        return str(user.locale)
    return request.accept_languages.best_match(LANGUAGES) or "ko"


def _timezone() -> str:
    user: Agent | Any = current_user
    if getattr(user, "is_authenticated", False):
        return str(user.timezone or "Asia/Seoul")
    return "Asia/Seoul"
