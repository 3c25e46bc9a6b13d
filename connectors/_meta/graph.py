"""A thin Graph API client shared by the facebook and instagram connectors.

Why not facebook-sdk 3.1.0 (docs/platform-apis.md §2.9): it rejects current `vNN.0` versions,
form-encodes POST bodies (the Send API wants nested JSON), has no `appsecret_proof`, hides the
usage headers and ignores the HTTP status. This client sends JSON, signs every call with
`appsecret_proof`, reads the usage headers into `Usage`, and maps Graph's error envelope to the
errors in connectors.base.
Production and the sandbox share this one code path; only `META_GRAPH_URL` differs.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from connectors._meta.usage import USAGE, Usage, parse_usage
from connectors.base import (
    ConnectorError,
    OutcomeUnknown,
    OutsideReplyWindow,
    PermanentSendError,
    RateLimited,
    ReauthRequired,
    RetryableSendError,
)

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v23.0"
DEFAULT_TIMEOUT = 20.0

# https://developers.facebook.com/docs/graph-api/guides/error-handling
TOKEN_SUBCODES = frozenset({458, 459, 460, 463, 464, 467})
WINDOW_SUBCODES = frozenset({2018278, 2534022})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})
MIN_RATE_LIMIT_PAUSE = 60.0


@dataclass(frozen=True, slots=True)
class GraphResponse:
    """The decoded JSON body of a successful call and the usage it reported."""

    data: dict[str, Any]
    usage: Usage


def appsecret_proof(app_secret: str, token: str) -> str:
    """Return hex HMAC-SHA256(key=app secret, msg=access token), as Graph expects."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def is_rate_limit(code: int, extra: frozenset[int] = frozenset()) -> bool:
    """Say whether a Graph error code is a throttling code (app, user, page, custom or BUC,
    or one of a product's own, `extra`, which its connector declares: WhatsApp's)."""
    return code in RATE_LIMIT_CODES or 80000 <= code <= 80099 or code in extra


def pause_scopes(app_key: str, account_key: str, code: int) -> tuple[str, ...]:
    """What a throttling code pauses: the whole app (code 4), else the page/IG account."""
    account = f"meta:account:{account_key}"
    return (f"meta:app:{app_key}", account) if code == 4 else (account,)


def map_error(
    status: int,
    body: Any,
    usage: Usage,
    *,
    write: bool = False,
    app_key: str = "",
    account_key: str = "",
    throttles: frozenset[int] = frozenset(),
) -> ConnectorError:
    """Turn a failed Graph response into the shared error the jobs understand.

    A 5xx answer to a write is OutcomeUnknown, not transient: Graph has been seen to post
    and then fail, and sending again would post twice. Only code 2 ("service temporarily
    unavailable") says nothing was done.
    """
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        if write and status >= 500:
            return OutcomeUnknown(f"Graph API HTTP {status} after the request was sent")
        if status == 429:
            pause = max(usage.regain_seconds, MIN_RATE_LIMIT_PAUSE)
            return RateLimited("Graph API HTTP 429", pause, pause_scopes(app_key, account_key, 0))
        if status >= 500:
            return RetryableSendError(f"Graph API HTTP {status}", retry_after=None)
        return PermanentSendError(f"Graph API HTTP {status} without an error body")
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    message = str(error.get("message") or "Graph API error")
    reason = f"{message} (code {code}" + (f", subcode {subcode})" if subcode else ")")
    if write and status >= 500 and code != 2:  # code 2: "service unavailable", nothing done
        return OutcomeUnknown(f"{reason}, HTTP {status} after the request was sent")
    if code == 190 or subcode in TOKEN_SUBCODES:
        return ReauthRequired(reason)
    if subcode in WINDOW_SUBCODES:
        return OutsideReplyWindow(reason)
    if is_rate_limit(code, throttles):
        pause = max(usage.regain_seconds, MIN_RATE_LIMIT_PAUSE)
        return RateLimited(reason, pause, pause_scopes(app_key, account_key, code))
    if error.get("is_transient") is True or code in (1, 2) or status >= 500:
        return RetryableSendError(reason, retry_after=None)
    return PermanentSendError(reason)


class GraphClient:
    """Call `{base_url}/{version}/{path}` with a page token; raise ConnectorError subclasses."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_GRAPH_URL,
        version: str = DEFAULT_GRAPH_VERSION,
        app_secret: str = "",
        app_id: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        throttles: frozenset[int] = frozenset(),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.throttles = throttles  # the product's own throttling codes (is_rate_limit)
        self.version = version.strip("/")
        self.app_secret = app_secret
        self.app_id = app_id
        self.timeout = timeout
        self._shared = session
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        """One Session per thread: the runtime shares a connector between worker threads."""
        if self._shared is not None:
            return self._shared
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        form: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        usage_key: str | None = None,
    ) -> GraphResponse:
        """Make one call. `usage_key` (the account id) files the usage headers for throttling.

        The token travels in the Authorization header so it stays out of access logs;
        `appsecret_proof` must be a parameter.
        """
        query = dict(params or {})
        if self.app_secret:
            query["appsecret_proof"] = appsecret_proof(self.app_secret, token)
        try:
            response = self.session.request(
                method,
                self.url(path),
                params=query,
                json=json,
                data=form,
                files=files,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise _transport_error(exc, write=method != "GET") from exc
        usage = parse_usage(response.headers)
        if usage_key is not None:
            USAGE.record(self._usage_key(usage_key), usage)
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or (isinstance(body, Mapping) and "error" in body):
            raise map_error(
                response.status_code,
                body,
                usage,
                write=method != "GET",
                app_key=self.app_id or self.base_url,
                account_key=usage_key or "",
                throttles=self.throttles,
            )
        if not isinstance(body, dict):
            raise RetryableSendError(f"Graph API returned a non-JSON {response.status_code}")
        return GraphResponse(data=body, usage=usage)

    def get(
        self, path: str, *, token: str, params: Mapping[str, Any], usage_key: str | None = None
    ) -> dict[str, Any]:
        return self.call("GET", path, token=token, params=params, usage_key=usage_key).data

    def throttle(self, usage_key: str) -> float:
        """Return how long to wait before the next call for this account (0: go ahead)."""
        return USAGE.delay(self._usage_key(usage_key))

    def paused(self, usage_key: str) -> float:
        """Return the remaining hard pause (limit reached) for this account, else 0."""
        return USAGE.paused(self._usage_key(usage_key))

    def _usage_key(self, account_key: str) -> str:
        return f"{self.base_url}|{account_key}"


def _transport_error(exc: requests.RequestException, *, write: bool) -> ConnectorError:
    """No answer: safe to retry if the request never left (connect failed) or was a read."""
    name = exc.__class__.__name__
    never_sent = isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and _refused(exc)
    )
    if never_sent or not write:
        return RetryableSendError(f"Graph API unreachable: {name}")
    return OutcomeUnknown(f"no answer from the Graph API after sending ({name})")


def _refused(exc: BaseException) -> bool:
    """Say whether the connection was never established (refused, DNS, unreachable)."""
    seen: BaseException | None = exc
    while seen is not None:
        text = f"{seen.__class__.__name__}: {seen}"
        if "NewConnectionError" in text or "NameResolutionError" in text:
            return True
        if isinstance(seen, ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__ or _reason(seen)
    return False


def _reason(exc: BaseException) -> BaseException | None:
    reason = getattr(exc, "reason", None)
    return reason if isinstance(reason, BaseException) else None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
