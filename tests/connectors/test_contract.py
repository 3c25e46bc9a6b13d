"""Every registered connector honours the contract in connectors/base.py.

Parametrised over the registry, so a new connector is checked the moment it is registered.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors import CHANNEL_SLUGS, WEBHOOK_ENDPOINTS, connector_for, registered
from connectors.base import (
    AccountConfig,
    Capability,
    Connector,
    ConversationKind,
    InvalidSignature,
    PollingConnector,
    ReplyWindow,
)

REGISTRY = registered({"SWITCHBOARD_FAKE_CONNECTOR": "1"})  # the fake one too
SLUGS = sorted(REGISTRY)
FIXTURES = Path(__file__).parent


def build(slug: str) -> Connector:
    return connector_for(
        slug,
        {
            "META_APP_SECRET": "s",
            "META_VERIFY_TOKEN": "v",
            "X_CONSUMER_SECRET": "s",
            "FAKE_WEBHOOK_SECRET": "fake-secret",
            "SWITCHBOARD_FAKE_CONNECTOR": "1",
        },
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_registered_under_its_own_slug(slug):
    cls = REGISTRY[slug]
    assert cls.slug == slug
    assert slug == "fake" or slug in CHANNEL_SLUGS
    assert Path(inspect.getfile(cls)).parent.name == slug  # connectors/<slug>/


@pytest.mark.parametrize("slug", SLUGS)
def test_implements_the_protocol_and_its_capabilities(slug):
    connector = build(slug)
    assert isinstance(connector, Connector)
    assert isinstance(connector.capabilities, frozenset)
    assert all(isinstance(c, Capability) for c in connector.capabilities)
    if Capability.POLLING in connector.capabilities:
        assert isinstance(connector, PollingConnector) and connector.streams
    if Capability.PUBLISH in connector.capabilities:
        assert callable(getattr(connector, "publish", None))
    if Capability.COMMENT_MODERATION in connector.capabilities:
        assert callable(getattr(connector, "moderate", None))
    if Capability.LENGTH_LIMIT in connector.capabilities:
        assert callable(getattr(connector, "validate_text", None))


@pytest.mark.parametrize("slug", SLUGS)
def test_unsigned_webhook_delivery_is_refused(slug):
    connector = build(slug)
    if Capability.WEBHOOK not in connector.capabilities:
        pytest.skip(f"{slug} receives nothing by webhook")
    with pytest.raises(InvalidSignature):
        connector.verify({}, b'{"object": "page", "entry": []}')


@pytest.mark.parametrize("slug", SLUGS)
def test_reply_window_answers_for_every_kind(slug):
    connector = build(slug)
    account = AccountConfig(id=1, external_id="acct")
    now = datetime.now(UTC)
    for kind in ConversationKind:
        for last in (None, now - timedelta(minutes=5)):
            window = connector.reply_window(account, kind, last, now)
            assert isinstance(window, ReplyWindow)
            assert window.open or window.reason


def test_webhook_endpoints_point_at_registered_connectors():
    for endpoint, slug in WEBHOOK_ENDPOINTS.items():
        assert slug in REGISTRY, endpoint
        assert Capability.WEBHOOK in build(slug).capabilities


@pytest.mark.parametrize("slug", [s for s in SLUGS if s != "fake"])
def test_each_channel_ships_fixtures_and_a_readme(slug):
    assert any((FIXTURES / slug / "fixtures").glob("*")), (
        f"tests/connectors/{slug}/fixtures is empty"
    )
    assert (Path(inspect.getfile(REGISTRY[slug])).parent / "README.md").is_file()
