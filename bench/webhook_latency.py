"""Webhook acknowledgement latency on loopback under load, in the production setup.

A fresh PostgreSQL database, a private redis-server, `switchboard web` (gunicorn) and one
`switchboard worker` (bench/_production.py). Two measurements, client-side latency of signed
fake-connector deliveries (verify → store, committed → 200):

1. "while the worker drains a backlog": B deliveries are stored with no worker running, then
   the worker starts and, while it drains them, C clients POST more: the ack path competing
   with a busy worker and PostgreSQL for the same CPUs (the issue's "p99 < 20 ms while the
   worker drains");
2. "steady": C clients POST while the worker keeps up, for each C in --concurrency.

The load generator shares the 2 CPUs with what it measures. By default it is light
(bench/_loadgen.py: one process per client, raw keep-alive HTTP, every request built before
the clock starts, ~0.07 ms of CPU per POST); `--client requests` runs the earlier one
(`requests` in threads of this process, ~0.8 ms of CPU per POST and one GIL for all clients)
for comparison with older figures. Either way the clock runs from the request's first byte
sent to the answer's last byte read, and the table says what the generator cost.

Also the web processes' CPU time per acknowledgement (from /proc: unlike latency, barely
moved by other load on the machine) and the resident memory of the idle worker and of the
web processes. `--probe` runs gunicorn with bench/_ack_probe.py and splits each run's slowest
1 % into phases inside the web process (a diagnosis; it adds a little work per request).
Usage:
  python bench/webhook_latency.py [--requests 3000] [--concurrency 2,8] [--backlog 10000]
      [--client light|requests] [--probe] [--write]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._ack_probe import sample
from bench._common import PG_ADMIN, ROOT, machine, percentile, write_section
from bench._loadgen import post_light
from bench._production import Stack, children, cpu_seconds, message_event, rss_kib
from connectors.fake.connector import sign

TEXT = "주문번호 2026112400317 배송 언제 되나요?"
PROBE = Path(__file__).resolve().parent / "_ack_probe.py"


def _event(tag: str) -> Callable[[int], dict[str, Any]]:
    return lambda i: message_event(f"{tag}-{i}", f"c{i % 300}", TEXT)


def _signed(body: bytes) -> dict[str, str]:
    return {"X-Fake-Signature": sign("fake-secret", body)}


class Run:
    """One batch of POSTs: latencies (s), wall time, the generator's CPU seconds."""

    def __init__(self, latencies: list[float], wall: float, cpu: float, named: dict[str, float]):
        self.latencies, self.wall, self.cpu = latencies, wall, cpu
        self.named = named  # X-Bench-Id → latency (light client, for the probe)
        self.waits: dict[str, int] = {}  # the probe's samples of the INSERTs in PostgreSQL


