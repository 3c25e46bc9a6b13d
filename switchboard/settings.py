"""Settings from the environment (and `.env`), read once per process.

Every setting is listed with a comment in `.env.example`. Connectors receive the plain
mapping (`Settings.env`) so they stay free of our types; the rest of the code reads the
typed fields.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connectors import settings_defaults, settings_prefixes

# Switchboard's own settings; each channel declares the ones its connector reads
# (connectors/<slug>/channel.py), and DEFAULTS holds both.
CORE_DEFAULTS: dict[str, str] = {
    "DATABASE_URL": "sqlite:///instance/switchboard.db",
    "REDIS_URL": "",
    "SECRET_KEY": "",
    "SWITCHBOARD_ENCRYPTION_KEY": "",
    "SWITCHBOARD_INSTANCE": "instance",
    "ATTACHMENT_MAX_BYTES": str(25 * 1024 * 1024),
    "MESSAGE_MAX_CHARS": "20000",
    "SEND_MAX_ATTEMPTS": "6",
    "SWEEP_INTERVAL_SECONDS": "30",
    "SWEEP_STALE_SECONDS": "60",
    "REPORTS_STALE_SECONDS": "90",
    "INGEST_BATCH_SIZE": "500",
    "INGEST_POLL_SECONDS": "2",
    "INGEST_THREADS": "2",
    "INGEST_FRESH_SIZE": "50",
    "WORKER_NICE": "10",
    "WEB_WORKERS": "2",
    "WEB_THREADS": "32",
    "CHAT_POLL_SLOTS": "12",
    "CHAT_POLLS_PER_SESSION": "2",
    "CHAT_POLLS_PER_IP": "6",
    "LIVE_STREAM_SLOTS": "12",
    "LIVE_STREAMS_PER_AGENT": "4",
    "LOG_FORMAT": "text",
    "LOGIN_RATE_LIMIT": "10/5min",
    "RATE_LIMIT_LOGIN": "60/minute",
    "RATE_LIMIT_CHAT_SESSIONS": "30/minute;300/hour",
    "RATE_LIMIT_CHAT_MESSAGES": "30/minute;300/hour",
    "RATE_LIMIT_CHAT_TYPING": "30/minute",
    "RATE_LIMIT_WEBHOOKS": "60/minute",
    "REDIS_PREFIX": "",
    "SESSION_COOKIE_SECURE": "",
    "TRUSTED_PROXIES": "0",
    "METRICS_TOKEN": "",
    "PROMETHEUS_MULTIPROC_DIR": "",
    "WEBHOOK_MAX_BYTES": str(4 * 1024 * 1024),
    "INBOUND_RETENTION_DAYS": "30",
    "PROFILE_REFRESH_DAYS": "14",
    "SWITCHBOARD_FAKE_CONNECTOR": "",
    "FETCH_ALLOW_HOSTS": "",
    "FETCH_TIMEOUT_SECONDS": "20",
    "MAIL_ALLOW_HOSTS": "",
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "PUBLISH_STALE_SECONDS": "900",
    "PUBLISH_MAX_ATTEMPTS": "5",
    "WEBHOOK_RETRY_SCHEDULE": "60,300,900,3600,7200,14400,28800,43200,86400",
    "WEBHOOK_ALLOW_HOSTS": "",
    "NOTIFY_SMTP_URL": "",
    "NOTIFY_EMAIL_FROM": "switchboard@localhost",
}
DEFAULTS: dict[str, str] = {**CORE_DEFAULTS, **settings_defaults()}


@dataclass(frozen=True)
class Settings:
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, overrides: Mapping[str, str] | None = None) -> Settings:
        """Read DEFAULTS < .env < process environment < overrides."""
        values = dict(DEFAULTS)
        values.update(_read_dotenv(Path(os.environ.get("SWITCHBOARD_DOTENV", ".env"))))
        values.update({k: v for k, v in os.environ.items() if k in DEFAULTS or _is_ours(k)})
        values.update(overrides or {})
        return cls(env=values)

    def get(self, name: str, default: str = "") -> str:
        return self.env.get(name, default)

    def replace(self, **overrides: str) -> Settings:
        return Settings(env={**self.env, **overrides})

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def redis_url(self) -> str:
        return self.env.get("REDIS_URL", "")

    @property
    def embedded(self) -> bool:
        """No Redis configured: jobs and live events run inside this process."""
        return not self.redis_url

    @property
    def redis_prefix(self) -> str:
        """Namespace of our Redis keys and pub/sub channels (REDIS_PREFIX, else derived).

        Pub/sub channels ignore Redis database numbers, so two deployments on one server hear
        each other unless their channels differ. The derived default names the deployment by its
        database (driver, user, password and query left out), which every process of one
        deployment shares; set REDIS_PREFIX when processes reach the database by different names.
        """
        explicit = self.env.get("REDIS_PREFIX", "").strip()
        if explicit:
            return explicit if explicit.endswith(":") else explicit + ":"
        return f"switchboard:{_deployment_digest(self.database_url)}:"

    @property
    def instance_path(self) -> Path:
        return Path(self.env["SWITCHBOARD_INSTANCE"]).resolve()

    def int(self, name: str) -> int:
        return int(self.env[name])


def _deployment_digest(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        url = make_url(database_url)
        name = f"{url.get_backend_name()}|{url.host or ''}|{url.port or ''}|{url.database or ''}"
    except Exception:  # an unparsable URL still names one deployment
        name = database_url
    return hashlib.sha256(name.encode()).hexdigest()[:12]


# Environment variables read beyond DEFAULTS: ours, and every registered channel's prefixes.
PREFIXES: tuple[str, ...] = ("SWITCHBOARD_", *settings_prefixes())


def _is_ours(key: str) -> bool:
    return key.startswith(PREFIXES)


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}
