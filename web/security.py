"""The web tier's hardening: response headers, proxy awareness, cookies and body limits.

docs/security.md explains the threat model and which of these an operator must set.
"""

from __future__ import annotations

import ipaddress

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from switchboard.settings import Settings

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def install_security(app: Flask, settings: Settings) -> None:
    install_security_headers(app)
    _trust_proxies(app, settings.int("TRUSTED_PROXIES"))
    secure = cookies_secure(settings)
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        # Every request body is refused above this before it is read (Werkzeug checks the
        # Content-Length, and a chunked body is cut off at the limit).
        MAX_CONTENT_LENGTH=settings.int("ATTACHMENT_MAX_BYTES") + 1024 * 1024,
    )
    webhook_limit = settings.int("WEBHOOK_MAX_BYTES")

    @app.before_request
    def _webhook_body_limit() -> None:
        # Webhook bodies are read before their signature can be checked: keep them small.
        if request.blueprint == "webhooks" and request.method == "POST":
            if request.content_length is not None and request.content_length > webhook_limit:
                raise RequestEntityTooLarge()
            request.max_content_length = webhook_limit


# On every response (the lean webhook path, web/ack_path.py, sends them too).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name, value)
        return response


def cookies_secure(settings: Settings) -> bool:
    """SESSION_COOKIE_SECURE: 1/0, or empty for "when PUBLIC_BASE_URL is https"."""
    value = settings.get("SESSION_COOKIE_SECURE").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return settings.get("PUBLIC_BASE_URL").lower().startswith("https://")


def _trust_proxies(app: Flask, count: int) -> None:
    """Believe X-Forwarded-For/-Proto/-Host from exactly `count` proxies in front of us.

    0 (the default) ignores the headers: anyone can send them, so trusting them without a
    proxy would let a client pick its own address (and dodge every per-address limit).
    """
    if count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def client_ip() -> str:
    """The client's address: the socket peer, or what the trusted proxies say it is."""
    return request.remote_addr or "?"


def socket_peer_is_loopback() -> bool:
    """The TCP peer itself (never a forwarded header) is this machine, and nothing forwarded
    the request: a local scraper, not a proxy relaying someone else."""
    environ = request.environ
    original = environ.get("werkzeug.proxy_fix.orig", {})
    peer = original.get("REMOTE_ADDR", environ.get("REMOTE_ADDR", ""))
    if "HTTP_X_FORWARDED_FOR" in environ or "HTTP_FORWARDED" in environ:
        return False
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False
