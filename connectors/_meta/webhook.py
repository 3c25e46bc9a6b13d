"""What every Meta webhook shares: the signature, the hub.challenge handshake, the envelope.

Meta signs the raw body bytes with the app secret (X-Hub-Signature-256). It escapes non-ASCII
as \\uXXXX before signing, so only the received bytes can be hashed, never re-encoded JSON
(docs/platform-apis.md §1.3).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.base import Headers, InvalidSignature, UnsupportedEvent

SIGNATURE_HEADER = "X-Hub-Signature-256"
GRAPH_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def sign(app_secret: str, body: bytes) -> str:
    """Return the X-Hub-Signature-256 value Meta would send with `body`."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(app_secret: str, headers: Headers, body: bytes) -> None:
    """Raise InvalidSignature unless the header is the HMAC of exactly these bytes."""
    if not app_secret:
        raise InvalidSignature("META_APP_SECRET is not configured; refusing every delivery")
    given = header(headers, SIGNATURE_HEADER)
    if given is None:
        raise InvalidSignature("missing X-Hub-Signature-256")
    expected = sign(app_secret, body)
    if not hmac.compare_digest(given.strip().lower().encode(), expected.encode()):
        raise InvalidSignature("X-Hub-Signature-256 does not match the body")


def handshake(verify_token: str, query: Mapping[str, str]) -> str | None:
    """Answer Meta's subscription check: the challenge if the token matches, else None (403)."""
    challenge = query.get("hub.challenge")
    token = query.get("hub.verify_token") or ""
    if not verify_token or query.get("hub.mode") != "subscribe" or challenge is None:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge


def load_envelope(body: bytes) -> tuple[str, list[Mapping[str, Any]]]:
    """Return (object, entries) of a delivery; raise UnsupportedEvent when it has no such shape."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnsupportedEvent(f"malformed Meta delivery: not JSON ({exc})") from exc
    if not isinstance(doc, Mapping) or not isinstance(doc.get("object"), str):
        raise UnsupportedEvent("malformed Meta delivery: no `object`")
    entries = doc.get("entry")
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise UnsupportedEvent(f"malformed Meta delivery: object {doc['object']!r} has no `entry`")
    return doc["object"], entries


def header(headers: Headers, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def from_ms(value: Any) -> datetime:
    """Messaging timestamps and their entry.time are epoch milliseconds."""
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def from_seconds(value: Any) -> datetime:
    """Feed and comment `changes` (entry.time, created_time) are epoch seconds."""
    return datetime.fromtimestamp(int(value), tz=UTC)


def from_graph_time(value: str) -> datetime:
    """Graph API reads return `2026-11-25T05:20:11+0000`."""
    return datetime.strptime(value, GRAPH_TIME_FORMAT).astimezone(UTC)


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(GRAPH_TIME_FORMAT)
