"""The runtime a job runs in: set by the process that owns the runner, else built lazily.

An rq worker process builds its runtime from the environment on the first job; the embedded
runner shares the runtime of the process that started it (demo, web, tests).
"""

from __future__ import annotations

import threading

from switchboard.runtime import Runtime, build_runtime
from switchboard.settings import Settings

_runtime: Runtime | None = None
_lock = threading.Lock()


def set_runtime(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


def runtime() -> Runtime:
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = build_runtime(Settings.load())
        return _runtime
