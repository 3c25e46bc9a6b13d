"""Everything a process needs, built once from Settings: database, jobs, bus, vault, store."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors import connector_for
from connectors.base import AccountConfig, Connector
from inbox.attachments import AttachmentStore
from inbox.crypto import Vault
from inbox.database import Database
from inbox.models import ChannelAccount
from switchboard.bus import Bus, LocalBus, RedisBus
from switchboard.pauses import MemoryPauses, Pauses, build_pauses
from switchboard.reactions import reacting
from switchboard.runner import EmbeddedRunner, JobRunner, RqRunner
from switchboard.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    jobs: JobRunner
    bus: Bus
    vault: Vault
    store: AttachmentStore
    pauses: Pauses = field(default_factory=MemoryPauses)  # rate-limit pauses (pauses.py)
    _connectors: dict[str, Connector] = field(default_factory=dict)

    def connector(self, account: ChannelAccount) -> Connector:
        """The connector translating for `account`; one per slug and process, stateless."""
        return self.connector_by_slug(account.connector)

    def connector_by_slug(self, slug: str) -> Connector:
        if slug not in self._connectors:
            self._connectors[slug] = connector_for(slug, self.settings.env)
        return self._connectors[slug]

    def account_config(self, account: ChannelAccount) -> AccountConfig:
        return AccountConfig(
            id=account.id,
            external_id=account.external_id,
            credentials=self.vault.open(account.credentials),
            options=dict(account.options or {}),
        )

    def seal(self, credentials: dict[str, str]) -> bytes:
        return self.vault.seal(credentials)

    def close(self) -> None:
        stop = getattr(self.jobs, "stop", None)
        if stop is not None:
            stop()
        self.db.dispose()


def build_runtime(settings: Settings, *, jobs: JobRunner | None = None) -> Runtime:
    settings = ensure_secrets(settings)
    bus: Bus = (
        LocalBus() if settings.embedded else RedisBus(settings.redis_url, settings.redis_prefix)
    )
    if jobs is None:
        jobs = (
            EmbeddedRunner()
            if settings.embedded
            else RqRunner(settings.redis_url, settings.redis_prefix)
        )
    db = Database(
        settings.database_url, on_events=reacting(bus.publish, jobs), on_jobs=_enqueuer(jobs)
    )
    store = AttachmentStore(
        settings.instance_path / "attachments", settings.int("ATTACHMENT_MAX_BYTES")
    )
    vault = Vault(settings.get("SWITCHBOARD_ENCRYPTION_KEY"))
    return Runtime(
        settings=settings,
        db=db,
        jobs=jobs,
        bus=bus,
        vault=vault,
        store=store,
        pauses=build_pauses(
            None if settings.embedded else settings.redis_url, settings.redis_prefix
        ),
    )


def _enqueuer(jobs: JobRunner) -> Callable[[list[dict[str, Any]]], None]:
    """Enqueue the jobs a committed transaction asked for (see inbox.events.after_commit)."""

    def enqueue(requests: list[dict[str, Any]]) -> None:
        for job in requests:
            try:
                jobs.enqueue(
                    job["func"],
                    *job["args"],
                    queue=job["queue"],
                    job_id=job["job_id"],
                    at=job["at"],
                )
            except Exception:
                log.warning("could not enqueue %s%r; the sweeper will", job["func"], job["args"])

    return enqueue


def ensure_secrets(settings: Settings) -> Settings:
    """Fill SECRET_KEY and SWITCHBOARD_ENCRYPTION_KEY from instance/secrets.json, creating it.

    Production sets both in the environment; a fresh demo gets random ones that survive
    restarts (losing the encryption key would make stored channel tokens unreadable).
    """
    missing = [k for k in ("SECRET_KEY", "SWITCHBOARD_ENCRYPTION_KEY") if not settings.get(k)]
    if not missing:
        return settings
    path = settings.instance_path / "secrets.json"
    stored = _read_json(path)
    changed = False
    for key in missing:
        if not stored.get(key):
            stored[key] = secrets.token_urlsafe(32)
            changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return settings.replace(**{k: stored[k] for k in missing})


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text())
    return data
