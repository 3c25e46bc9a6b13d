"""The registry: one line per channel, keyed by the channel's slug.

The slug is the folder name, the URL segment (/webhooks/<slug>), the fixture folder and the
`channel` column of a channel account. Each channel is declared once, in
connectors/<slug>/channel.py (a `Channel`, see connectors/base.py); everything else — admin
forms, display names, badge colours, templates, OpenAPI, the settings allow-list, announcement
checks — reads it from here. A declaration names its connector class by module path, and
the class is imported when a connector is first built or asked about (issue 12: a mail poll
loaded requests, tweepy, oauthlib and twilio for nothing). So `check_all` — every declaration
against its connector's Protocols — runs where every connector is loaded anyway: the test
suite (tests/connectors/test_contract.py), `switchboard check` and the web app's start-up
(web/__init__.py), so a connector that claims a capability it does not implement (or the
reverse) fails CI and never serves.

The `fake` test connector is not in CHANNELS: it exists only when SWITCHBOARD_FAKE_CONNECTOR
says so (`1` in tests and benchmarks; `demo` for the demo's sample history, which receives
nothing), so a production deployment can never be fed signed test deliveries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from connectors.base import (
    OPTIONAL_BEHAVIOUR,
    Capability,
    Channel,
    Connector,
    ConversationKind,
    protocol_members,
)
from connectors.email.channel import CHANNEL as EMAIL
from connectors.facebook.channel import CHANNEL as FACEBOOK
from connectors.fake.channel import CHANNEL as FAKE
from connectors.fake.channel import DEMO_HISTORY
from connectors.instagram.channel import CHANNEL as INSTAGRAM
from connectors.phone.channel import CHANNEL as PHONE
from connectors.webchat.channel import CHANNEL as WEBCHAT
from connectors.whatsapp.channel import CHANNEL as WHATSAPP
from connectors.x.channel import CHANNEL as X


class RegistrationError(TypeError):
    """A channel declaration that does not match its connector."""


def check_declaration(channel: Channel) -> Channel:
    """Refuse a declaration whose connector lacks a declared capability's Protocol, has a
    Protocol's methods without declaring its capability, or is inconsistent otherwise."""
    cls = channel.connector_class
    problems: list[str] = []
    if getattr(cls, "slug", None) != channel.slug:
        problems.append(f"connector slug {getattr(cls, 'slug', None)!r} != {channel.slug!r}")
    caps = getattr(cls, "capabilities", None)
    if not isinstance(caps, frozenset) or not all(isinstance(c, Capability) for c in caps):
        problems.append("capabilities must be a frozenset of Capability")
        caps = frozenset()
    for capability, protocol in OPTIONAL_BEHAVIOUR.items():
        members = protocol_members(protocol)
        present = [m for m in members if getattr(cls, m, None) is not None]
        if capability in caps and len(present) != len(members):
            missing = sorted(set(members) - set(present))
            problems.append(f"declares {capability} but lacks {protocol.__name__}: {missing}")
        if capability not in caps and set(present) == set(members) and members:
            problems.append(f"implements {protocol.__name__} without declaring {capability}")
    if (channel.posts is not None) != (Capability.PUBLISH in caps):
        problems.append("post rules are declared exactly when the connector can publish")
    sends_files = any(channel.limits.attachments(kind) for kind in ConversationKind)
    if sends_files != (Capability.ATTACHMENTS in caps):
        problems.append("attachment limits are declared exactly when the connector sends files")
    if not {"en", "ko"} <= set(channel.names):
        problems.append("display names need en and ko")
    if not channel.settings.prefixes:
        problems.append("no settings prefixes declared")
    if problems:
        raise RegistrationError(f"channel {channel.slug!r}: " + "; ".join(problems))
    return channel


def register(*channels: Channel) -> dict[str, Channel]:
    """Key each declaration by slug, in the order given (the admin page's); see check_all."""
    found: dict[str, Channel] = {}
    for channel in channels:
        if channel.slug in found:
            raise RegistrationError(f"channel {channel.slug!r} registered twice")
        found[channel.slug] = channel
    return found


CHANNELS: dict[str, Channel] = register(FACEBOOK, INSTAGRAM, X, EMAIL, WEBCHAT, WHATSAPP, PHONE)


def check_all() -> int:
    """Check every declaration, the fake ones too, importing every connector; the count."""
    checked = [*CHANNELS.values(), FAKE, DEMO_HISTORY]
    for declared in checked:
        check_declaration(declared)
    return len(checked)


