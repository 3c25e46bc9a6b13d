"""X-Hub-Signature-256 over the raw bytes, and the hub.challenge handshake."""

from __future__ import annotations

import json

import pytest

from connectors._meta.webhook import sign
from connectors.base import InvalidSignature
from connectors.facebook import FacebookConnector

SECRET = "app-secret-ko"
CONNECTOR = FacebookConnector({"META_APP_SECRET": SECRET, "META_VERIFY_TOKEN": "tok-123"})
DOC = {
    "object": "page",
    "entry": [{"id": "1", "time": 1, "messaging": [{"text": "배송 언제 되나요?"}]}],
}
BODY = json.dumps(DOC, ensure_ascii=True).encode()  # Meta escapes non-ASCII before signing


def test_good_signature_over_ascii_escaped_korean() -> None:
    assert b"\\ubc30" in BODY
    CONNECTOR.verify({"X-Hub-Signature-256": sign(SECRET, BODY)}, BODY)
    CONNECTOR.verify({"x-hub-signature-256": sign(SECRET, BODY)}, BODY)  # any header case


def test_reencoded_json_does_not_verify() -> None:
    """Hashing re-serialised JSON (here: UTF-8 instead of \\u escapes) must fail."""
    reencoded = json.dumps(DOC, ensure_ascii=False).encode()
    with pytest.raises(InvalidSignature):
        CONNECTOR.verify({"X-Hub-Signature-256": sign(SECRET, BODY)}, reencoded)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": ""},
        {"X-Hub-Signature-256": sign("other-secret", BODY)},
        {"X-Hub-Signature-256": sign(SECRET, BODY + b" ")},
        {"X-Hub-Signature": "sha1=" + "0" * 40},  # the legacy header alone is not enough
    ],
    ids=["missing", "empty", "wrong-secret", "other-body", "legacy-only"],
)
def test_bad_or_missing_signature(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidSignature):
        CONNECTOR.verify(headers, BODY)


def test_without_an_app_secret_nothing_verifies() -> None:
    with pytest.raises(InvalidSignature, match="not configured"):
        FacebookConnector({}).verify({"X-Hub-Signature-256": sign("", BODY)}, BODY)


def test_handshake_returns_the_challenge() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "tok-123", "hub.challenge": "1158201444"}
    assert CONNECTOR.handshake(query) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "tok-123", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "tok-123"},
        {},
    ],
)
def test_handshake_refused(query: dict[str, str]) -> None:
    assert CONNECTOR.handshake(query) is None


def test_handshake_refused_without_a_configured_token() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert FacebookConnector({}).handshake(query) is None
