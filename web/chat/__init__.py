"""The chat widget's API under /chat/ (docs/design.md §5), the demo host page, the widget's files.

The widget runs on the retailer's own site, so this blueprint is CSRF-exempt and cookie-free:
a visitor is identified by a signed session token (connectors/webchat/tokens.py) sent as
`Authorization: Bearer`, and each widget lists the sites allowed to embed it
(`options["allowed_origins"]`, answered with CORS headers).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("chat", __name__, url_prefix="/chat")

import web.chat.context  # noqa: E402  (registers the error handler and CORS on bp)
import web.chat.files  # noqa: E402  (registers the image route on bp)
import web.chat.views  # noqa: E402,F401  (registers the routes on bp)
