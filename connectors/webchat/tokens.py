"""Visitor session tokens: who a widget visitor is, signed by us, kept in their localStorage.

The widget runs on other sites, so a cookie would be a third-party cookie (blocked by most
browsers) and CSRF-prone; a bearer token sent in a header is neither. The token is stateless:
it carries the widget, the session id and the visitor's optional name and email, signed with
HMAC-SHA256 under a secret only the server knows, so a reload can resume the session and no
visitor can write into another visitor's session by editing a request body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

PREFIX = "wct1"
_CONTEXT = b"switchboard-webchat-session\x00"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class TokenError(ValueError):
    """The token is missing, malformed, forged, for another widget, or expired."""


@dataclass(frozen=True, slots=True)
class SessionClaims:
    widget: str  # the channel account's external id
    session_id: str  # ws_<ULID>: the thread key and the visitor's identity on this channel
    name: str | None = None
    email: str | None = None
    locale: str | None = None
    issued_at: int = 0  # epoch seconds


def new_session_id(now: float | None = None) -> str:
    """A ULID-shaped id (time-ordered, 80 random bits), like the widget's own `ws_…` ids."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "ws_" + "".join(reversed(chars))


def issue_token(secret: str, claims: SessionClaims) -> str:
    if not secret:
        raise TokenError("no webchat token secret configured")
    body = {
        "w": claims.widget,
        "s": claims.session_id,
        "n": claims.name,
        "e": claims.email,
        "l": claims.locale,
        "t": claims.issued_at or int(time.time()),
    }
    payload = _b64(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{PREFIX}.{payload}.{_sign(secret, payload)}"


def read_token(secret: str, token: str, *, widget: str, max_age: float) -> SessionClaims:
    """Return the claims of a valid token for `widget`; raise TokenError otherwise."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX or not secret:
        raise TokenError("malformed session token")
    payload, signature = parts[1], parts[2]
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise TokenError("session token signature does not match")
    try:
        body = json.loads(_unb64(payload))
        claims = SessionClaims(
            widget=str(body["w"]),
            session_id=str(body["s"]),
            name=_opt(body.get("n")),
            email=_opt(body.get("e")),
            locale=_opt(body.get("l")),
            issued_at=int(body["t"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("unreadable session token") from exc
    if claims.widget != widget:
        raise TokenError("session token belongs to another widget")
    if time.time() - claims.issued_at > max_age:
        raise TokenError("session token expired")
    return claims


def _sign(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), _CONTEXT + payload.encode(), hashlib.sha256).digest()
    return _b64(digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _opt(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
