"""The runtime of the app serving this request: how web code reaches db, jobs, bus and vault.

A module of its own, importing only Flask and switchboard.runtime, so every web module can
import it at the top: `web/__init__.py` imports the blueprints, and an accessor defined there
could only be imported inside functions, to dodge that cycle. Each app keeps its own runtime
(tests run several apps in one process); background jobs use workers.context instead.
"""

from __future__ import annotations

from flask import current_app

from switchboard.runtime import Runtime


def current_runtime() -> Runtime:
    runtime = current_app.extensions["switchboard"]
    assert isinstance(runtime, Runtime)
    return runtime
