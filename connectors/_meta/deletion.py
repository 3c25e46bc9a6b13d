"""Meta's data-deletion callback: the `signed_request` a user's "remove app" sends us.

Meta posts `signed_request=<signature>.<payload>` (both base64url): the payload is JSON with
`user_id` (the app-scoped id), `algorithm` HMAC-SHA256 and `issued_at`, signed with the app
secret. facebook-sdk's `parse_signed_request` decodes and checks it, but compares the
signature with `!=`; the constant-time check here runs first, so a forged signature is refused
before that comparison and its timing tells nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

import facebook

from connectors.base import InvalidSignature

MAX_SIGNED_REQUEST = 4096


def sign_request(app_secret: str, payload: dict[str, Any]) -> str:
    """A signed_request as Meta builds it (the emulator and the tests send these)."""
    body = _b64(json.dumps({"algorithm": "HMAC-SHA256", **payload}).encode())
    signature = hmac.new(app_secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{_b64(signature)}.{body}"


def deletion_user_id(signed_request: str, app_secret: str) -> str:
    """The app-scoped user id Meta asks us to erase; InvalidSignature for anything else."""
    if not app_secret:
        raise InvalidSignature("META_APP_SECRET is not configured; refusing every request")
    if not signed_request or len(signed_request) > MAX_SIGNED_REQUEST:
        raise InvalidSignature("signed_request is missing or too long")
    encoded_sig, _, payload = signed_request.partition(".")
    try:
        given = base64.urlsafe_b64decode(encoded_sig + "=" * (-len(encoded_sig) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidSignature("signed_request signature is not base64url") from exc
    expected = hmac.new(app_secret.encode(), payload.encode("ascii", "replace"), hashlib.sha256)
    if not payload or not hmac.compare_digest(given, expected.digest()):
        raise InvalidSignature("signed_request signature does not match the app secret")
    try:
        data = facebook.parse_signed_request(signed_request, app_secret)
    except (ValueError, UnicodeError) as exc:
        raise InvalidSignature(f"signed_request payload is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidSignature("signed_request was refused by parse_signed_request")
    user_id = data.get("user_id")
    if not isinstance(user_id, str | int) or not str(user_id).strip():
        raise InvalidSignature("signed_request names no user_id")
    return str(user_id)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
