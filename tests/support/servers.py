"""Run WSGI apps (our web app, the sandbox emulators) on free loopback ports inside tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_wsgi(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 in a thread; yield its base URL (no trailing slash)."""
    server = make_server("127.0.0.1", port or 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()  # or the port stays bound and a later server may share it
        thread.join(timeout=5)
