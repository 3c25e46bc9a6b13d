"""Mail within seconds: IMAP IDLE watchers that enqueue a poll the moment mail arrives.

One thread per (email account, mailbox) in a long-lived process (`switchboard watch`, or the
demo's own process). With several watch processes a Redis lease per mailbox keeps it to one;
the poll job stays the only code that reads and stores mail, so a watcher that dies loses
nothing (the scheduled polls still run).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import select

from connectors import behaviour
from connectors.base import PollingConnector, Watch
from inbox.models import ChannelAccount
from switchboard.runtime import Runtime

log = logging.getLogger(__name__)

LEASE_SECONDS = 90


class Watchers:
    def __init__(self, rt: Runtime, redis_client: Any | None = None) -> None:
        self.rt = rt
        self.redis = redis_client
        self.stop = threading.Event()
        self.running: dict[tuple[int, str], threading.Thread] = {}

    def refresh(self) -> None:
        """Start watchers for mailboxes that have none; renew the leases of ours."""
        for account_id, mailbox, connector, config in self._wanted():
            key = (account_id, mailbox)
            thread = self.running.get(key)
            if thread is not None and thread.is_alive():
                self._lease(key)
                continue
            if not self._lease(key):
                continue  # another worker watches it
            thread = threading.Thread(
                target=self._watch,
                args=(connector, config, mailbox, account_id),
                name=f"idle-{account_id}-{mailbox}",
                daemon=True,
            )
            self.running[key] = thread
            thread.start()

    def run_forever(self, interval: float) -> None:
        while not self.stop.is_set():
            try:
                self.refresh()
            except Exception:
                log.exception("IDLE watchers: refresh failed")
            self.stop.wait(interval)

    def close(self) -> None:
        self.stop.set()

    def _wanted(self) -> list[tuple[int, str, Any, Any]]:
        found = []
        with self.rt.db.session() as session:
            accounts = session.scalars(
                select(ChannelAccount).where(
                    ChannelAccount.enabled.is_(True), ChannelAccount.health == "ok"
                )
            ).all()
            for account in accounts:
                connector = self.rt.connector(account)
                watcher = behaviour(connector, Watch)
                polling = behaviour(connector, PollingConnector)
                if watcher is None or account.options.get("idle") is False:
                    continue
                config = self.rt.account_config(account)
                mailboxes = polling.streams_for(config) if polling is not None else ()
                found += [(account.id, mailbox, connector, config) for mailbox in mailboxes]
        return found

    def _lease(self, key: tuple[int, str]) -> bool:
        if self.redis is None:
            return True
        name = f"{self.rt.settings.redis_prefix}idle:{key[0]}:{key[1]}"
        token = str(id(self))
        if self.redis.set(name, token, nx=True, ex=LEASE_SECONDS):
            return True
        if self.redis.get(name) == token.encode():
            self.redis.expire(name, LEASE_SECONDS)
            return True
        return False

    def _watch(self, connector: Any, config: Any, mailbox: str, account_id: int) -> None:
        def on_mail() -> None:
            self.rt.jobs.enqueue(
                "workers.poll.poll_account", account_id, queue="poll", job_id=f"poll:{account_id}"
            )

        try:
            connector.watch(config, mailbox, on_mail, self.stop)
        except Exception:
            log.exception("IDLE watcher for account %s/%s stopped", account_id, mailbox)
