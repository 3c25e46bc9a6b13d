"""A gunicorn config (`-c`) that times each webhook acknowledgement's phases inside the web
process, for `bench/webhook_latency.py --probe` (a diagnosis, never the figure itself).

Per request, in the thread that served it: when gunicorn had parsed it (`pre_request`), the
time spent in `web.ack_path.accept` before the delivery's INSERT (route, verify, headers),
the INSERT's round trip (send, PostgreSQL executes and flushes the commit, answer read back;
timed by SQLAlchemy's cursor events), the rest of `accept` (metrics, wake-up hand-off), the
rest up to `post_request` (response written), and the thread's CPU time. Each request is named
by the load generator's `X-Bench-Id` header, so the client's latency can be split into what
happened before gunicorn had the request, inside it, and after. Also every garbage collection
(generation, wall time). Records go to $ACK_PROBE_DIR/<pid>.tsv and <pid>.gc.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path
from typing import Any

OUT = Path(os.environ.get("ACK_PROBE_DIR", "/tmp/ack-probe"))
_records: list[tuple[Any, ...]] = []
_collections: list[tuple[int, float]] = []
_local = threading.local()
_lock = threading.Lock()


def _flush() -> None:
    with _lock:
        records, collections = list(_records), list(_collections)
        _records.clear()
        _collections.clear()
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{os.getpid()}.tsv", "a") as f:
        f.writelines("\t".join(map(str, r)) + "\n" for r in records)
    with open(OUT / f"{os.getpid()}.gc", "a") as f:
        f.writelines(f"{g}\t{t}\n" for g, t in collections)


def post_worker_init(worker: Any) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    import web.ack_path

    accept = web.ack_path.accept

    def timed_accept(*args: Any) -> bool:
        _local.accept0 = time.perf_counter()
        _local.insert = (0.0, 0.0)
        ok = accept(*args)
        _local.accept1 = time.perf_counter()
        return bool(ok)

    web.ack_path.accept = timed_accept  # type: ignore[assignment]

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO inbound_delivery"):
            _local.insert0 = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO inbound_delivery"):
            _local.insert = (_local.insert0, time.perf_counter())

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)

    def collected(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            _local.gc0 = time.perf_counter()
        else:
            with _lock:
                _collections.append((info["generation"], time.perf_counter() - _local.gc0))

    gc.callbacks.append(collected)


def pre_request(worker: Any, req: Any) -> None:
    _local.t0 = time.perf_counter()
    _local.cpu0 = time.thread_time()
    _local.accept0 = _local.accept1 = 0.0
    _local.insert = (0.0, 0.0)


def post_request(worker: Any, req: Any, environ: dict[str, Any], resp: Any) -> None:
    t1 = time.perf_counter()
    t0, a0, a1 = _local.t0, _local.accept0, _local.accept1
    i0, i1 = _local.insert
    if not (a0 and i0):  # not an acknowledgement of the lean path
        return
    record = (
        environ.get("HTTP_X_BENCH_ID", "-"),
        f"{t0:.6f}",
        f"{t1 - t0:.6f}",  # gunicorn had the request → response written
        f"{time.thread_time() - _local.cpu0:.6f}",  # CPU of the serving thread
        f"{a0 - t0:.6f}",  # before accept (WSGI stack)
        f"{i0 - a0:.6f}",  # accept before the INSERT: route, verify, headers
        f"{i1 - i0:.6f}",  # the INSERT's round trip, commit included
        f"{a1 - i1:.6f}",  # accept after it: metrics, wake-up hand-off
        f"{t1 - a1:.6f}",  # answer written
    )
    with _lock:
        _records.append(record)
        full = len(_records) >= 200
    if full:
        _flush()


def worker_exit(server: Any, worker: Any) -> None:
    _flush()


def sample(db_url: str, stop: threading.Event, every: float = 0.005) -> dict[str, int]:
    """What the acknowledgements' INSERTs are doing inside PostgreSQL, sampled from
    pg_stat_activity every `every` s until `stop`: waiting for the WAL flush (its own
    fdatasync, or the WALWrite lock while another backend's flush is in progress), on the
    CPU (no wait event: running or waiting to be scheduled), or anything else."""
    import psycopg

    query = (
        "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE datname ="
        " current_database() AND state = 'active' AND query LIKE 'INSERT INTO inbound_delivery%'"
        " AND pid <> pg_backend_pid()"
    )
    tally: dict[str, int] = {}
    with psycopg.connect(db_url, autocommit=True) as conn:
        while not stop.wait(every):
            for kind, name in conn.execute(query).fetchall():
                if (kind, name) in (("IO", "WALSync"), ("IO", "WALWrite"), ("LWLock", "WALWrite")):
                    key = "WAL flush"
                elif kind is None:
                    key = "CPU"
                else:
                    key = f"{kind}:{name}"
                tally[key] = tally.get(key, 0) + 1
    return tally
