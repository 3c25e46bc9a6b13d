"""Storing a raw inbound delivery: the only write on the webhook's acknowledgement path.

On PostgreSQL it is one INSERT in autocommit mode: durable when it returns (the same
guarantee as a transaction with its COMMIT), in one round trip instead of three (BEGIN,
INSERT, COMMIT). Every round trip is a moment the web thread waits to be scheduled again,
which is where the acknowledgement's tail latency comes from on a busy machine. SQLite keeps
the ordinary session: its writers queue on BEGIN IMMEDIATE (inbox/db.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import Table, insert

from inbox.db import Database
from inbox.models import InboundDelivery

_DELIVERY = cast(Table, InboundDelivery.__table__)


def store_delivery(
    db: Database,
    *,
    endpoint: str,
    connector: str,
    headers: Mapping[str, str],
    body: bytes,
    route: str | None,
) -> None:
    values = {
        "endpoint": endpoint,
        "connector": connector,
        "headers": dict(headers),
        "body": body,
        "route": route,
    }
    if db.dialect != "postgresql":
        with db.session() as session:
            session.add(InboundDelivery(**values))
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(insert(_DELIVERY), values)
