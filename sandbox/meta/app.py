"""The Meta Graph API emulator as a Flask app: `create_app(config)`.

Used by tests (served on loopback with tests/support/servers.py) and by `switchboard demo`.
Config keys (all optional): APP_SECRET, APP_ID, VERIFY_TOKEN, WEBHOOK_URL, PAGE_ID, PAGE_NAME,
PAGE_TOKEN, IG_USER_ID, IG_USERNAME, REQUIRE_APPSECRET_PROOF, DELIVERY_RECEIPTS, ECHO_MODE
(now | hold | none), CONTAINER_CHECKS (status checks before an IG container is FINISHED),
MAX_HASHTAGS, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAY, PUBLIC_URL, SEED,
DELETION_CALLBACK_URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from sandbox.meta import control, graph, oauth, whatsapp
from sandbox.meta import deletion as data_deletion
from sandbox.meta.webhooks import Deliverer
from sandbox.meta.world import World

DEFAULTS: dict[str, Any] = {
    "APP_SECRET": "sandbox-app-secret",
    "APP_ID": "880011223344556",
    "VERIFY_TOKEN": "sandbox-verify-token",
    "WEBHOOK_URL": "",
    "PAGE_ID": "104857600012345",
    "PAGE_NAME": "서울서플 고객센터",
    "PAGE_TOKEN": "sandbox-page-token",
    "IG_USER_ID": "17841400000012345",
    "IG_USERNAME": "seoul_supps_official",
    "REQUIRE_APPSECRET_PROOF": False,
    "DELIVERY_RECEIPTS": True,
    "ECHO_MODE": "now",
    "CONTAINER_CHECKS": 1,
    "MAX_HASHTAGS": 30,
    "WEBHOOK_MAX_ATTEMPTS": 3,
    "WEBHOOK_RETRY_DELAY": 0.2,
    "PUBLIC_URL": "",
    "SEED": True,
    "DELETION_CALLBACK_URL": "",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a fresh emulator; its state lives in app.extensions["meta_sandbox"]."""
    settings = {**DEFAULTS, **dict(config or {})}
    app = Flask(__name__)
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["meta_sandbox"] = World(settings)
    app.extensions["meta_sandbox_webhooks"] = Deliverer(settings)
    app.register_blueprint(data_deletion.bp)  # a user removes the app: the deletion callback
    app.register_blueprint(control.bp)
    app.register_blueprint(graph.bp)
    whatsapp.install(app, settings)
    app.register_blueprint(oauth.bp)  # login dialog, tokens, /me/accounts, subscribed_apps
    return app
