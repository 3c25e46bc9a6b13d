"""X API v2 wire details the emulator reproduces: problems, fields, pagination, OAuth 1.0a."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from flask import Response, jsonify
from oauthlib.oauth1.rfc5849 import signature, utils

PROBLEMS = "https://api.twitter.com/2/problems/"
TWEET_DEFAULT = ("id", "text", "edit_history_tweet_ids")
USER_DEFAULT = ("id", "name", "username")
DM_DEFAULT = ("id", "event_type", "text")
MEDIA_DEFAULT = ("media_key", "type")

T = TypeVar("T")


class Problem(Exception):
    """An RFC 7807 answer, raised anywhere in a view."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        kind: str = "about:blank",
        errors: Sequence[dict[str, Any]] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.kind = status, title, detail, kind
        self.errors = list(errors)
        self.extra = extra or {}

    def response(self) -> Response:
        doc: dict[str, Any] = {
            "title": self.title,
            "type": self.kind,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            doc["errors"] = self.errors
        doc.update(self.extra)
        resp = jsonify(doc)
        resp.status_code = self.status
        resp.mimetype = "application/problem+json"
        return resp


def invalid_request(parameter: str, value: str, message: str) -> Problem:
    return Problem(
        400,
        "Invalid Request",
        "One or more parameters to your request was invalid.",
        PROBLEMS + "invalid-request",
        errors=[{"parameters": {parameter: [value]}, "message": message}],
    )


def unauthorized() -> Problem:
    return Problem(401, "Unauthorized", "Unauthorized")


def unsupported_authentication() -> Problem:
    return Problem(
        403,
        "Unsupported Authentication",
        "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
        "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
        PROBLEMS + "unsupported-authentication",
    )


def pick(doc: dict[str, Any], requested: str | None, defaults: Sequence[str]) -> dict[str, Any]:
    """Keep the default fields plus the requested ones, as X does."""
    wanted = set(defaults) | {f for f in (requested or "").split(",") if f}
    return {k: v for k, v in doc.items() if k in wanted and v is not None}


def max_results(raw: str | None, low: int, high: int, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid_request(
            "max_results",
            raw,
            f"The `max_results` query parameter value [{raw}] is not between {low} and {high}",
        )
    return int(raw)


def snowflake_param(name: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit():
        raise invalid_request(name, raw, f"The `{name}` query parameter value [{raw}] is not valid")
    return int(raw)


def encode_token(direction: str, anchor: str) -> str:
    raw = f"{direction}{int(anchor):x}".encode()
    return base64.b32encode(raw).decode().rstrip("=").lower()


def decode_token(token: str) -> tuple[str, int]:
    try:
        padded = token.upper() + "=" * (-len(token) % 8)
        raw = base64.b32decode(padded).decode()
        if raw[0] not in "np":
            raise ValueError(raw)
        return raw[0], int(raw[1:], 16)
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise invalid_request(
            "pagination_token",
            token,
            f"The `pagination_token` query parameter value [{token}] is not valid",
        ) from exc


def paginate(
    items: Sequence[T], key: Callable[[T], str], size: int, token: str | None
) -> tuple[list[T], str | None, str | None]:
    """Page newest-first `items`; tokens are anchored on ids, so new items never shift them."""
    if token is None:
        page = list(items[:size])
    else:
        direction, anchor = decode_token(token)
        if direction == "n":
            page = [i for i in items if int(key(i)) < anchor][:size]
        else:
            page = [i for i in items if int(key(i)) > anchor][-size:]
    if not page:
        return [], None, None
    oldest = int(key(page[-1]))
    has_older = any(int(key(i)) < oldest for i in items)
    next_token = encode_token("n", key(page[-1])) if has_older else None
    previous = encode_token("p", key(page[0])) if token is not None else None
    return page, next_token, previous


def oauth1_params(header: str) -> dict[str, str]:
    """Read the `Authorization: OAuth ...` parameters, percent-decoded."""
    return {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}


def oauth1_valid(
    header: str,
    *,
    method: str,
    url: str,
    query: Iterable[tuple[str, str]],
    consumer_secret: str,
    token_secret: str,
) -> bool:
    """Check an HMAC-SHA1 OAuth 1.0a signature over the URL the request was sent to."""
    pairs = [(k, utils.unescape(v)) for k, v in utils.parse_authorization_header(header)]
    given = dict(pairs).get("oauth_signature", "")
    params = [(k, v) for k, v in pairs if k not in ("oauth_signature", "realm")]
    params += list(query)
    base = signature.signature_base_string(
        method.upper(), signature.base_string_uri(url), signature.normalize_parameters(params)
    )
    key = f"{utils.escape(consumer_secret)}&{utils.escape(token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    expected = base64.b64encode(digest).decode()
    return hmac.compare_digest(given, expected)
