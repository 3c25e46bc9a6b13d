"""The embedded demo for tests: its settings in a temporary folder, nothing read from `.env`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cli.demo import prepare
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
