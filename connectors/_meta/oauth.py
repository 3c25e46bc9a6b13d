"""Facebook Login for Business: the wire side of connecting pages and Instagram accounts.

facebook-sdk does what it is good at here: building the login dialog URL (`get_auth_url`),
exchanging the code (`get_access_token_from_code`), the long-lived user token
(`extend_access_token`), `/me/accounts` and `/debug_token`. It cannot take a base URL (the hosts
are module constants `FACEBOOK_GRAPH_URL` / `FACEBOOK_WWW_URL`) and it refuses every Graph
version after 3.1, so `_SDK` is a thin subclass: its requests go through a session that swaps
the Graph host for META_GRAPH_URL, the dialog URL gets META_LOGIN_URL's host, and the version is
set after construction (docs/platform-apis.md §6.1). Nothing here stores anything: the
caller (web/ + inbox/) decides what is kept, sealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import facebook
import requests

from connectors._meta.graph import DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION
from connectors.base import ConnectorError, ReauthRequired

DEFAULT_LOGIN_URL = "https://www.facebook.com"
# What the connectors need: list/read pages, Messenger, comments, webhooks, IG DMs and comments.
SCOPES = (
    "pages_show_list",
    "pages_manage_metadata",
    "pages_messaging",
    "pages_read_engagement",
    "pages_manage_engagement",
    "business_management",
    "instagram_basic",
    "instagram_manage_messages",
    "instagram_manage_comments",
)
# The page webhook fields the facebook/instagram connectors parse (connectors/_meta/*).
SUBSCRIBED_FIELDS = (
    "messages",
    "messaging_postbacks",
    "message_echoes",
    "message_reads",
    "message_deliveries",
    "feed",
    "mention",
)


@dataclass(frozen=True)
class UserToken:
    token: str
    expires_at: datetime | None  # None: Graph gave no expiry


@dataclass(frozen=True)
class PageGrant:
    """One page the user let us manage, with its page token and its linked IG account."""

    id: str
    name: str
    token: str
    ig_id: str | None = None
    ig_username: str | None = None


@dataclass(frozen=True)
class TokenInfo:
    """What /debug_token says about a token (shown on the channel page)."""

    valid: bool
    kind: str
    scopes: tuple[str, ...]
    expires_at: datetime | None  # None: never expires (page tokens from long-lived user tokens)
    user_id: str | None = None


class _Rebased(requests.Session):
    """Send facebook-sdk's Graph calls to META_GRAPH_URL instead of graph.facebook.com."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        text = url.decode() if isinstance(url, bytes) else url
        if text.startswith(facebook.FACEBOOK_GRAPH_URL):
            text = self.base_url + text[len(facebook.FACEBOOK_GRAPH_URL) :]
        return super().request(method, text, *args, **kwargs)


class _SDK(facebook.GraphAPI):  # type: ignore[misc]
    def __init__(
        self, base_url: str, version: str, timeout: float, access_token: str | None = None
    ) -> None:
        super().__init__(access_token=access_token, timeout=timeout, session=_Rebased(base_url))
        self.version = version  # the SDK's own check stops at 3.1


