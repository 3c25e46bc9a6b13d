"""Every setting the code reads has a documented line in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

from switchboard.settings import DEFAULTS, Settings

ROOT = Path(__file__).resolve().parent.parent


def documented() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.M))


def test_every_default_is_documented():
    missing = set(DEFAULTS) - documented()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_environment_beats_dotenv_beats_defaults(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("MESSAGE_MAX_CHARS=123\nSEND_MAX_ATTEMPTS=9\n")
    monkeypatch.setenv("SWITCHBOARD_DOTENV", str(dotenv))
    monkeypatch.setenv("SEND_MAX_ATTEMPTS", "4")
    settings = Settings.load()
    assert settings.int("MESSAGE_MAX_CHARS") == 123
    assert settings.int("SEND_MAX_ATTEMPTS") == 4
    assert settings.get("META_GRAPH_VERSION") == DEFAULTS["META_GRAPH_VERSION"]


def test_each_channels_settings_are_read_and_others_ignored(monkeypatch):
    """The allow-list comes from the channel declarations: a new channel's variables are read."""
    from connectors import CHANNELS, settings_prefixes

    for declared in CHANNELS.values():
        assert set(declared.settings.defaults) <= set(DEFAULTS)
    prefixes = settings_prefixes()
    assert {"META_", "X_", "IMAP_", "WEBCHAT_"} <= set(prefixes)
    for prefix in prefixes:
        monkeypatch.setenv(f"{prefix}CONTRACT_PROBE", prefix)
    monkeypatch.setenv("NOT_A_CHANNEL_PROBE", "x")
    settings = Settings.load()
    for prefix in prefixes:
        assert settings.get(f"{prefix}CONTRACT_PROBE") == prefix
    assert settings.get("NOT_A_CHANNEL_PROBE") == ""
