"""X-Twilio-Signature: HMAC over the URL called and the sorted fields, with our auth token."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from connectors.base import URL_HEADER, InvalidSignature
from connectors.phone import PhoneConnector

BODY = (Path(__file__).parent / "fixtures" / "sms__received_korean.form").read_bytes().strip()
URL = "https://inbox.example.com/webhooks/phone"
TOKEN = "the-auth-token"


def fields(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode(), keep_blank_values=True))  # empty fields are signed


def signed(url: str = URL, body: bytes = BODY, token: str = TOKEN) -> dict:
    signature = RequestValidator(token).compute_signature(url, fields(body))
    return {"X-Twilio-Signature": signature, URL_HEADER: url}


def connector() -> PhoneConnector:
    return PhoneConnector({"PHONE_AUTH_TOKEN": TOKEN})


def test_a_signed_callback_passes() -> None:
    connector().verify(signed(), BODY)


def test_the_url_with_an_explicit_port_passes_too() -> None:
    connector().verify(signed("https://inbox.example.com:443/webhooks/phone"), BODY)


def test_sha256_named_by_the_settings_header_passes() -> None:
    signature = RequestValidator(TOKEN).compute_signature(URL, fields(BODY), "HMAC_SHA256")
    headers = {
        "X-Twilio-Signature": signature,
        "X-Twilio-Webhooks-Signature-Settings": "algorithm=HMAC_SHA256",
        URL_HEADER: URL,
    }
    connector().verify(headers, BODY)


@pytest.mark.parametrize(
    "headers, body",
    [
        ({}, BODY),  # no signature at all
        (signed(token="another-token"), BODY),  # someone else's token
        (signed(), BODY.replace(b"Body=", b"Body=X")),  # the text was changed
        (signed(), BODY + b"&Extra=1"),  # a field was added
        ({**signed("https://evil.example.com/webhooks/phone"), URL_HEADER: URL}, BODY),
        ({**signed(), URL_HEADER: URL + "?ref=x"}, BODY),  # called at another URL
        ({k: v for k, v in signed().items() if k != URL_HEADER}, BODY),  # URL unknown
    ],
)
def test_anything_else_is_refused(headers: dict, body: bytes) -> None:
    with pytest.raises(InvalidSignature):
        connector().verify(headers, body)


def test_without_an_auth_token_nothing_passes() -> None:
    with pytest.raises(InvalidSignature):
        PhoneConnector({}).verify(signed(), BODY)
