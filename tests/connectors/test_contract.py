"""Every registered connector honours the contract in connectors/base.py.

Parametrised over the registry, so a new connector is checked the moment it is registered:
its channel declaration must be complete, and its optional behaviour must match its
capabilities (`check_all` refuses a mismatch — here, in `switchboard check` and at the web
app's start-up, since other processes import a connector only when they use it; the last tests
prove it does).
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors import (
    CHANNEL_SLUGS,
    CHANNELS,
    WEBHOOK_ENDPOINTS,
    WEBHOOK_ROUTES,
    RegistrationError,
    behaviour,
    channel,
    check_all,
    check_declaration,
    connector_for,
    declarations,
)
from connectors.base import (
    OPTIONAL_BEHAVIOUR,
    AccountConfig,
    Capability,
    Channel,
    ChannelSettings,
    Connector,
    ConversationKind,
    InvalidSignature,
    PollingConnector,
    ReplyWindow,
    TextLimit,
    protocol_members,
)

# Connector classes by slug, the fake one too (importing each: the declarations name them).
REGISTRY = {
    slug: declared.connector_class
    for slug, declared in declarations({"SWITCHBOARD_FAKE_CONNECTOR": "1"}).items()
}
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
        assert connector.streams_for(AccountConfig(id=1, external_id="acct"))
    for capability, protocol in OPTIONAL_BEHAVIOUR.items():
        found = behaviour(connector, protocol)
        if capability in connector.capabilities:
            assert found is connector
            methods = [m for m in protocol_members(protocol) if m != "streams"]
            assert all(callable(getattr(connector, m)) for m in methods)
        else:
            assert found is None


@pytest.mark.parametrize("slug", CHANNEL_SLUGS)
def test_declares_every_part_of_its_channel(slug):
    declared = CHANNELS[slug]
    assert declared.slug == slug and declared.connector_class is REGISTRY[slug]
    assert declared.names["en"].strip() and declared.names["ko"].strip()
    assert declared.badge.text and declared.badge.background
    assert declared.settings.prefixes, "the settings the connector reads"
    assert all(p.endswith("_") and p.isupper() for p in declared.settings.prefixes)
    form = declared.account
    assert form is not None, "how an admin connects an account"
    assert form.external_id_label.en.strip() and form.external_id_label.ko.strip()
    fields = (*form.credentials, *form.options)
    keys = [f.key for f in fields]
    assert len(keys) == len(set(keys)), "field keys are unique"
    # Words for admins in both UI languages, so no catalogue edit is needed for a new channel.
    words = [f.label for f in fields] + [f.help for f in fields if f.help is not None]
    assert all(w.en.strip() and w.ko.strip() for w in words)
    assert all(f.choices for f in fields if f.kind == "choice")
    for keys_of_set in form.credential_sets:
        assert set(keys_of_set) <= {f.key for f in form.credentials}
    # Limits: a length function, and a composer limit (or none) for every kind of thread.
    assert isinstance(declared.limits.text_length("안녕 hello"), int)
    for kind in ConversationKind:
        limit = declared.limits.reply(kind)
        assert limit is None or (isinstance(limit, TextLimit) and limit.maximum > 0)
    # Post rules exactly when the connector publishes announcements.
    publishes = Capability.PUBLISH in declared.capabilities
    assert (declared.posts is not None) == publishes
    if declared.posts is not None:
        rules = declared.posts
        assert rules.label and rules.max_chars > 0 and rules.max_images >= 0
        assert rules.image_types and rules.max_image_bytes > 0
        assert isinstance(rules.text_length("abc"), int)
        assert list(rules.text_checks("abc", {})) == []
    # How to check a connection: channels with credentials can be tested.
    if form.credentials:
        assert Capability.CHECK_CONNECTION in declared.capabilities


def test_channel_slugs_come_from_the_registry():
    assert tuple(CHANNELS) == CHANNEL_SLUGS
    assert channel("fake") is not None and channel("nope") is None


class _Incomplete:
    """A connector that claims publishing without a publish method."""

    slug = "incomplete"
    capabilities = frozenset({Capability.PUBLISH})

    def verify(self, headers, body): ...
    def parse(self, headers, body): ...
    def send(self, account, reply): ...
    def reply_window(self, account, kind, last, now): ...


class _Undeclared(_Incomplete):
    """A connector that moderates comments without declaring it."""

    slug = "undeclared"
    capabilities = frozenset()

    def moderate(self, account, external_id, action): ...


def _declaration(cls: type, **changes) -> Channel:
    base = CHANNELS["webchat"]
    return Channel(
        slug=cls.slug,
        connector=cls,
        names=changes.get("names", base.names),
        badge=base.badge,
        account=base.account,
        settings=changes.get("settings", base.settings),
        posts=changes.get("posts"),
    )


def test_every_declaration_matches_its_connector():
    """The guard a bad declaration meets in CI (the registry no longer checks at import)."""
    assert check_all() == len(CHANNELS) + 2  # and the fake channel's two connectors


def test_check_all_refuses_a_bad_declaration(monkeypatch):
    broken = _declaration(_Undeclared)
    monkeypatch.setitem(CHANNELS, "undeclared", broken)
    with pytest.raises(RegistrationError, match="implements Moderate without declaring"):
        check_all()


def test_a_declaration_names_a_connector_it_does_not_import():
    connector = CHANNELS["x"].connector
    assert connector == "connectors.x.connector:XConnector"
    assert REGISTRY["x"].__module__ + ":" + REGISTRY["x"].__name__ == connector


def test_registration_refuses_a_capability_without_its_protocol():
    with pytest.raises(RegistrationError, match="lacks Publish"):
        check_declaration(_declaration(_Incomplete, posts=CHANNELS["x"].posts))


def test_registration_refuses_a_protocol_without_its_capability():
    with pytest.raises(RegistrationError, match="implements Moderate without declaring"):
        check_declaration(_declaration(_Undeclared))


def test_registration_refuses_missing_parts_of_the_declaration():
    class Quiet(_Undeclared):
        slug = "quiet"
        moderate = None  # type: ignore[assignment]

    assert check_declaration(_declaration(Quiet)).slug == "quiet"
    with pytest.raises(RegistrationError, match="post rules"):
        check_declaration(_declaration(Quiet, posts=CHANNELS["x"].posts))
    with pytest.raises(RegistrationError, match="display names"):
        check_declaration(_declaration(Quiet, names={"en": "Quiet"}))
    with pytest.raises(RegistrationError, match="settings prefixes"):
        check_declaration(_declaration(Quiet, settings=ChannelSettings(prefixes=())))


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
    for endpoint, claims in WEBHOOK_ROUTES.items():
        assert endpoint not in REGISTRY, endpoint  # a shared URL is nobody's slug
        for body_object, slug in claims.items():
            assert Capability.WEBHOOK in build(slug).capabilities, (endpoint, body_object)


@pytest.mark.parametrize("slug", [s for s in SLUGS if s != "fake"])
def test_each_channel_ships_fixtures_and_a_readme(slug):
    assert any((FIXTURES / slug / "fixtures").glob("*")), (
        f"tests/connectors/{slug}/fixtures is empty"
    )
    assert (Path(inspect.getfile(REGISTRY[slug])).parent / "README.md").is_file()
