"""The registry: one line per channel, keyed by the channel's slug.

The slug is the folder name, the URL segment (/webhooks/<slug>), the fixture folder and the
`channel` column of a channel account. Nothing is registered anywhere else.

The `fake` test connector is not in REGISTRY: it exists only when SWITCHBOARD_FAKE_CONNECTOR
says so (`1` in tests and benchmarks; `demo` for the demo's sample history, which receives
nothing), so a production deployment can never be fed signed test deliveries.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from connectors.base import Connector


class _Registry(Mapping[str, type[Connector]]):
    """Slug → connector class, each module imported the first time its class is asked for.

    A process needs the connectors it uses: `switchboard poll` of a mailbox need not import
    the Graph and X clients (X's URL grammar alone took a few hundred milliseconds of every
    start-up); the web and worker processes import each one at its first delivery or job.
    """

    def __init__(self, paths: Mapping[str, str]) -> None:
        self._paths = dict(paths)

    def __getitem__(self, slug: str) -> type[Connector]:
        module, _, name = self._paths[slug].partition(":")
        found: type[Connector] = getattr(importlib.import_module(module), name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def with_extra(self, slug: str, path: str) -> _Registry:
        return _Registry({**self._paths, slug: path})


REGISTRY = _Registry(
    {
        "email": "connectors.email:EmailConnector",
        "facebook": "connectors.facebook:FacebookConnector",
        "instagram": "connectors.instagram:InstagramConnector",
        "webchat": "connectors.webchat:WebchatConnector",
        "x": "connectors.x:XConnector",
    }
)

# Webhook endpoints served by another slug's connector (/webhooks/<endpoint>). An endpoint not
# listed here is the slug itself.
WEBHOOK_ENDPOINTS: dict[str, str] = {
    "meta": "facebook",  # object=page and object=instagram; events carry their channel
}

# The channels a customer can reach us on; the fake connector stands in for any of them.
CHANNEL_SLUGS: tuple[str, ...] = ("facebook", "instagram", "x", "email", "webchat")


FAKE_SWITCH = "SWITCHBOARD_FAKE_CONNECTOR"


def registered(settings: Mapping[str, str]) -> Mapping[str, type[Connector]]:
    """REGISTRY, plus the fake connector where SWITCHBOARD_FAKE_CONNECTOR enables it."""
    mode = settings.get(FAKE_SWITCH, "")
    if mode not in ("1", "demo"):
        return REGISTRY
    fake = "FakeConnector" if mode == "1" else "DemoHistoryConnector"
    return REGISTRY.with_extra("fake", f"connectors.fake:{fake}")


def connector_for(slug: str, settings: Mapping[str, str]) -> Connector:
    """Build the connector registered under `slug`; KeyError names the unknown slug."""
    try:
        factory = registered(settings)[slug]
    except KeyError:
        raise KeyError(f"no connector registered for {slug!r}") from None
    return factory(settings)  # type: ignore[call-arg]
