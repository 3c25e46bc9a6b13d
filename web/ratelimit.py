"""Request rates on the public doors: chat sessions and messages, sign-in, webhooks.

Flask-Limiter counts in Redis in production (one count for every web process, under the
deployment's REDIS_PREFIX) and in memory in the demo. If Redis is unreachable the counts fall
back to process memory rather than failing requests: a limit is a brake, not a dependency.

Keys: a chat session's messages are counted per session (a new token for the same session
does not reset the count), new sessions per client address, sign-ins per address (the
per-account failure throttle is inbox/logins.py), refused webhooks (forgeries) per address.
Addresses come from `client_ip()`, so set TRUSTED_PROXIES behind a proxy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, flash, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from switchboard.metrics import RATE_LIMITED
from switchboard.settings import Settings
from web.api.errors import problem_response
from web.chat.context import ChatError, _chat_error, bearer_token, read_claims, widget
from web.security import client_ip

CHAT_MESSAGE_ENDPOINTS = ("chat.send_message", "chat.send_attachment", "chat.leave_message")


def install_rate_limits(app: Flask, settings: Settings) -> Limiter:
    """Call after the blueprints are registered: limits wrap their view functions."""
    limiter = Limiter(
        key_func=client_ip,
        storage_uri=settings.redis_url or "memory://",
        # Redis keys: <REDIS_PREFIX>limits:LIMITER/<key>/<endpoint>/<rate>
        storage_options={"key_prefix": f"{settings.redis_prefix}limits"}
        if settings.redis_url
        else {},
        strategy="moving-window",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    # Registered before the limiter's own after_request hook, so it runs after it (Flask
    # runs them in reverse): see _retry_after_at_least_one.
    app.after_request(_retry_after_at_least_one)
    limiter.init_app(app)
    chat_sessions = settings.get("RATE_LIMIT_CHAT_SESSIONS")
    if chat_sessions:
        _wrap(app, "chat.start_session", limiter.limit(chat_sessions, methods=["POST"]))
    chat_messages = settings.get("RATE_LIMIT_CHAT_MESSAGES")
    if chat_messages:
        shared = limiter.shared_limit(chat_messages, scope="chat-messages", key_func=_chat_session)
        for endpoint in CHAT_MESSAGE_ENDPOINTS:
            _wrap(app, endpoint, shared)
    typing = settings.get("RATE_LIMIT_CHAT_TYPING")
    if typing:  # each ping is a bus event every agent's live view receives
        _wrap(app, "chat.typing", limiter.limit(typing, key_func=_chat_session))
    login = settings.get("RATE_LIMIT_LOGIN")
    if login:
        _wrap(app, "auth.login", limiter.limit(login, methods=["POST"]))
    webhooks = settings.get("RATE_LIMIT_WEBHOOKS")
    if webhooks and "webhooks" in app.blueprints:
        # Only refused requests (bad signature, wrong verify token) count. A signed delivery
        # is never checked: no Redis round trip on the acknowledgement path, and forgeries
        # from an address a platform shares (a NAT, a misconfigured proxy) cannot shut the
        # platform out. Past the limit, forgeries get 429 instead of 403.
        _wrap(
            app,
            "webhooks.handshake",
            limiter.limit(webhooks, per_method=True, deduct_when=_refused),
        )
        app.extensions["webhook_refusals"] = RefusalLimit(limiter, webhooks)
    app.register_error_handler(RateLimitExceeded, _too_many(limiter))
    return limiter


def _retry_after_at_least_one(response: Response) -> Response:
    """Flask-Limiter rewrites our Retry-After from its window's reset time, truncated to whole
    seconds, so a refusal in a window's last second said "Retry-After: 0": retry at once, into
    the same refusal. A refused client waits at least a second."""
    if response.status_code == 429:
        value = response.headers.get("Retry-After", "")
        if value.lstrip("-").isdigit() and int(value) < 1:
            response.headers["Retry-After"] = "1"
    return response


class RefusalLimit:
    """Counts refused webhook POSTs per address in the limiter's storage (web/webhooks.py)."""

    def __init__(self, limiter: Limiter, spec: str) -> None:
        self.limiter = limiter
        self.items = parse_many(spec)

    def over(self) -> int | None:
        """Count one refusal from this address; the seconds to wait if it is over the limit."""
        key = client_ip()
        try:
            for item in self.items:
                if not self.limiter.limiter.hit(item, "webhook-refusals", key):
                    stats = self.limiter.limiter.get_window_stats(item, "webhook-refusals", key)
                    RATE_LIMITED.labels(request.endpoint or "?").inc()
                    return max(1, int(stats.reset_time - time.time()))
        except Exception:  # storage unreachable: a limit is a brake, not a dependency
            return None
        return None


def refused_webhook_limit() -> RefusalLimit | None:
    from flask import current_app

    found = current_app.extensions.get("webhook_refusals")
    return found if isinstance(found, RefusalLimit) else None


def _wrap(app: Flask, endpoint: str, limit: Callable[[Any], Any]) -> None:
    if endpoint in app.view_functions:
        app.view_functions[endpoint] = limit(app.view_functions[endpoint])


def _refused(response: Response) -> bool:
    return response.status_code in (401, 403)


def _chat_session() -> str:
    """The visitor's chat session (from the signed token), else the address."""
    token = bearer_token()
    widget_id = (request.view_args or {}).get("widget_id")
    if token and isinstance(widget_id, str):
        claims = read_claims(token, widget(widget_id))
        if claims is not None:
            return f"chat-session:{widget_id}:{claims.session_id}"
    return f"chat-ip:{client_ip()}"


def _too_many(limiter: Limiter) -> Callable[[RateLimitExceeded], Response | tuple[Any, int]]:
    def handle(exc: RateLimitExceeded) -> Response | tuple[Any, int]:
        RATE_LIMITED.labels(request.endpoint or "?").inc()
        current = limiter.current_limit
        wait = max(1, int(current.reset_at - time.time())) if current is not None else 60
        if request.blueprint == "chat":
            return _chat_error(ChatError(429, "rate_limited", retry_after=wait))
        if request.endpoint == "auth.login":
            from flask_babel import gettext as _

            flash(_("Too many sign-in attempts. Wait a minute and try again."), "error")
            body = render_template("ui/login.html", email=request.form.get("email", ""))
            return Response(body, status=429, headers={"Retry-After": str(wait)})
        response = problem_response(
            429, "Too Many Requests", f"rate limit {exc.description}; retry in {wait} s"
        )
        response.headers["Retry-After"] = str(wait)
        return response

    return handle
