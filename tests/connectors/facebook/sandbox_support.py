"""The Meta sandbox on loopback and connectors pointed at it (facebook and instagram tests)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from connectors._meta.usage import USAGE
from connectors.base import AccountConfig
from sandbox.meta import create_app
from tests.support.servers import serve_wsgi

SECRET = "sandbox-app-secret"
TOKEN = "sandbox-page-token"
PAGE = "104857600012345"
IG = "17841400000012345"
PAGE_ACCOUNT = AccountConfig(id=1, external_id=PAGE, credentials={"page_token": TOKEN})
IG_ACCOUNT = AccountConfig(
    id=2, external_id=IG, credentials={"page_token": TOKEN}, options={"page_id": PAGE}
)


class Sandbox:
    """Drive the emulator through its HTTP control API, as a test or a person would."""

    def __init__(self, url: str, app: Any) -> None:
        self.url = url
        self.app = app
        self.http = requests.Session()

    def emu(self, path: str, **body: Any) -> Any:
        response = self.http.post(f"{self.url}/_emu/{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def requests(self, path: str = "", method: str = "") -> list[dict[str, Any]]:
        response = self.http.get(
            f"{self.url}/_emu/requests", params={"path": path, "method": method}, timeout=30
        )
        return list(response.json())

    def clear_requests(self) -> None:
        self.http.delete(f"{self.url}/_emu/requests", timeout=30)

    def settings(self, **extra: str) -> dict[str, str]:
        return {
            "META_GRAPH_URL": self.url,
            "META_GRAPH_VERSION": "v23.0",
            "META_APP_SECRET": SECRET,
            "META_APP_ID": "880011223344556",
            "META_IG_CONTAINER_WAIT": "0",
            # The emulator serves the "CDN" files on loopback: allowed by configuration only.
            "FETCH_ALLOW_HOSTS": urlsplit(self.url).netloc,
            **extra,
        }

    def now(self) -> datetime:
        return datetime.fromisoformat(self.emu("clock")["now"]).astimezone(UTC)


@pytest.fixture(autouse=True)
def _forget_usage() -> Iterator[None]:
    USAGE.clear()
    yield
    USAGE.clear()


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    """Override in a module to configure the emulator."""
    return {}


@pytest.fixture
def sandbox(sandbox_config: dict[str, Any]) -> Iterator[Sandbox]:
    app = create_app({"APP_SECRET": SECRET, **sandbox_config})
    with serve_wsgi(app) as url:
        yield Sandbox(url, app)
