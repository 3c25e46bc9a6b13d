"""Wire the Meta sandbox into `switchboard demo`: one process, one port.

The emulator is mounted under PREFIX inside the demo's WSGI app, the Meta settings point the
connectors at it, and it delivers its webhooks back to the demo's /webhooks/meta (WhatsApp's to
/webhooks/whatsapp). The customer simulators are then at `<base>/sandbox/meta/simulator` and
`<base>/sandbox/meta/whatsapp/simulator`.
"""

from __future__ import annotations

from typing import Any

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from sandbox.meta.app import DEFAULTS, create_app
from sandbox.meta.whatsapp import DEFAULTS as WA

PREFIX = "/sandbox/meta"

# Channel accounts the demo connects (admin "connect" would store the same values).
ACCOUNTS: dict[str, dict[str, Any]] = {
    "facebook": {
        "connector": "facebook",
        "external_id": DEFAULTS["PAGE_ID"],
        "credentials": {"page_token": DEFAULTS["PAGE_TOKEN"]},
        "options": {"human_agent_enabled": True},
    },
    "instagram": {
        "connector": "instagram",
        "external_id": DEFAULTS["IG_USER_ID"],
        "credentials": {"page_token": DEFAULTS["PAGE_TOKEN"]},
        "options": {"page_id": DEFAULTS["PAGE_ID"], "human_agent_enabled": True},
    },
    "whatsapp": {
        "connector": "whatsapp",
        "name": f"{WA['WA_VERIFIED_NAME']} (WhatsApp 샌드박스)",
        "external_id": WA["WA_PHONE_NUMBER_ID"],
        "credentials": {"access_token": WA["WA_TOKEN"]},
        "options": {"waba_id": WA["WA_WABA_ID"]},
    },
}


def settings(base_url: str) -> dict[str, str]:
    """The META_* settings that make the connectors talk to the mounted sandbox."""
    return {
        "META_GRAPH_URL": base_url.rstrip("/") + PREFIX,
        "META_LOGIN_URL": base_url.rstrip("/") + PREFIX,  # the login dialog: sandbox/meta/oauth.py
        "META_GRAPH_VERSION": "v23.0",
        "META_APP_SECRET": str(DEFAULTS["APP_SECRET"]),
        "META_VERIFY_TOKEN": str(DEFAULTS["VERIFY_TOKEN"]),
        "META_APP_ID": str(DEFAULTS["APP_ID"]),
    }


def mount(app: Any, base_url: str) -> DispatcherMiddleware:
    """Return `app` with the sandbox under PREFIX, delivering webhooks to `app`."""
    base = base_url.rstrip("/")
    sandbox = create_app(
        {
            "WEBHOOK_URL": f"{base}/webhooks/meta",
            "WHATSAPP_WEBHOOK_URL": f"{base}/webhooks/whatsapp",
            "PUBLIC_URL": base + PREFIX,
        }
    )
    return DispatcherMiddleware(app, {PREFIX: sandbox})
