"""The provider emulator inside `switchboard demo`: mounted under PREFIX in the demo's own
server, its callbacks sent to the demo's /webhooks/phone, statuses sent right away."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from sandbox.twilio.app import DEFAULTS, create_app

PREFIX = "/sandbox/twilio"
SIMULATORS = (("Phone customer simulator", "/_emu/simulator"),)
ACCOUNT: dict[str, Any] = {
    "connector": "phone",
    "handle": DEFAULTS["NUMBER"],
    "external_id": DEFAULTS["NUMBER"],
    "credentials": {},
    "options": {},
}


def settings(base_url: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    return {
        "PHONE_ACCOUNT_SID": DEFAULTS["ACCOUNT_SID"],
        "PHONE_AUTH_TOKEN": DEFAULTS["AUTH_TOKEN"],
        "PHONE_API_URL": base + PREFIX,
    }


def fetch_allow(base_url: str) -> str:
    """FETCH_ALLOW_HOSTS entry for the voicemail recordings (and nothing else of the server)."""
    return urlsplit(base_url).netloc + PREFIX + "/2010-04-01/"


def mount(app: Any, base_url: str) -> DispatcherMiddleware:
    base = base_url.rstrip("/")
    emulator = create_app(
        {
            "SMS_URL": f"{base}/webhooks/phone",
            "VOICE_URL": f"{base}/webhooks/phone/voice",
            "PUBLIC_URL": base + PREFIX,
            "AUTO_CALLBACKS": True,
        }
    )
    return DispatcherMiddleware(app, {PREFIX: emulator})
