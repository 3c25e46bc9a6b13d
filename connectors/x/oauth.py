"""Connecting an X account: OAuth 2.0 with PKCE, refresh, and OAuth 1.0a three-legged.

tweepy's `OAuth2UserHandler` (a requests-oauthlib session) makes the PKCE verifier and
challenge, the authorization URL, checks `state` on the way back and exchanges the code;
`OAuth1UserHandler` does the request-token / authorize / access-token legs and signs them.
Both hard-code api.twitter.com / twitter.com, so the subclasses below only swap the URLs for
X_API_URL and X_AUTHORIZE_URL (docs/platform-apis.md §6.2, §6.3). The verifier, state and
request-token secret are returned to the caller, which keeps them server-side between the two
legs; nothing here logs a token.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import tweepy
from oauthlib.oauth2 import OAuth2Error

from connectors.base import ConnectorError, ReauthRequired

DEFAULT_API_URL = "https://api.x.com"
DEFAULT_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
# Read and answer mentions and DMs, publish, and `offline.access` for a refresh token.
SCOPES = ("tweet.read", "tweet.write", "users.read", "dm.read", "dm.write", "offline.access")
LOOPBACK = ("127.0.0.1", "localhost", "::1")

# requests-oauthlib logs token request bodies (code, verifier, refresh token) at DEBUG: never
# let a debug log level put them in a log file.
for _name in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_name).setLevel(logging.INFO)


@dataclass(frozen=True)
class Grant:
    """An OAuth 2.0 user token as X issued it."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Started:
    """What the caller must keep until the user comes back (never shown to the browser
    except `url`, which carries `state` and the PKCE challenge, not the verifier)."""

    url: str
    state: str
    secret: str  # OAuth 2.0: the PKCE verifier; OAuth 1.0a: the request token's secret
    request_token: str = ""  # OAuth 1.0a only


class _PKCE(tweepy.OAuth2UserHandler):  # type: ignore[misc]
    def __init__(self, login: XLogin, redirect_uri: str) -> None:
        super().__init__(
            client_id=login.client_id,
            redirect_uri=redirect_uri,
            scope=list(SCOPES),
            client_secret=login.client_secret or None,
        )
        self.login = login

    def get_authorization_url(self) -> str:
        verifier = self._client.create_code_verifier(128)
        url, _state = self.authorization_url(
            self.login.authorize_url,
            code_challenge=self._client.create_code_challenge(verifier, "S256"),
            code_challenge_method="S256",
        )
        return str(url)

    def fetch_token(self, authorization_response: str) -> dict[str, Any]:
        token: dict[str, Any] = super(tweepy.OAuth2UserHandler, self).fetch_token(
            self.login.token_url,
            authorization_response=authorization_response,
            auth=self.auth,
            include_client_id=True,
            code_verifier=self._client.code_verifier,
            timeout=self.login.timeout,
        )
        return token


class _ThreeLegged(tweepy.OAuth1UserHandler):  # type: ignore[misc]
    def __init__(self, login: XLogin, callback: str | None = None) -> None:
        super().__init__(login.consumer_key, login.consumer_secret, callback=callback)
        self.login = login

    def _get_oauth_url(self, endpoint: str) -> str:
        return f"{self.login.api_url}/oauth/{endpoint}"


