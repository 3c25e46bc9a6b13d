"""The X connector's test fixtures: corpus files, and the X emulator served on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.base import AccountConfig
from connectors.x import XConnector
from sandbox.x import World, create_app
from sandbox.x.world import BRAND, CONSUMER_KEY, CONSUMER_SECRET
from tests.support.servers import serve_wsgi

FIXTURES = Path(__file__).parent / "fixtures"
BRAND_ID = BRAND[0]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Sandbox:
    url: str
    world: World

    def emu(self, path: str, **doc: Any) -> Any:
        response = requests.post(f"{self.url}/_emu/{path}", json=doc, timeout=10)
        response.raise_for_status()
        return response.json()

    def received(self, method: str, path: str) -> list[dict[str, Any]]:
        found = requests.get(
            f"{self.url}/_emu/requests", params={"method": method, "path": path}, timeout=10
        )
        return list(found.json()["requests"])


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    world = World()
    with serve_wsgi(create_app(world)) as url:
        yield Sandbox(url=url, world=world)


@pytest.fixture(autouse=True)
def _fresh_budgets() -> Iterator[None]:
    XConnector.budgets.clear()
    yield
    XConnector.budgets.clear()


@pytest.fixture
def connector(sandbox: Sandbox) -> XConnector:
    return XConnector(
        {
            "X_API_URL": sandbox.url,
            "X_CONSUMER_KEY": CONSUMER_KEY,
            "X_CONSUMER_SECRET": CONSUMER_SECRET,
        }
    )


@pytest.fixture
def account() -> AccountConfig:
    """The brand connected with OAuth 1.0a user tokens."""
    return AccountConfig(
        id=1,
        external_id=BRAND_ID,
        credentials={
            "access_token": "brand-access-token",
            "access_token_secret": "brand-access-secret",
        },
        options={"page_size": 5},
    )


@pytest.fixture
def bearer_account() -> AccountConfig:
    """The brand connected with an OAuth 2.0 user token."""
    return AccountConfig(
        id=2,
        external_id=BRAND_ID,
        credentials={"bearer_token": "brand-user-bearer"},
        options={"page_size": 5},
    )
