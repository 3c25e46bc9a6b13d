"""WSGI entry point for gunicorn: `gunicorn web.wsgi:app` (what `switchboard web` runs)."""

import logging

from switchboard.logs import configure_logging
from switchboard.settings import Settings
from web import create_app

configure_logging(Settings.load().get("LOG_FORMAT", "text"), level=logging.INFO)

app = create_app()