def webhook_routes(channels: Mapping[str, Channel]) -> dict[str, dict[str, str]]:
    """Shared webhook endpoints: endpoint -> {body `object` -> slug}, from the declarations."""
    routes: dict[str, dict[str, str]] = {}
    for slug, declared in channels.items():
        shared = declared.shared_webhook
        if shared is None:
            continue
        if shared.endpoint in channels:
            raise RegistrationError(f"channel {slug!r}: endpoint {shared.endpoint!r} is a slug")
        claims = routes.setdefault(shared.endpoint, {})
        if shared.object in claims:
            raise RegistrationError(
                f"channels {claims[shared.object]!r} and {slug!r} both claim {shared.object!r}"
            )
        claims[shared.object] = slug
    return routes


WEBHOOK_ROUTES: dict[str, dict[str, str]] = webhook_routes(CHANNELS)

# The connector that answers a shared endpoint's handshake and keeps a delivery whose object
# nobody claims (it is recorded as rejected, naming the object): its first claimant.
WEBHOOK_ENDPOINTS: dict[str, str] = {
    endpoint: next(iter(claims.values())) for endpoint, claims in WEBHOOK_ROUTES.items()
}


def webhook_slug(endpoint: str, body: bytes = b"") -> str:
    """The channel a delivery posted to /webhooks/<endpoint> belongs to.

    A channel's own endpoint is its slug; on a shared endpoint the body's top-level `object`
    picks the claimant. An unreadable body goes to the endpoint's first claimant, whose parser
    records why it was refused: it is stored either way.
    """
    claims = WEBHOOK_ROUTES.get(endpoint)
    if claims is None:
        return endpoint
    try:
        found = json.loads(body).get("object")
    except (ValueError, AttributeError):
        found = None
    return claims.get(found if isinstance(found, str) else "", WEBHOOK_ENDPOINTS[endpoint])


def object_channel(body_object: str) -> str | None:
    """The channel that claims webhook `object` on a shared endpoint (events name it)."""
    for claims in WEBHOOK_ROUTES.values():
        if body_object in claims:
            return claims[body_object]
    return None


# The channels a customer can reach us on; the fake connector stands in for any of them.
CHANNEL_SLUGS: tuple[str, ...] = tuple(CHANNELS)


FAKE_SWITCH = "SWITCHBOARD_FAKE_CONNECTOR"


def declarations(settings: Mapping[str, str] | None = None) -> dict[str, Channel]:
    """CHANNELS, plus the fake channel where SWITCHBOARD_FAKE_CONNECTOR enables it."""
    mode = (settings or {}).get(FAKE_SWITCH, "")
    if mode not in ("1", "demo"):
        return dict(CHANNELS)
    return {**CHANNELS, "fake": FAKE if mode == "1" else DEMO_HISTORY}


def registered(settings: Mapping[str, str]) -> tuple[str, ...]:
    """CHANNEL_SLUGS, plus "fake" where SWITCHBOARD_FAKE_CONNECTOR enables it."""
    return tuple(declarations(settings))


def channel(slug: str | None) -> Channel | None:
    """The declaration of `slug` (the fake one too: its accounts show like any other)."""
    if slug == "fake":
        return FAKE
    return CHANNELS.get(slug or "")


def connector_for(slug: str, settings: Mapping[str, str]) -> Connector:
    """Build the connector registered under `slug`; KeyError names the unknown slug."""
    try:
        declared = declarations(settings)[slug]
    except KeyError:
        raise KeyError(f"no connector registered for {slug!r}") from None
    factory: type[Connector] = declared.connector_class
    return factory(settings)  # type: ignore[call-arg]


P = TypeVar("P")


def behaviour(connector: Any, protocol: type[P]) -> P | None:
    """`connector` as `protocol` when it declares the matching capability, else None.

    Registration proved that the capability and the Protocol go together, so this is the one
    question callers ask about optional behaviour (no getattr probing).
    """
    for capability, candidate in OPTIONAL_BEHAVIOUR.items():
        if candidate is protocol:
            return cast(P, connector) if capability in connector.capabilities else None
    raise KeyError(f"{protocol!r} is not an optional behaviour")


def with_capability(capability: Capability) -> tuple[str, ...]:
    """Slugs of the registered channels whose connector has `capability`."""
    return tuple(slug for slug, c in CHANNELS.items() if capability in c.capabilities)


def settings_prefixes() -> tuple[str, ...]:
    """Environment prefixes the channels read (META_, X_, IMAP_...), fake's included."""
    return tuple(sorted({p for c in (*CHANNELS.values(), FAKE) for p in c.settings.prefixes}))


def settings_defaults() -> dict[str, str]:
    """The channels' setting defaults, merged (a shared one, like META_*, must agree)."""
    merged: dict[str, str] = {}
    for c in (*CHANNELS.values(), FAKE):
        for name, value in c.settings.defaults.items():
            if merged.setdefault(name, value) != value:
                raise RegistrationError(f"channels disagree on the default of {name}")
    return merged
