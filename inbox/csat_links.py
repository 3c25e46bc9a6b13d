"""Signed one-click CSAT links for email surveys (issue 20).

A mail cannot carry buttons that talk back, so each rating is a link to our public page:
`/csat/<token>?r=<1-5>`. The token names the survey and when the link stops working, signed
with HMAC-SHA256 under a key derived from the deployment's SECRET_KEY (never the key itself,
so a leaked survey link says nothing about sessions or CSRF tokens). The rating is not part of
what is signed: the customer may pick another one on the page, and the page only records what
the customer confirms there (a GET never records: mail scanners open every link).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import quote

LINK_LIFETIME = timedelta(days=14)
_PURPOSE = b"switchboard/csat-link/v1"


class BadLink(ValueError):
    """The link was altered, belongs to another deployment, or has expired."""


def _key(secret: str) -> bytes:
    if not secret:
        raise ValueError("CSAT links need the deployment's SECRET_KEY")
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()


def _mac(secret: str, survey_id: int, expires: int) -> str:
    digest = hmac.new(_key(secret), f"{survey_id}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: str, survey_id: int, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{survey_id}.{expires}.{_mac(secret, survey_id, expires)}"


def verify(secret: str, token: str, now: datetime) -> int:
    """The survey id a token names; BadLink when it is forged, foreign or expired."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise BadLink("malformed link")
    survey_id, expires = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2].encode(), _mac(secret, survey_id, expires).encode()):
        raise BadLink("the link's signature does not match")
    if now.timestamp() > expires:
        raise BadLink("the link has expired")
    return survey_id


def rating_links(secret: str, base_url: str, survey_id: int, now: datetime) -> list[str]:
    """The five links of one survey, 1 to 5, on the public base URL."""
    token = quote(sign(secret, survey_id, now + LINK_LIFETIME), safe=".")
    base = base_url.rstrip("/")
    return [f"{base}/csat/{token}?r={n}" for n in range(1, 6)]
