"""A local HTTP receiver for outgoing webhooks: answers from a script, remembers every request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support.servers import serve_wsgi


@dataclass
class Receiver:
    """Answers `statuses` in order (then 200 for ever); `requests` holds (headers, body)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        with self._lock:
            self.requests.append((headers, body))
            status = self.statuses.pop(0) if self.statuses else 200
        start_response(f"{status} X", [("Content-Type", "text/plain")])
        return [b"ok" if status < 300 else b"try later"]


@contextmanager
def receiver(*statuses: int) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 answering `statuses` first; its `url` ends in /hook."""
    app = Receiver(statuses=list(statuses))
    with serve_wsgi(app) as base:
        app.url = f"{base}/hook"
        yield app
