"""The embedded demo for tests: its settings in a temporary folder, nothing read from `.env`."""

from __future__ import annotations

from pathlib import Path

from switchboard.settings import Settings


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
