"""The embedded demo for tests: its settings in a temporary folder, nothing read from `.env`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from cli.demo import prepare
from inbox.models import Message
from switchboard.runtime import Runtime
from switchboard.settings import Settings
from tests.support.servers import free_port


def demo_settings(tmp_path: Path) -> Settings:
    """SQLite and the instance folder under `tmp_path`; no Redis; keys made on first start."""
    return Settings.load(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
            "REDIS_URL": "",
            "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
            "SECRET_KEY": "",
            "SWITCHBOARD_ENCRYPTION_KEY": "",
        }
    )


@dataclass(frozen=True)
class PreparedDemo:
    """What `switchboard demo` prepared (`cli.demo.prepare`'s answer) and the port it serves on."""

    info: dict[str, Any]
    port: int

    @property
    def runtime(self) -> Runtime:
        rt = self.info["runtime"]
        assert isinstance(rt, Runtime)
        return rt


@contextmanager
def prepared_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PreparedDemo]:
    """The embedded demo prepared in `tmp_path` (its working folder too) for a free port; the
    runtime is closed afterwards. The caller serves `demo_app(demo.runtime)` on `demo.port`."""
    monkeypatch.chdir(tmp_path)
    port = free_port()
    info = prepare(host="127.0.0.1", port=port, settings=demo_settings(tmp_path))
    demo = PreparedDemo(info, port)
    try:
        yield demo
    finally:
        demo.runtime.close()


def wait_for_value(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """`check()`'s first truthy answer, or its last falsy one after `timeout` seconds: the demo
    tests assert on what came back, so a timeout fails where the value is checked."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def reply_and_wait_delivered(
    base: str, rt: Runtime, conversation_id: int, text: str, headers: dict[str, str]
) -> str | None:
    """An agent's reply through the REST API, its send job run by the demo's embedded runner;
    the message's status once the platform's delivery receipt has come back (or None)."""
    reply = requests.post(
        f"{base}/api/v1/conversations/{conversation_id}/messages",
        json={"text": text},
        headers=headers,
        timeout=30,
    )
    assert reply.status_code == 201, reply.text
    message_id = reply.json()["id"]

    def delivered() -> str | None:
        rt.jobs.drain(1)
        with rt.db.session() as s:
            found = s.get(Message, message_id)
            return found.status if found and found.status == "delivered" else None

    status: str | None = wait_for_value(delivered)
    return status
