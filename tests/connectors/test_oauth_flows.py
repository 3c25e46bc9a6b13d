"""The OAuth wire clients (facebook-sdk, tweepy handlers) against the sandbox's login side.

A requests session plays the browser on the emulators' consent pages; every exchange is the
real HTTP one over loopback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from connectors._meta.oauth import SUBSCRIBED_FIELDS, MetaLogin
from connectors.base import AccountConfig, ConnectorError, ReauthRequired
from connectors.x import XConnector
from connectors.x.oauth import XLogin
from sandbox.meta import create_app as meta_app
from sandbox.meta.app import DEFAULTS
from sandbox.x import World
from sandbox.x import create_app as x_app
from sandbox.x import oauth as x_oauth
from tests.support.servers import serve_wsgi

CALLBACK = "http://127.0.0.1:9/admin/channels/oauth/cb"


@pytest.fixture
def meta() -> Iterator[str]:
    with serve_wsgi(meta_app({"SEED": False})) as url:
        yield url


@pytest.fixture
def x_world() -> World:
    return World()


@pytest.fixture
def x(x_world: World) -> Iterator[str]:
    with serve_wsgi(x_app(x_world)) as url:
        yield url


def meta_settings(url: str) -> dict[str, str]:
    return {
        "META_GRAPH_URL": url,
        "META_LOGIN_URL": url,
        "META_APP_ID": str(DEFAULTS["APP_ID"]),
        "META_APP_SECRET": str(DEFAULTS["APP_SECRET"]),
    }


def x_settings(url: str) -> dict[str, str]:
    return {
        "X_API_URL": url,
        "X_CONSUMER_KEY": "sandbox-consumer-key",
        "X_CONSUMER_SECRET": "sandbox-consumer-secret",
        **x_oauth.settings(url),
    }


def consent(url: str, decision: str = "allow") -> dict[str, list[str]]:
    """Open the consent page, press the button, return the callback's query (not followed)."""
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
    answer = browser.post(page.url, data={**fields, "decision": decision}, allow_redirects=False)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK)
    return parse_qs(urlsplit(location).query)


def test_facebook_login_pages_subscription_and_debug(meta: str) -> None:
    login = MetaLogin(meta_settings(meta))
    url = login.auth_url(redirect_uri=CALLBACK, state="st-123")
    assert url.startswith(f"{meta}/v23.0/dialog/oauth?")
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [DEFAULTS["APP_ID"]]
    assert "pages_messaging" in query["scope"][0].split(",")

    back = consent(url)
    assert back["state"] == ["st-123"]
    short = login.exchange_code(code=back["code"][0], redirect_uri=CALLBACK)
    with pytest.raises(ConnectorError, match="used or has expired"):
        login.exchange_code(code=back["code"][0], redirect_uri=CALLBACK)  # single use
    long = login.extend(short.token)
    assert long.token != short.token
    assert long.expires_at is not None and short.expires_at is not None
    assert (long.expires_at - short.expires_at).days >= 59

    pages = login.pages(long.token)
    assert [(p.id, p.token, p.ig_id) for p in pages] == [
        (DEFAULTS["PAGE_ID"], DEFAULTS["PAGE_TOKEN"], DEFAULTS["IG_USER_ID"])
    ]
    login.subscribe(pages[0].id, pages[0].token)
    state = requests.get(f"{meta}/_emu/oauth", timeout=10).json()
    assert state["subscriptions"] == {DEFAULTS["PAGE_ID"]: list(SUBSCRIBED_FIELDS)}

    info = login.debug(long.token)
    assert info.valid and info.kind == "USER" and "pages_messaging" in info.scopes
    assert info.expires_at is not None
    assert abs((info.expires_at - long.expires_at).total_seconds()) < 5
    page_info = login.debug(pages[0].token)
    assert page_info.kind == "PAGE" and page_info.expires_at is None


