"""A thin HTTP client for X API v2 with a configurable base URL.

tweepy signs the requests (OAuth 1.0a from `tweepy.OAuth1UserHandler`, or the OAuth 2.0 user
token through `tweepy.OAuth2BearerHandler`), but the calls go through this client rather than
`tweepy.Client`, whose host is hard-coded (see README.md for why a rebasing transport adapter
was rejected). Every response's rate-limit headers are kept, and every failure is mapped to the
shared connector exceptions here, in one place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import tweepy

from connectors.base import (
    ConnectorError,
    OutcomeUnknown,
    PermanentSendError,
    RateLimited,
    ReauthRequired,
    RetryableSendError,
)

DEFAULT_TIMEOUT = 15.0
# 403 problem types that mean "these credentials may not do this", not "this content is refused".
AUTH_PROBLEMS = (
    "unsupported-authentication",
    "client-forbidden",
    "oauth1-permissions",
)


class XRequestRefused(PermanentSendError):
    """X refused the request for good (4xx other than 401/429); `status` says which."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One endpoint's budget as the last response reported it (`reset` in epoch seconds)."""

    limit: int | None
    remaining: int | None
    reset: int | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit:
        return cls(
            limit=_int(headers.get("x-rate-limit-limit")),
            remaining=_int(headers.get("x-rate-limit-remaining")),
            reset=_int(headers.get("x-rate-limit-reset")),
        )


@dataclass(frozen=True, slots=True)
class XResponse:
    status: int
    body: Mapping[str, Any]
    rate: RateLimit


class XClient:
    """Call X API v2 as one account; `base_url` is X_API_URL, without the `/2`."""

    def __init__(
        self,
        base_url: str,
        *,
        consumer_key: str,
        consumer_secret: str,
        credentials: Mapping[str, str],
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        scope_prefix: str = "x",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.timeout = timeout
        self.scope_prefix = scope_prefix  # e.g. "x:<user id>": what a 429 pauses
        self.base_url = base_url.rstrip("/")
        self.auth = _auth(consumer_key, consumer_secret, credentials)
        self.session = session or requests.Session()
        self.clock = clock
        self.last_rate: RateLimit | None = None

    def get(self, path: str, params: Mapping[str, str]) -> XResponse:
        return self._call("GET", path, params=params, body=None)

    def post(self, path: str, body: Mapping[str, Any]) -> XResponse:
        return self._call("POST", path, params=None, body=body)

    def put(self, path: str, body: Mapping[str, Any]) -> XResponse:
        return self._call("PUT", path, params=None, body=body)

    def post_multipart(
        self,
        path: str,
        fields: Mapping[str, str],
        files: Mapping[str, tuple[str, bytes, str]],
    ) -> XResponse:
        """A multipart/form-data POST (media upload). OAuth 1.0a signs no multipart field."""
        return self._call("POST", path, params=None, body=None, form=(fields, files))

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
        form: tuple[Mapping[str, str], Mapping[str, tuple[str, bytes, str]]] | None = None,
    ) -> XResponse:
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=params,
                data=dict(form[0])
                if form is not None
                else None
                if body is None
                else json.dumps(body, ensure_ascii=False).encode(),
                files=dict(form[1]) if form is not None else None,
                headers={"Content-Type": "application/json"} if body is not None else None,
                auth=self.auth,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise _transport_error(exc, write=method != "GET") from exc
        rate = RateLimit.from_headers(response.headers)
        self.last_rate = rate
        doc = _json(response)
        if method != "GET" and response.status_code >= 500:
            raise OutcomeUnknown(f"X API {response.status_code} after the request was sent")
        try:
            raise_for_status(response.status_code, rate, doc, now=self.clock())
        except RetryableSendError as exc:
            if response.status_code == 429:
                scope = f"{self.scope_prefix}:{endpoint_family(method, path)}"
                raise RateLimited(exc.reason, exc.retry_after or 60.0, (scope,)) from exc
            raise
        return XResponse(status=response.status_code, body=doc, rate=rate)


def endpoint_family(method: str, path: str) -> str:
    """The rate-limit window a call is charged to (X limits per endpoint, per user)."""
    if path.endswith("/mentions"):
        return "mentions"
    if "dm_events" in path:
        return "dm_events"
    if method == "POST" and path.startswith("/2/dm_conversations"):
        return "dm_send"
    if method == "POST" and path == "/2/tweets":
        return "tweets"
    if method == "PUT" and path.endswith("/hidden"):
        return "hide_replies"
    if path == "/2/media/upload":
        return "media_upload"
    return path.strip("/").replace("/", "_")


def _transport_error(exc: requests.RequestException, *, write: bool) -> ConnectorError:
    """No answer: a read, or a write that never left (connect failed), can simply be retried."""
    name = exc.__class__.__name__
    never_sent = isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and "NewConnectionError" in str(exc)
    )
    if never_sent or not write:
        return RetryableSendError(f"X API unreachable: {name}")
    return OutcomeUnknown(f"no answer from the X API after sending ({name})")


def raise_for_status(status: int, rate: RateLimit, body: Mapping[str, Any], *, now: float) -> None:
    """Map a non-2xx X API answer to RetryableSendError, ReauthRequired or PermanentSendError."""
    if 200 <= status < 300:
        return
    reason = f"X API {status}: {problem_reason(body)}"
    if status == 429:
        retry_after = None if rate.reset is None else max(1.0, rate.reset - now + 1.0)
        raise RetryableSendError(reason, retry_after=retry_after)
    if status == 401:
        raise ReauthRequired(reason)
    if status == 403 and _is_auth_problem(body):
        raise ReauthRequired(reason)
    if status >= 500:
        raise RetryableSendError(reason)
    raise XRequestRefused(reason, status=status)


def problem_reason(body: Mapping[str, Any]) -> str:
    """Say what went wrong from a problem body, a v1.1-style `errors` list, or neither."""
    detail = body.get("detail") or body.get("title")
    messages = [
        str(e.get("message") or e.get("detail"))
        for e in body.get("errors") or ()
        if isinstance(e, Mapping) and (e.get("message") or e.get("detail"))
    ]
    parts = [str(detail)] if detail else []
    parts.extend(m for m in messages if m not in parts)
    return "; ".join(parts) or "no detail"


def _is_auth_problem(body: Mapping[str, Any]) -> bool:
    kind = str(body.get("type") or "")
    return any(kind.endswith(problem) for problem in AUTH_PROBLEMS) or body.get("reason") in {
        "client-not-enrolled",
        "official-client-forbidden",
    }


def _auth(
    consumer_key: str, consumer_secret: str, credentials: Mapping[str, str]
) -> requests.auth.AuthBase:
    """Pick OAuth 1.0a when the account has a token pair, else its OAuth 2.0 user token."""
    token, secret = credentials.get("access_token"), credentials.get("access_token_secret")
    if token and secret:
        if not (consumer_key and consumer_secret):
            raise ReauthRequired("X_CONSUMER_KEY / X_CONSUMER_SECRET are not set")
        handler = tweepy.OAuth1UserHandler(consumer_key, consumer_secret, token, secret)
        auth: requests.auth.AuthBase = handler.apply_auth()
        return auth
    bearer = credentials.get("bearer_token")
    if bearer:
        return tweepy.OAuth2BearerHandler(bearer)  # type: ignore[no-any-return]
    raise ReauthRequired("the X account has no access token; reconnect it")


def _json(response: requests.Response) -> Mapping[str, Any]:
    try:
        doc = response.json()
    except ValueError:
        return {"detail": response.text[:200]}
    return doc if isinstance(doc, Mapping) else {"data": doc}


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None
