"""The Flask application factory: one app serves the inbox UI, the REST API and webhooks."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from connectors import check_all
from switchboard.runtime import Runtime, build_runtime
from switchboard.settings import Settings
from web.ack_path import install_lean_webhooks
from web.announcements import register as register_announcements
from web.api import bp as api_bp
from web.chat import bp as chat_bp
from web.csat import bp as csat_bp
from web.health import bp as health_bp
from web.help import bp as help_bp
from web.privacy import bp as privacy_bp
from web.ratelimit import install_rate_limits
from web.runtime import current_runtime
from web.security import install_security
from web.streams import install_streams
from web.ui import init_ui
from web.webhooks import bp as webhooks_bp
from workers.context import set_runtime

# current_runtime lives in web/runtime.py (importable at the top of any web module); the name
# stays importable from here for code written before that module existed.
__all__ = ["create_app", "csrf", "current_runtime"]

csrf = CSRFProtect()


def create_app(runtime: Runtime | None = None, *, settings: Settings | None = None) -> Flask:
    # Every declaration against its connector: the web app serves every channel's webhooks
    # and admin forms, so it loads them all anyway (other processes import a connector on use).
    check_all()
    if runtime is None:
        runtime = build_runtime(settings or Settings.load())
    set_runtime(runtime)  # embedded jobs run in this process and share it
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=runtime.settings.get("SECRET_KEY"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    app.extensions["switchboard"] = runtime
    install_lean_webhooks(app, runtime)  # first: ProxyFix (install_security) wraps it
    csrf.init_app(app)
    install_security(app, runtime.settings)  # headers, proxies, cookies, body limits
    install_streams(app, runtime.settings)  # bounded pools for long-polls and SSE
    register_announcements(app)  # marketer pages (issue 9), public announcement images
    _register_blueprints(app)
    init_ui(app)  # agent UI: Flask-Login, Flask-Babel, inbox/admin/live blueprints
    install_rate_limits(app, runtime.settings)  # wraps the views registered above
    return app


def _register_blueprints(app: Flask) -> None:
    for blueprint in (health_bp, help_bp, webhooks_bp, api_bp, chat_bp, privacy_bp, csat_bp):
        app.register_blueprint(blueprint)
    # Machine clients authenticate by signature or Bearer token, never by cookie.
    csrf.exempt(webhooks_bp)
    csrf.exempt(api_bp)
    csrf.exempt(chat_bp)  # the widget runs on other sites: signed session token, no cookie
    csrf.exempt(privacy_bp)  # Meta's signed deletion callback; the status page is a GET
