"""The X API v2 emulator: `create_app()` serves `/2/...` like api.x.com, plus `/_emu/...`.

Faithful where the connector depends on it: response shapes (data / includes / meta / errors),
default fields vs requested fields, since_id / until_id / pagination tokens, auth modes
(OAuth 1.0a signatures are verified against the URL actually called; app-only bearer tokens
cannot write or read DMs), per-endpoint 15-minute rate-limit windows with X's header names,
problem JSON for 4xx, and scripted 429/5xx. Never used by production code paths.
"""

from __future__ import annotations

from flask import Flask

from sandbox.x import control, dms, media, moderation, oauth, tweets
from sandbox.x.gate import finish, log_request
from sandbox.x.wire import Problem
from sandbox.x.world import World


def create_app(world: World | None = None) -> Flask:
    """Build the emulator around `world` (a fresh seeded one by default)."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["x_world"] = world or World()
    app.before_request(log_request)
    app.after_request(finish)
    app.register_error_handler(Problem, lambda exc: exc.response())
    tweets.register(app)
    dms.register(app)
    media.register(app)
    moderation.register(app)
    control.register(app)
    oauth.register(app)  # OAuth 2.0 PKCE and OAuth 1.0a consent pages and token endpoints
    return app