def _post(stack: Stack, client: str, total: int, clients: int, tag: str, probe: bool) -> Run:
    """`probe`: also sample what the INSERTs wait for inside PostgreSQL meanwhile."""
    stop, waits, sampler = threading.Event(), {}, None
    if probe:
        sampler = threading.Thread(target=lambda: waits.update(sample(stack.db_url, stop)))
        sampler.start()
    try:
        if client == "light":
            port = int(stack.base.rsplit(":", 1)[1])
            out = post_light(port, total, clients, _event(tag), _signed, tag=f"{tag}:")
            named = {f"{tag}:{i}": x for i, x in zip(out["ids"], out["latencies"], strict=True)}
            run = Run(out["latencies"], out["wall"], out["cpu"], named)
        else:
            before = resource.getrusage(resource.RUSAGE_SELF)  # this process: client threads
            latencies, wall = stack.post(total, clients, _event(tag))
            after = resource.getrusage(resource.RUSAGE_SELF)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            run = Run(latencies, wall, cpu, {})
    finally:
        stop.set()
        if sampler is not None:
            sampler.join()
    run.waits = waits
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", default="2,8", help="concurrent clients, comma list")
    parser.add_argument("--backlog", type=int, default=10000, help="0: skip the draining run")
    parser.add_argument("--during-clients", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--client", choices=("light", "requests"), default="light")
    parser.add_argument("--probe", action="store_true", help="phases inside the web process")
    parser.add_argument("--db", default="bench_webhook", help="database name (dropped first)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    floor = fsync_floor()
    print(floor, flush=True)
    probe_dir = Path(tempfile.mkdtemp(prefix="ack-probe-"))
    env = {"GUNICORN_CMD_ARGS": f"-c {PROBE}", "ACK_PROBE_DIR": str(probe_dir)}
    stack = Stack(args.db, web_workers=args.web_workers, env=env if args.probe else None)
    rows, runs = [], {}
    web_pids: list[int] = []

    def web_cpu() -> float:
        return sum(cpu_seconds(p) for p in web_pids)

    try:
        web_pids += children(stack.web.pid)
        web_rss = [rss_kib(p) for p in web_pids]
        # The floor of this stack: nothing runs but the web tier and PostgreSQL. These
        # deliveries wait with the backlog (which is topped up to --backlog) for the worker.
        load, cpu = os.getloadavg()[0], web_cpu()
        run = _post(stack, args.client, args.requests, args.during_clients, "idle", args.probe)
        runs[f"no worker, {args.during_clients} clients"] = run
        rows.append(_row("no worker running", args.during_clients, run, load, web_cpu() - cpu))
        print(rows[-1], flush=True)
        if args.backlog > args.requests:
            _post(stack, "light", args.backlog - args.requests, 8, "backlog", False)
        waiting = int(stack.sql("SELECT max(id) FROM inbound_delivery")[0][0])
        started = time.time()
        worker = stack.start_worker()
        startup = stack.wait_ready(worker) - started  # process start to its drainer running
        idle_worker = rss_kib(worker.pid)

        if args.backlog:
            load = os.getloadavg()[0]
            result: list[Run] = []
            poster = threading.Thread(
                target=lambda: result.append(
                    _post(
                        stack, args.client, args.requests, args.during_clients, "during", args.probe
                    )
                )
            )
            began, cpu = time.time(), web_cpu()
            poster.start()
            drained = _wait_drained(stack, waiting, began)
            poster.join()
            name = f"while the worker drains {waiting:,} waiting deliveries"
            runs[name] = result[0]
            rows.append(
                _row(
                    f"{name} (drained in {drained:.1f} s)",
                    args.during_clients, result[0], load, web_cpu() - cpu,
                )
            )  # fmt: skip
            print(rows[-1], flush=True)
        else:  # the "no worker" row's deliveries are drained before the steady rows
            _wait_drained(stack, waiting, time.time())
        for level in (int(c) for c in args.concurrency.split(",")):
            load, cpu = os.getloadavg()[0], web_cpu()
            run = _post(stack, args.client, args.requests, level, f"steady{level}", args.probe)
            runs[f"steady, {level} clients"] = run
            rows.append(_row("steady, the worker keeping up", level, run, load, web_cpu() - cpu))
            print(rows[-1], flush=True)
        web_rss_after = [rss_kib(p) for p in children(stack.web.pid)]
    finally:
        stack.close()
    if args.probe:
        _report_probe(probe_dir, runs)
    shutil.rmtree(probe_dir, ignore_errors=True)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    memory = (
        f"idle `switchboard worker` (one process) {idle_worker / 1024:.0f} MiB, started in "
        f"{startup:.2f} s (exec to its ingest drainer running); each web process "
        f"{max(web_rss) / 1024:.0f} MiB idle, {max(web_rss_after) / 1024:.0f} MiB after the runs"
    )
    print(f"{memory}; load before {load_before}, after {load_after}")
    generator = (
        "one process per client, raw keep-alive HTTP, requests built before the clock "
        "(bench/_loadgen.py)"
        if args.client == "light"
        else "Python threads with `requests` in the benchmark's process"
    )
    if args.write:
        table = "\n".join(rows)
        write_section(
            "Webhook acknowledgement latency and memory",
            f"""
`bench/webhook_latency.py --requests {args.requests} --concurrency {args.concurrency} --backlog
{args.backlog} --client {args.client}`: the production setup on loopback — a fresh PostgreSQL
database, a private redis-server, `switchboard web` (gunicorn, {args.web_workers} processes) and
one `switchboard worker`, all on the same 2 CPUs as the load generator ({generator}).
Clients POST signed single-message fake-connector deliveries; latency is measured by the
client from the request's first byte sent to the answer's last byte read (verify → store,
committed → 200); "web CPU per ack" is the web processes' CPU time over the run (/proc)
divided by its deliveries, "client CPU per ack" the load generator's; "load" the 1-minute
load average as the run began. First {args.backlog:,}
deliveries are stored with no worker running (the first {args.requests:,} of them timed: "no
worker running", the floor of this stack); the worker starts and, while it drains them,
{args.during_clients} clients POST {args.requests:,} more; then clients POST while it keeps up.

- Machine: {machine()}; load average before {load_before}, after {load_after}.
- {floor}

| run | clients | deliveries | p50 | p99 | acks/s | web CPU per ack | client CPU per ack | load |
|---|---|---|---|---|---|---|---|---|
{table}

- Memory (RSS): {memory}.
""",
        )


def fsync_floor(flushes: int = 2000) -> str:
    """The disk under PostgreSQL's WAL, measured as the acknowledgement uses it: 8 kB written
    and fdatasync'ed, `flushes` times in a row, in a file on the same file system as the
    server's data directory (where WAL goes by default). Every acknowledgement waits for one
    such flush, and for the one in progress when its commit arrived: that is the floor of its
    latency, and the tail of this distribution is the floor of its tail."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
    data = Path(str(row[0])) if row else None
    try:
        device = data.stat().st_dev if data else None
    except OSError:
        device = None
    here = next(
        (d for d in (Path(tempfile.gettempdir()), ROOT) if device and d.stat().st_dev == device),
        None,
    )
    if here is None:
        return "WAL disk: not measured (PostgreSQL's data directory is not on this machine)"
    size, span = 8192, 16 * 2**20
    fd, name = tempfile.mkstemp(dir=here, prefix="fsync-floor-")
    try:
        os.ftruncate(fd, span)  # preallocated, as a WAL segment is
        os.fsync(fd)
        block, times = b"\0" * size, []
        for i in range(flushes):
            os.pwrite(fd, block, i * size % span)
            began = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - began)
    finally:
        os.close(fd)
        os.unlink(name)
    p50, p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
    return (
        f"WAL disk (same file system as {data}): 8 kB write + fdatasync, {flushes:,} in a row "
        f"before the runs: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(times) * 1000:.1f} ms"
    )


def _wait_drained(stack: Stack, last: int, began: float) -> float:
    """Seconds until no delivery up to id `last` waits. One connection, a look
    every 0.1 s through the partial index of waiting rows: the benchmark's own process and
    PostgreSQL backend take as little CPU from what is measured as they can."""
    with psycopg.connect(stack.db_url, autocommit=True) as conn:
        query = "SELECT count(*) FROM inbound_delivery WHERE status = 'received' AND id <= %s"
        while conn.execute(query, (last,)).fetchone() != (0,):
            time.sleep(0.1)
    return time.time() - began


def _row(name: str, clients: int, run: Run, load: float, cpu: float) -> str:
    """`cpu`: CPU seconds of the web processes over the run (/proc), shared by the acks."""
    latencies = run.latencies
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return (
        f"| {name} | {clients} | {len(latencies):,} | {p50:.1f} ms | {p99:.1f} ms | "
        f"{len(latencies) / run.wall:.0f} | {cpu / len(latencies) * 1000:.2f} ms | "
        f"{run.cpu / len(latencies) * 1000:.2f} ms | {load:.1f} |"
    )


_PHASES = (
    "WSGI stack",
    "route+verify+headers",
    "INSERT round trip (commit included)",
    "metrics+wake-up",
    "answer written",
)


def _report_probe(probe_dir: Path, runs: dict[str, Run]) -> None:
    """Mean of each phase for the fastest half and the slowest 1 % of each run (light client:
    its requests carry the ids the probe recorded)."""
    server: dict[str, list[float]] = {}
    for file in probe_dir.glob("*.tsv"):
        for line in file.read_text().splitlines():
            name, *values = line.split("\t")
            server[name] = [float(v) for v in values]
    collections = [
        line.split("\t") for f in probe_dir.glob("*.gc") for line in f.read_text().splitlines()
    ]
    print(f"probe: {len(server)} acknowledgements recorded")
    for label, run in runs.items():
        if run.waits:
            seen = sum(run.waits.values())
            print(
                f"  {label}: the INSERTs inside PostgreSQL ({seen} samples): "
                + ", ".join(f"{k} {v / seen:.0%}" for k, v in sorted(run.waits.items()))
            )
        joined = sorted(
            (latency, server[name]) for name, latency in run.named.items() if name in server
        )
        if not joined:
            continue
        n = len(joined)
        for part, rows in (
            ("fastest 50 %", joined[: n // 2]),
            ("slowest 1 %", joined[-n // 100 :]),
        ):
            # server record: t0, served, thread CPU, then the five phases of _PHASES
            client = statistics.mean(latency for latency, _ in rows)
            served, cpu, *phases = (
                statistics.mean(record[i] for _, record in rows) for i in range(1, 8)
            )
            print(
                f"  {label}, {part} (n={len(rows)}): client {client * 1000:.1f} ms = "
                f"gunicorn {served * 1000:.1f} ms (thread CPU {cpu * 1000:.2f}; "
                + ", ".join(f"{n} {v * 1000:.2f}" for n, v in zip(_PHASES, phases, strict=True))
                + f") + outside gunicorn (network, scheduling, client) "
                f"{(client - served) * 1000:.1f} ms"
            )
    for generation in ("0", "1", "2"):
        times = [float(t) for g, t in collections if g == generation]
        if times:
            print(
                f"  gc generation {generation}: {len(times)} collections, "
                f"max {max(times) * 1000:.1f} ms, total {sum(times) * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
