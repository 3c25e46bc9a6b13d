"""The emulators' sign-in side for tests: servers, the settings pointing at them, and a
"browser" that presses the consent button."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from connectors.x import XConnector
from sandbox.meta import create_app as create_meta
from sandbox.meta.app import DEFAULTS
from sandbox.x import World
from sandbox.x import create_app as create_x
from sandbox.x import oauth as x_oauth
from sandbox.x.world import CONSUMER_KEY, CONSUMER_SECRET
from tests.support.servers import serve_wsgi


@pytest.fixture
def meta_url() -> Iterator[str]:
    with serve_wsgi(create_meta({"SEED": False})) as url:
        yield url


@pytest.fixture
def x_world() -> World:
    return World()


@pytest.fixture
def x_url(x_world: World) -> Iterator[str]:
    XConnector.budgets.clear()
    with serve_wsgi(create_x(x_world)) as url:
        yield url
    XConnector.budgets.clear()


def sign_in_settings(meta_url: str, x_url: str) -> dict[str, str]:
    """Meta and X settings with every sign-in flow configured against the two emulators."""
    return {
        "META_GRAPH_URL": meta_url,
        "META_LOGIN_URL": meta_url,
        "META_APP_ID": str(DEFAULTS["APP_ID"]),
        "META_APP_SECRET": str(DEFAULTS["APP_SECRET"]),
        "X_API_URL": x_url,
        "X_CONSUMER_KEY": CONSUMER_KEY,
        "X_CONSUMER_SECRET": CONSUMER_SECRET,
        **x_oauth.settings(x_url),
    }


def press_consent(url: str, decision: str = "allow") -> str:
    """Open an emulator's consent page, press its button, return the redirect (not followed)."""
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text
    fields = {
        k: v.replace("&amp;", "&")
        for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)
    }
    answer = browser.post(page.url, data={**fields, "decision": decision}, allow_redirects=False)
    assert answer.status_code == 302
    return str(answer.headers["Location"])
