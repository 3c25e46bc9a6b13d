"""Many rows in one statement: the multi-row INSERT and UPDATE behind set-based ingest.

inbox/db.py's companion for batches. The two databases differ here, and only here: PostgreSQL
gets one array per column (`INSERT … SELECT * FROM unnest(…)`), so the statement text is the
same for 5 rows or 500 (compiled and parsed once, a parameter per column instead of per
value); SQLite gets a multi-row VALUES list within its bind-parameter limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, String, any_, bindparam, case, literal, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import NullType

MAX_PARAMS = 30_000  # bind parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535
MAX_UPDATE_ROWS = 500
_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def insert_rows(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    conflict: tuple[str, ...] = (),
    returning: tuple[str, ...] = (),
) -> list[Any]:
    """INSERT `rows` (all with the same keys) [ON CONFLICT (…) DO NOTHING] [RETURNING …].

    Apply the Python-side defaults first (inbox.db.with_defaults): plain SQL skips them.
    With `conflict`, rows whose key exists are skipped; RETURNING names only the rows added.
    """
    if not rows:
        return []
    columns = tuple(rows[0])
    if session.get_bind().dialect.name == "postgresql":
        dialect = session.get_bind().dialect
        params = {}
        constant = []
        for index, name in enumerate(columns):
            process = table.c[name].type.bind_processor(dialect)
            values = [row[name] for row in rows]
            values = [process(v) for v in values] if process else values
            if index and _same(values):  # the first column stays an array: it counts the rows
                constant.append(name)
                params[name] = values[0]
            else:
                params[name] = values
        statement = _unnest_insert(table, columns, tuple(constant), conflict, returning)
        result = session.execute(statement, params)
        return list(result.all()) if returning else []
    out: list[Any] = []
    for chunk in chunks(rows, max(1, MAX_PARAMS // len(columns))):
        statement = _values_insert(table, len(chunk), columns, conflict, returning)
        params = {f"{c}_{i}": row[c] for i, row in enumerate(chunk) for c in columns}
        result = session.execute(statement, params)
        if returning:
            out += result.all()
    return out


def _tail(conflict: tuple[str, ...], returning: tuple[str, ...]) -> str:
    sql = f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING" if conflict else ""
    return sql + (f" RETURNING {', '.join(returning)}" if returning else "")


# Values bound once for every row when a column holds the same one throughout (NULLs, the
# account, the direction): psycopg writes an array element by element in Python, and a mail
# row has a dozen such columns. Containers are left out: equal JSON may differ in its text.
_SCALARS = (type(None), str, int, float, bool, bytes, datetime, date, UUID)


def _same(values: list[Any]) -> bool:
    first = values[0]
    kind = type(first)
    return kind in _SCALARS and all(type(v) is kind and v == first for v in values)


@lru_cache(maxsize=128)
def _unnest_insert(
    table: Any,
    columns: tuple[str, ...],
    constant: tuple[str, ...],
    conflict: tuple[str, ...],
    returning: tuple[str, ...],
) -> Any:
    """Names come from our own table metadata; every value is bound: an array per column, or
    one value for a `constant` column."""
    arrays = [c for c in columns if c not in constant]
    bound = ", ".join(f"CAST(:{c} AS {table.c[c].type.compile(dialect=_PG)}[])" for c in arrays)
    picked = ", ".join(
        f"CAST(:{c} AS {table.c[c].type.compile(dialect=_PG)})" if c in constant else f'u."{c}"'
        for c in columns
    )
    names = ", ".join(f'"{c}"' for c in arrays)
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {picked} FROM unnest({bound}) AS u({names})"
    )
    return text(sql + _tail(conflict, returning))


@lru_cache(maxsize=128)
def _values_insert(
    table: Any,
    count: int,
    columns: tuple[str, ...],
    conflict: tuple[str, ...],
    returning: tuple[str, ...],
) -> Any:
    """Built once per shape: names from our own table metadata, values typed bound parameters."""
    values = ", ".join("(" + ", ".join(f":{c}_{i}" for c in columns) + ")" for i in range(count))
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {values}"  # noqa: S608
    binds = [bindparam(f"{c}_{i}", type_=table.c[c].type) for i in range(count) for c in columns]
    return text(sql + _tail(conflict, returning)).bindparams(*binds)


def update_rows(session: Session, table: Any, changes: dict[int, dict[str, Any]]) -> None:
    """UPDATE many rows by id, each with its own values, in one statement per set of columns.

    PostgreSQL: `UPDATE … SET col = v.col FROM unnest(…) AS v WHERE id = v.id`; SQLite:
    `SET col = CASE id WHEN … THEN … END`. Values are bound with the column's type, so times
    go through UTCDateTime like any ORM write.
    """
    shapes: dict[tuple[str, ...], dict[int, dict[str, Any]]] = {}
    for row_id, change in changes.items():
        if change:
            shapes.setdefault(tuple(sorted(change)), {})[row_id] = change
    postgres = session.get_bind().dialect.name == "postgresql"
    for names, rows in shapes.items():
        if postgres:
            _unnest_update(session, table, names, rows)
        else:
            for chunk in chunks(list(rows.items()), MAX_UPDATE_ROWS):
                _case_update(session, table, names, chunk)


def _unnest_update(
    session: Session, table: Any, names: tuple[str, ...], rows: dict[int, dict[str, Any]]
) -> None:
    dialect = session.get_bind().dialect
    params: dict[str, Any] = {"id": list(rows)}
    for name in names:
        process = table.c[name].type.bind_processor(dialect)
        values = [change[name] for change in rows.values()]
        params[name] = [process(v) for v in values] if process else values
    session.execute(_unnest_update_statement(table, names), params)


@lru_cache(maxsize=64)
def _unnest_update_statement(table: Any, names: tuple[str, ...]) -> Any:
    """Names come from our own table metadata; every value is a bound array."""
    columns = ("id", *names)
    arrays = ", ".join(f"CAST(:{c} AS {table.c[c].type.compile(dialect=_PG)}[])" for c in columns)
    sets = ", ".join(f"{c} = v.{c}" for c in names)
    sql = (
        f"UPDATE {table.name} SET {sets} FROM unnest({arrays}) AS v({', '.join(columns)}) "  # noqa: S608
        f"WHERE {table.name}.id = v.id"
    )
    return text(sql)


def _case_update(
    session: Session, table: Any, names: tuple[str, ...], chunk: Sequence[Any]
) -> None:
    values = {}
    for name in names:
        column = table.c[name]
        whens = {row_id: literal(change[name], column.type) for row_id, change in chunk}
        values[name] = case(whens, value=table.c.id, else_=column)
    ids = [row_id for row_id, _change in chunk]
    session.execute(update(table).where(table.c.id.in_(ids)).values(values))


def one_of(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN (values)`: one array parameter on PostgreSQL (`= ANY(…)`, the same statement
    for any number of values), a list of parameters on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        item = String() if isinstance(column.type, NullType) else column.type  # e.g. lower(…)
        array = bindparam(None, list(values), type_=postgresql.ARRAY(item))
        return column == any_(array)  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
