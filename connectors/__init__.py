"""The registry: one line per channel, keyed by the channel's slug.

The slug is the folder name, the URL segment (/webhooks/<slug>), the fixture folder and the
`channel` column of a channel account. Nothing is registered anywhere else.

The `fake` test connector is not in REGISTRY: it exists only when SWITCHBOARD_FAKE_CONNECTOR
says so (`1` in tests and benchmarks; `demo` for the demo's sample history, which receives
nothing), so a production deployment can never be fed signed test deliveries.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.base import Connector
from connectors.email import EmailConnector
from connectors.facebook import FacebookConnector
from connectors.instagram import InstagramConnector
from connectors.webchat import WebchatConnector
from connectors.whatsapp import WhatsAppConnector
from connectors.x import XConnector

REGISTRY: dict[str, type[Connector]] = {
    "email": EmailConnector,
    "facebook": FacebookConnector,
    "instagram": InstagramConnector,
    "webchat": WebchatConnector,
    "whatsapp": WhatsAppConnector,
    "x": XConnector,
}

# Webhook endpoints served by another slug's connector (/webhooks/<endpoint>). An endpoint not
# listed here is the slug itself.
WEBHOOK_ENDPOINTS: dict[str, str] = {
    "meta": "facebook",  # object=page and object=instagram; events carry their channel
}

# The channels a customer can reach us on; the fake connector stands in for any of them.
CHANNEL_SLUGS: tuple[str, ...] = ("facebook", "instagram", "x", "email", "webchat", "whatsapp")


FAKE_SWITCH = "SWITCHBOARD_FAKE_CONNECTOR"


def registered(settings: Mapping[str, str]) -> dict[str, type[Connector]]:
    """REGISTRY, plus the fake connector where SWITCHBOARD_FAKE_CONNECTOR enables it."""
    mode = settings.get(FAKE_SWITCH, "")
    if mode not in ("1", "demo"):
        return dict(REGISTRY)
    from connectors.fake import DemoHistoryConnector, FakeConnector

    fake = FakeConnector if mode == "1" else DemoHistoryConnector
    return {**REGISTRY, "fake": fake}


def connector_for(slug: str, settings: Mapping[str, str]) -> Connector:
    """Build the connector registered under `slug`; KeyError names the unknown slug."""
    try:
        factory = registered(settings)[slug]
    except KeyError:
        raise KeyError(f"no connector registered for {slug!r}") from None
    return factory(settings)  # type: ignore[call-arg]
