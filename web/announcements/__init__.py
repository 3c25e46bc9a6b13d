"""Announcement pages for marketers (compose, list, detail, live status) and the public
image route the platforms fetch announcement images from."""

from __future__ import annotations

from flask import Flask

from web.announcements.views import bp, media_bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(media_bp)


__all__ = ["bp", "media_bp", "register"]