class XLogin:
    """The OAuth dances with X for one settings mapping; raises ConnectorError."""

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.api_url = (settings.get("X_API_URL") or DEFAULT_API_URL).rstrip("/")
        self.authorize_url = settings.get("X_AUTHORIZE_URL") or DEFAULT_AUTHORIZE_URL
        self.token_url = self.api_url + "/2/oauth2/token"
        self.client_id = settings.get("X_CLIENT_ID", "")
        self.client_secret = settings.get("X_CLIENT_SECRET", "")
        self.consumer_key = settings.get("X_CONSUMER_KEY", "")
        self.consumer_secret = settings.get("X_CONSUMER_SECRET", "")
        self.timeout = float(settings.get("X_HTTP_TIMEOUT") or 15)
        _allow_loopback_http(self.token_url, self.authorize_url)

    @property
    def oauth2_configured(self) -> bool:
        return bool(self.client_id)

    @property
    def oauth1_configured(self) -> bool:
        return bool(self.consumer_key and self.consumer_secret)

    # OAuth 2.0 with PKCE.

    def start(self, *, redirect_uri: str, state: str) -> Started:
        if not self.oauth2_configured:
            raise ConnectorError("X_CLIENT_ID is not set")
        handler = _PKCE(self, redirect_uri)
        handler.state = state
        url = handler.get_authorization_url()
        return Started(url=url, state=state, secret=str(handler._client.code_verifier))

    def finish(self, *, callback_url: str, redirect_uri: str, state: str, verifier: str) -> Grant:
        """Exchange the code in `callback_url`; oauthlib refuses a `state` that differs."""
        handler = _PKCE(self, redirect_uri)
        handler._state = state
        handler._client.code_verifier = verifier
        try:
            return _grant(handler.fetch_token(callback_url))
        except OAuth2Error as exc:
            raise ConnectorError(f"X refused the authorization: {exc.error}") from exc
        except Exception as exc:  # requests or oauthlib: the reason, never the URL (has code)
            raise ConnectorError(f"X token exchange failed: {type(exc).__name__}") from exc

    def refresh(self, refresh_token: str) -> Grant:
        """A new access token (and, as X rotates them, a new refresh token)."""
        if not self.oauth2_configured:
            raise ConnectorError("X_CLIENT_ID is not set")
        handler = _PKCE(self, "")
        extra = {} if handler.auth is not None else {"client_id": self.client_id}
        try:
            token = handler.refresh_token(
                self.token_url,
                refresh_token=refresh_token,
                auth=handler.auth,
                timeout=self.timeout,
                **extra,
            )
        except OAuth2Error as exc:
            raise ReauthRequired(f"X refused the refresh token: {exc.error}") from exc
        except Exception as exc:
            raise ConnectorError(f"X token refresh failed: {type(exc).__name__}") from exc
        return _grant(token)

    # OAuth 1.0a, three-legged.

    def start_oauth1(self, *, callback: str) -> Started:
        if not self.oauth1_configured:
            raise ConnectorError("X_CONSUMER_KEY / X_CONSUMER_SECRET are not set")
        handler = _ThreeLegged(self, callback)
        try:
            url = handler.get_authorization_url()
        except tweepy.TweepyException as exc:
            raise ConnectorError(f"X refused the request token: {_first_line(exc)}") from exc
        request = handler.request_token
        return Started(
            url=str(url),
            state=str(request["oauth_token"]),
            secret=str(request["oauth_token_secret"]),
            request_token=str(request["oauth_token"]),
        )

    def finish_oauth1(self, *, request_token: str, secret: str, verifier: str) -> tuple[str, str]:
        """The account's access token and secret."""
        handler = _ThreeLegged(self)
        handler.request_token = {"oauth_token": request_token, "oauth_token_secret": secret}
        try:
            token, token_secret = handler.get_access_token(verifier)
        except tweepy.TweepyException as exc:
            raise ConnectorError(f"X refused the access token: {_first_line(exc)}") from exc
        return str(token), str(token_secret)


def _grant(token: Mapping[str, Any]) -> Grant:
    if not token.get("access_token"):
        raise ConnectorError("X answered without an access_token")
    expires = token.get("expires_at")
    scope = token.get("scope") or ()
    return Grant(
        access_token=str(token["access_token"]),
        refresh_token=str(token["refresh_token"]) if token.get("refresh_token") else None,
        expires_at=datetime.fromtimestamp(float(expires), UTC) if expires else None,
        scopes=tuple(scope.split() if isinstance(scope, str) else scope),
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _allow_loopback_http(*urls: str) -> None:
    """oauthlib refuses http:// outright; the sandbox runs on loopback http. The switch is
    process-wide, so it is only thrown for loopback URLs (never for a real X host)."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname in LOOPBACK:
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
