"""WSGI entry point for gunicorn: `gunicorn web.wsgi:app` (what `switchboard web` runs).

Each gunicorn process imports this after its fork, so the objects made here are that
process's own. `gc.freeze()` moves them (the app, every imported module, ~100k objects)
out of the collector's reach: a full collection then walks only what requests left behind
instead of the whole process, ~100 ms of CPU that stalled every request of the process at
the time (issue 12, webhook acknowledgement p99; BENCHMARKS.md "Webhook acknowledgement:
where the tail came from").
"""

import gc
import logging

from switchboard.logs import configure_logging
from switchboard.settings import Settings
from web import create_app

configure_logging(Settings.load().get("LOG_FORMAT", "text"), level=logging.INFO)

app = create_app()

gc.collect()  # garbage of the start-up is not kept for ever
gc.freeze()
