"""/channels.css: each channel's badge colours, generated from its declaration.

The strict CSP allows stylesheets from our origin only (no inline styles), so the colours a
channel declares (connectors/<slug>/channel.py, `Badge`) are served as a stylesheet rather than
written into pages; a new channel gets its badge without touching app.css.
"""

from __future__ import annotations

import hashlib
from functools import cache

from flask import Response, request

from connectors import CHANNELS, channel

MAX_AGE = 3600


@cache
def stylesheet() -> str:
    rules = []
    for slug in (*CHANNELS, "fake"):
        declared = channel(slug)
        assert declared is not None
        badge = declared.badge
        brand = badge.brand or badge.text
        rules += [
            f".chan-{slug} {{ background: {badge.background}; color: {badge.text}; }}",
            f".ann-channel-{slug} {{ background: {brand}; }}",
            f".ann-preview-{slug} {{ border-left: 3px solid {brand}; }}",
        ]
    return "\n".join(rules) + "\n"


def channel_styles() -> Response:
    css = stylesheet()
    etag = hashlib.sha256(css.encode()).hexdigest()[:16]
    if request.if_none_match.contains(etag):
        return Response(status=304)
    response = Response(css, mimetype="text/css")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response
