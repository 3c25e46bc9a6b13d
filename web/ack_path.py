"""The webhook acknowledgement's lean path: a signed delivery is answered without Flask.

Through Flask, each acknowledgement paid for a request context, the session, URL routing and
every app-wide hook (CSRF, Flask-Limiter, the body limit, the security headers): in the
profile of issue 12 about half of the web process's CPU per acknowledgement, none of it
needed by a platform's signed POST — and CPU time is what the ack's tail waits for on a busy
machine. This middleware, innermost in the WSGI stack (ProxyFix, when configured, still
runs first), answers `POST /webhooks/<endpoint>` itself when the delivery goes through;
everything else goes to the Flask app unchanged, with the body it read put back: other
paths and methods, the voice callback, a chunked body or one without Content-Length, an empty one
or one over WEBHOOK_MAX_BYTES (unread), an unknown channel, a bad signature. Flask answers
those exactly as before (404, 413, 403/429, their metrics and the refusal rate limit).

The guarantees are the same code as Flask's view (web/webhooks.py `accept`): the
connector's constant-time signature check, the row committed before the 200, the same
stored headers, the same metrics. An exception while storing is raised to gunicorn, which
answers 500 (Flask's error page said the same); the platform redelivers.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request

from switchboard.runtime import Runtime
from web.security import SECURITY_HEADERS
from web.webhooks import accept

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_PATH = re.compile(r"/webhooks/([A-Za-z0-9_-]+)")
_OK = b"ok"
_HEADERS = [
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Length", str(len(_OK))),
    *SECURITY_HEADERS,
]


class LeanWebhooks:
    def __init__(self, app: WSGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self.limit = runtime.settings.int("WEBHOOK_MAX_BYTES")

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        found = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if (
            found is None
            or environ.get("REQUEST_METHOD") != "POST"
            or "HTTP_TRANSFER_ENCODING" in environ  # it overrides any Content-Length
        ):
            return self.app(environ, start_response)
        try:
            size = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:  # chunked or missing: Flask reads it within the limit
            return self.app(environ, start_response)
        if not 0 < size <= self.limit:  # Flask answers 413 without reading it
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(size)
        environ["wsgi.input"] = io.BytesIO(body)  # for Flask, if it has to answer
        if len(body) != size or not accept(
            self.runtime, found.group(1), Request(environ), body, started
        ):
            return self.app(environ, start_response)
        start_response("200 OK", list(_HEADERS))
        return [_OK]


def install_lean_webhooks(app: Any, runtime: Runtime) -> None:
    """Call before anything wraps `app.wsgi_app` (ProxyFix must see the request first)."""
    app.wsgi_app = LeanWebhooks(app.wsgi_app, runtime)
