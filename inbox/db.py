"""The engine and the few dialect-aware helpers the domain needs (the session factory,
`Database`, is in inbox/database.py).

SQLite (embedded mode) and PostgreSQL (production) run the same code; where they differ
(upserts, pragmas) the difference lives here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import any_, bindparam, create_engine, event, literal_column, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

EventSink = Callable[[list[dict[str, Any]]], None]
JobSink = Callable[[list[dict[str, Any]]], None]  # see inbox.events.after_commit
log = logging.getLogger(__name__)


def normalize_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web process read while a job writes; foreign keys are off by default.
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Take the write lock at BEGIN so two writers queue on busy_timeout instead of one failing
    # with "database is locked" when it upgrades a read transaction.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once `Database.session()` has committed (e.g. enqueue a job that reads
    the new rows); never if it rolls back."""
    session.info.setdefault("after_commit", []).append(action)


# What a session queues for after its commit: events (inbox.events.emit), job requests
# (inbox.events.after_commit) and actions (after_commit above).
PENDING = ("events", "jobs", "after_commit")


def pending_mark(session: Session) -> tuple[int, ...]:
    """How many events, job requests and actions wait now; see `forget_since`."""
    return tuple(len(session.info.get(key, [])) for key in PENDING)


def forget_since(session: Session, mark: tuple[int, ...]) -> None:
    """Drop what was queued after `mark`: its savepoint was rolled back, so the rows a job
    would read are gone, and a retry of the same work queues its own."""
    for key, count in zip(PENDING, mark, strict=True):
        del session.info.setdefault(key, [])[count:]


def in_values(session: Session, column: Any, values: Iterable[Any]) -> Any:
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)`, one parameter whatever
    the count, so a batch's statement stays short and psycopg caches its parsing."""
    listed = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, listed, type_=postgresql.ARRAY(column.type)))
    return column.in_(listed)


def insert_ignore(
    session: Session,
    table: Any,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
) -> bool:
    """INSERT unless a row with the same unique key exists; return True if inserted.

    The database constraint decides, so two workers racing on the same key both succeed and
    exactly one row exists afterwards.
    """
    dialect = session.get_bind().dialect.name
    insert_fn: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert_fn(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        # RETURNING, not rowcount: SQLAlchemy's rowcount for this statement on psycopg is -1
        # whether or not a row went in, which read as "inserted" every time.
        .returning(literal_column("1"))
    )
    return session.execute(statement).first() is not None


def insert_ignore_many(
    session: Session,
    table: Any,
    rows: Sequence[Mapping[str, Any]],
    conflict_columns: Sequence[str],
) -> None:
    """`insert_ignore` for many rows in one statement (executemany; SQLAlchemy sends
    PostgreSQL one multi-row INSERT for it)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert_fn: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_fn(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
    session.execute(statement, [dict(row) for row in rows])


def insert_returning_id(
    session: Session,
    table: Any,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new id, or None if the key existed.

    One round trip and no savepoint, which is what keeps ingest fast; the unique constraint
    still decides races. SQLAlchemy cannot cache the compiled form of an ON CONFLICT insert,
    so the statement is built once per table and column set as typed text (SQLite ≥ 3.35 and
    PostgreSQL share this syntax).
    """
    row = with_defaults(table, values)
    statement = _upsert_statement(table, tuple(row), tuple(conflict_columns))
    new_id = session.execute(statement, row).scalar()
    return None if new_id is None else int(new_id)


def with_defaults(table: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """Apply the Python-side column defaults that plain SQL text would skip."""
    row = dict(values)
    for column in table.columns:
        default = column.default
        if column.name in row or default is None or column.primary_key:
            continue
        if default.is_scalar:
            row[column.name] = default.arg
        elif default.is_callable:
            row[column.name] = default.arg(None)
    return row


_UPSERTS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Any] = {}


def _upsert_statement(table: Any, columns: tuple[str, ...], conflict: tuple[str, ...]) -> Any:
    key = (table.name, columns, conflict)
    statement = _UPSERTS.get(key)
    if statement is None:
        names = ", ".join(columns)
        params = ", ".join(f":{c}" for c in columns)
        # Names come from our own table metadata; every value is a bound parameter.
        sql = (
            f"INSERT INTO {table.name} ({names}) VALUES ({params}) "  # noqa: S608
            f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING RETURNING id"
        )
        statement = text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))
        _UPSERTS[key] = statement
    return statement
