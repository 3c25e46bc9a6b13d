"""One channel account and its cursors, read with plain psycopg before the models are imported.

`switchboard poll` starts fetching mail in a child process while the parent is still importing
SQLAlchemy and the models and configuring the mappers (about 0.5 s of a 2-second catch-up,
issue 12). The child needs the account's options, sealed credentials and first cursor, so they
are read here, on a connection of their own that is closed before the fork. What this returns
is only a hint: the poll job reads the account and the cursor again through the models and
uses the child's pages only when they match (workers/early_poll.py). PostgreSQL only; any
other database gets None and polls the ordinary way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PeekedAccount:
    id: int
    connector: str
    external_id: str
    credentials: bytes | None
    options: dict[str, Any]
    enabled: bool
    health: str
    cursors: dict[str, str | None] = field(default_factory=dict)  # stream -> stored value


def peek_account(database_url: str, account_id: int) -> PeekedAccount | None:
    """The account and its stored cursors, or None (no such account, or not PostgreSQL)."""
    dsn = _libpq_dsn(database_url)
    if dsn is None:
        return None
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT id, connector, external_id, credentials, options, enabled, health "
            "FROM channel_account WHERE id = %s",
            (account_id,),
        ).fetchone()
        if row is None:
            return None
        cursors = conn.execute(
            "SELECT stream, value FROM sync_cursor WHERE channel_account_id = %s", (account_id,)
        ).fetchall()
    return PeekedAccount(
        id=int(row[0]),
        connector=str(row[1]),
        external_id=str(row[2]),
        credentials=bytes(row[3]) if row[3] is not None else None,
        options=dict(row[4] or {}),
        enabled=bool(row[5]),
        health=str(row[6]),
        cursors={str(stream): value for stream, value in cursors},
    )


def _libpq_dsn(url: str) -> str | None:
    """`postgresql+psycopg://…` (any spelling inbox.db accepts) as libpq reads it, else None."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return None