def test_facebook_code_bound_to_redirect_uri_and_cancel(meta: str) -> None:
    login = MetaLogin(meta_settings(meta))
    back = consent(login.auth_url(redirect_uri=CALLBACK, state="s"))
    with pytest.raises(ConnectorError, match="redirect_uri"):
        login.exchange_code(code=back["code"][0], redirect_uri=CALLBACK + "x")
    cancelled = consent(login.auth_url(redirect_uri=CALLBACK, state="s2"), decision="cancel")
    assert cancelled["error"] == ["access_denied"] and "code" not in cancelled


def test_facebook_expired_user_token_is_reauth(meta: str) -> None:
    login = MetaLogin(meta_settings(meta))
    back = consent(login.auth_url(redirect_uri=CALLBACK, state="s"))
    short = login.exchange_code(code=back["code"][0], redirect_uri=CALLBACK)
    requests.post(f"{meta}/_emu/clock", json={"advance_seconds": 7200}, timeout=10)
    with pytest.raises(ReauthRequired, match="expired"):
        login.pages(short.token)


def test_x_oauth2_pkce_refresh_rotation(x: str, x_world: World) -> None:
    login = XLogin(x_settings(x))
    started = login.start(redirect_uri=CALLBACK, state="xs-1")
    query = parse_qs(urlsplit(started.url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] == ["xs-1"]
    assert started.secret not in started.url  # the verifier never goes to the browser
    back = consent(started.url)
    callback = CALLBACK + "?" + "&".join(f"{k}={v[0]}" for k, v in back.items())

    with pytest.raises(ConnectorError):  # the wrong verifier fails the S256 check
        login.finish(callback_url=callback, redirect_uri=CALLBACK, state="xs-1", verifier="x" * 64)
    back = consent(login.start(redirect_uri=CALLBACK, state="xs-2").url)
    callback = CALLBACK + "?" + "&".join(f"{k}={v[0]}" for k, v in back.items())
    with pytest.raises(ConnectorError):  # a state that differs from ours is refused
        login.finish(callback_url=callback, redirect_uri=CALLBACK, state="other", verifier="v")

    started = login.start(redirect_uri=CALLBACK, state="xs-3")
    back = consent(started.url)
    callback = CALLBACK + "?" + "&".join(f"{k}={v[0]}" for k, v in back.items())
    grant = login.finish(
        callback_url=callback, redirect_uri=CALLBACK, state="xs-3", verifier=started.secret
    )
    assert grant.refresh_token and "offline.access" in grant.scopes and grant.expires_at
    connector = XConnector(x_settings(x))
    me = connector.me(AccountConfig(1, "", {"bearer_token": grant.access_token}, {}))
    assert me.external_id == x_world.brand_id

    renewed = login.refresh(grant.refresh_token)
    assert renewed.access_token != grant.access_token and renewed.refresh_token
    with pytest.raises(ReauthRequired):  # refresh tokens rotate: the old one is spent
        login.refresh(grant.refresh_token)
    x_world.clock.advance(7201)  # the renewed access token has expired too
    with pytest.raises(ReauthRequired):
        connector.me(AccountConfig(1, "", {"bearer_token": renewed.access_token}, {}))


def test_x_oauth1_three_legged(x: str, x_world: World) -> None:
    login = XLogin(x_settings(x))
    started = login.start_oauth1(callback=CALLBACK)
    assert started.url.startswith(f"{x}/oauth/authorize?oauth_token=")
    back = consent(started.url)
    assert back["oauth_token"] == [started.request_token]
    token, secret = login.finish_oauth1(
        request_token=started.request_token,
        secret=started.secret,
        verifier=back["oauth_verifier"][0],
    )
    me = XConnector(x_settings(x)).me(
        AccountConfig(1, "", {"access_token": token, "access_token_secret": secret}, {})
    )
    assert me.external_id == x_world.brand_id
    with pytest.raises(ConnectorError):  # the request token is spent
        login.finish_oauth1(
            request_token=started.request_token,
            secret=started.secret,
            verifier=back["oauth_verifier"][0],
        )
