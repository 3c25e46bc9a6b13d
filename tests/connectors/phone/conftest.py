"""The provider emulator (sandbox/twilio) on a loopback port, and helpers to drive it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox.twilio import create_app
from sandbox.twilio.app import DEFAULTS
from tests.support.servers import serve_wsgi

ACCOUNT_SID = DEFAULTS["ACCOUNT_SID"]
AUTH_TOKEN = DEFAULTS["AUTH_TOKEN"]
NUMBER = DEFAULTS["NUMBER"]
CUSTOMER = "+821012345678"


class Provider:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def emu(self, path: str, **body: Any) -> Any:
        answer = self.http.post(f"{self.url}/_emu/{path}", json=body, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(f"{self.url}/_emu/{path}", params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def requests(self) -> list[dict[str, Any]]:
        return list(self.get("requests"))

    def settings(self, **extra: str) -> dict[str, str]:
        return {
            "PHONE_ACCOUNT_SID": ACCOUNT_SID,
            "PHONE_AUTH_TOKEN": AUTH_TOKEN,
            "PHONE_API_URL": self.url,
            **extra,
        }


@pytest.fixture
def provider() -> Iterator[Provider]:
    with serve_wsgi(create_app()) as url:
        yield Provider(url)
