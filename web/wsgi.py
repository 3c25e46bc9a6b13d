"""WSGI entry point for gunicorn: `gunicorn web.wsgi:app` (what `switchboard web` runs)."""

from web import create_app

app = create_app()
