"""The OAuth wire clients (facebook-sdk, tweepy handlers) against the sandbox's login side.

A requests session plays the browser on the emulators' consent pages; every exchange is the
real HTTP one over loopback.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from connectors._meta.oauth import SUBSCRIBED_FIELDS, MetaLogin
from connectors.base import AccountConfig, ConnectorError, ReauthRequired
from connectors.x import XConnector
from connectors.x.oauth import XLogin
from sandbox.meta.app import DEFAULTS
from sandbox.x import World
from tests.support import oauth as sign_in
from tests.support.oauth import press_consent, sign_in_settings

CALLBACK = "http://127.0.0.1:9/admin/channels/oauth/cb"
meta_url, x_world, x_url = sign_in.meta_url, sign_in.x_world, sign_in.x_url  # fixtures


def meta_settings(url: str) -> dict[str, str]:
    return {k: v for k, v in sign_in_settings(url, "").items() if k.startswith("META_")}


def x_settings(url: str) -> dict[str, str]:
    return {k: v for k, v in sign_in_settings("", url).items() if k.startswith("X_")}


def consent(url: str, decision: str = "allow") -> dict[str, list[str]]:
    """Press the consent button; the query our callback would get."""
    location = press_consent(url, decision)
    assert location.startswith(CALLBACK)
    return parse_qs(urlsplit(location).query)


def test_facebook_login_pages_subscription_and_debug(meta_url: str) -> None:
    login = MetaLogin(meta_settings(meta_url))
    url = login.auth_url(redirect_uri=CALLBACK, state="st-123")
    assert url.startswith(f"{meta_url}/v23.0/dialog/oauth?")
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
    state = requests.get(f"{meta_url}/_emu/oauth", timeout=10).json()
    assert state["subscriptions"] == {DEFAULTS["PAGE_ID"]: list(SUBSCRIBED_FIELDS)}

    info = login.debug(long.token)
    assert info.valid and info.kind == "USER" and "pages_messaging" in info.scopes
    assert info.expires_at is not None
    assert abs((info.expires_at - long.expires_at).total_seconds()) < 5
    page_info = login.debug(pages[0].token)
    assert page_info.kind == "PAGE" and page_info.expires_at is None


def test_facebook_code_bound_to_redirect_uri_and_cancel(meta_url: str) -> None:
    login = MetaLogin(meta_settings(meta_url))
    back = consent(login.auth_url(redirect_uri=CALLBACK, state="s"))
    with pytest.raises(ConnectorError, match="redirect_uri"):
        login.exchange_code(code=back["code"][0], redirect_uri=CALLBACK + "x")
    cancelled = consent(login.auth_url(redirect_uri=CALLBACK, state="s2"), decision="cancel")
    assert cancelled["error"] == ["access_denied"] and "code" not in cancelled


def test_facebook_expired_user_token_is_reauth(meta_url: str) -> None:
    login = MetaLogin(meta_settings(meta_url))
    back = consent(login.auth_url(redirect_uri=CALLBACK, state="s"))
    short = login.exchange_code(code=back["code"][0], redirect_uri=CALLBACK)
    requests.post(f"{meta_url}/_emu/clock", json={"advance_seconds": 7200}, timeout=10)
    with pytest.raises(ReauthRequired, match="expired"):
        login.pages(short.token)


def test_x_oauth2_pkce_refresh_rotation(x_url: str, x_world: World) -> None:
    login = XLogin(x_settings(x_url))
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
    connector = XConnector(x_settings(x_url))
    me = connector.me(AccountConfig(1, "", {"bearer_token": grant.access_token}, {}))
    assert me.external_id == x_world.brand_id

    renewed = login.refresh(grant.refresh_token)
    assert renewed.access_token != grant.access_token and renewed.refresh_token
    with pytest.raises(ReauthRequired):  # refresh tokens rotate: the old one is spent
        login.refresh(grant.refresh_token)
    x_world.clock.advance(7201)  # the renewed access token has expired too
    with pytest.raises(ReauthRequired):
        connector.me(AccountConfig(1, "", {"bearer_token": renewed.access_token}, {}))


def test_x_oauth1_three_legged(x_url: str, x_world: World) -> None:
    login = XLogin(x_settings(x_url))
    started = login.start_oauth1(callback=CALLBACK)
    assert started.url.startswith(f"{x_url}/oauth/authorize?oauth_token=")
    back = consent(started.url)
    assert back["oauth_token"] == [started.request_token]
    token, secret = login.finish_oauth1(
        request_token=started.request_token,
        secret=started.secret,
        verifier=back["oauth_verifier"][0],
    )
    me = XConnector(x_settings(x_url)).me(
        AccountConfig(1, "", {"access_token": token, "access_token_secret": secret}, {})
    )
    assert me.external_id == x_world.brand_id
    with pytest.raises(ConnectorError):  # the request token is spent
        login.finish_oauth1(
            request_token=started.request_token,
            secret=started.secret,
            verifier=back["oauth_verifier"][0],
        )