class MetaLogin:
    """The OAuth dance with Meta, one instance per settings; every call may raise
    ConnectorError (ReauthRequired when Graph refuses a token) with Graph's message."""

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.app_id = settings.get("META_APP_ID", "")
        self.app_secret = settings.get("META_APP_SECRET", "")
        self.config_id = settings.get("META_LOGIN_CONFIG_ID", "")
        self.graph_url = settings.get("META_GRAPH_URL") or DEFAULT_GRAPH_URL
        self.login_url = (settings.get("META_LOGIN_URL") or DEFAULT_LOGIN_URL).rstrip("/") + "/"
        self.version = settings.get("META_GRAPH_VERSION") or DEFAULT_GRAPH_VERSION
        self.timeout = float(settings.get("META_HTTP_TIMEOUT") or 20)

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)

    def _sdk(self, token: str | None = None) -> _SDK:
        return _SDK(self.graph_url, self.version, self.timeout, token)

    def auth_url(self, *, redirect_uri: str, state: str) -> str:
        """The login dialog; Login for Business takes a `config_id` instead of scopes."""
        extra: dict[str, str] = {"state": state, "response_type": "code"}
        if self.config_id:
            extra["config_id"] = self.config_id
        url: str = self._sdk().get_auth_url(
            self.app_id, redirect_uri, None if self.config_id else list(SCOPES), **extra
        )
        return self.login_url + url[len(facebook.FACEBOOK_WWW_URL) :]

    def exchange_code(self, *, code: str, redirect_uri: str) -> UserToken:
        found = self._call(
            lambda sdk: sdk.get_access_token_from_code(
                code, redirect_uri, self.app_id, self.app_secret
            )
        )
        return _user_token(found)

    def extend(self, token: str) -> UserToken:
        """Short-lived (about 1 h) user token in, long-lived (about 60 days) out."""
        found = self._call(
            lambda sdk: sdk.extend_access_token(self.app_id, self.app_secret), token=token
        )
        return _user_token(found)

    def pages(self, user_token: str) -> list[PageGrant]:
        """The pages the user granted, each with its page token and linked IG account."""
        fields = "id,name,access_token,instagram_business_account{id,username}"
        found = self._call(
            lambda sdk: sdk.request(f"{self.version}/me/accounts", {"fields": fields}),
            token=user_token,
        )
        pages = []
        for row in found.get("data") or ():
            if not isinstance(row, Mapping) or not row.get("access_token"):
                continue  # a page without a token for us cannot be connected
            ig = row.get("instagram_business_account") or {}
            pages.append(
                PageGrant(
                    id=str(row["id"]),
                    name=str(row.get("name") or row["id"]),
                    token=str(row["access_token"]),
                    ig_id=str(ig["id"]) if ig.get("id") else None,
                    ig_username=ig.get("username"),
                )
            )
        return pages

    def subscribe(self, page_id: str, page_token: str) -> None:
        """POST /{page}/subscribed_apps: the page's webhooks start reaching our app."""
        found = self._call(
            lambda sdk: sdk.request(
                f"{self.version}/{page_id}/subscribed_apps",
                post_args={"subscribed_fields": ",".join(SUBSCRIBED_FIELDS)},
            ),
            token=page_token,
        )
        if found.get("success") is not True:
            raise ConnectorError(f"Graph did not subscribe the app to page {page_id}")

    def debug(self, token: str) -> TokenInfo:
        found = self._call(lambda sdk: sdk.debug_access_token(token, self.app_id, self.app_secret))
        data = found.get("data") or {}
        expires = int(data.get("expires_at") or 0)
        return TokenInfo(
            valid=bool(data.get("is_valid")),
            kind=str(data.get("type") or ""),
            scopes=tuple(str(s) for s in data.get("scopes") or ()),
            expires_at=datetime.fromtimestamp(expires, UTC) if expires else None,
            user_id=str(data["user_id"]) if data.get("user_id") else None,
        )

    def _call(self, call: Any, *, token: str | None = None) -> dict[str, Any]:
        if not self.configured:
            raise ConnectorError("META_APP_ID / META_APP_SECRET are not set")
        try:
            found = call(self._sdk(token))
        except facebook.GraphAPIError as exc:
            raise _error(exc) from exc
        except requests.RequestException as exc:
            raise ConnectorError(f"Graph API unreachable: {type(exc).__name__}") from exc
        if not isinstance(found, dict):
            raise ConnectorError("Graph API answered something that is not a JSON object")
        return found


def _user_token(found: Mapping[str, Any]) -> UserToken:
    token = found.get("access_token")
    if not token:
        raise ConnectorError("Graph answered without an access_token")
    seconds = str(found.get("expires_in") or found.get("expires") or "")
    expires = (
        datetime.now(UTC) + timedelta(seconds=int(seconds))
        if seconds.isdigit() and int(seconds) > 0
        else None
    )
    return UserToken(str(token), expires)


def _error(exc: Any) -> ConnectorError:
    result: Mapping[str, Any] = exc.result if isinstance(exc.result, Mapping) else {}
    found = result.get("error")
    error: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    code = error.get("code")
    message = str(error.get("message") or exc)
    reason = f"{message} (code {code})" if code else message
    return ReauthRequired(reason) if code in (190, 102) else ConnectorError(reason)
