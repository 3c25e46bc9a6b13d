"""Start-up time and idle memory of `switchboard worker` (issue 12: idle worker ≤ 100 MB).

A fresh PostgreSQL database and a private redis-server (bench/_production.py); the worker is
started --runs times, one at a time. Start-up is exec → "ingest drainer started" in its log;
idle RSS is read --settle seconds later, when every thread (rq's worker, the drainers, the
fresh lane, the scheduler, the beat) is up and waiting. `--code DIR` runs another checkout
(PYTHONPATH=DIR), e.g. a `git worktree` of main, for a before/after pair; `--write` replaces
the section of BENCHMARKS.md.

  python bench/worker_idle.py [--runs 5] [--settle 5] [--code DIR] [--write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, fresh_pg_database, machine, write_section
from bench._production import PrivateRedis, cpu_seconds, rss_kib


def one_run(env: dict[str, str], settle: float, code: Path) -> tuple[float, float, float]:
    """(seconds to the drainer running, CPU seconds by then, idle RSS in MiB)."""
    with tempfile.NamedTemporaryFile(prefix="worker-idle-", suffix=".log") as log:
        began = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", "from cli.commands import main; main()", "-v", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=code,  # `-c` puts the working directory first on sys.path
        )
        try:
            while b"ingest drainer started" not in Path(log.name).read_bytes():
                if proc.poll() is not None:
                    raise RuntimeError(Path(log.name).read_text(errors="replace")[-3000:])
                time.sleep(0.01)
            ready = time.monotonic() - began
            cpu = cpu_seconds(proc.pid)
            time.sleep(settle)
            return ready, cpu, rss_kib(proc.pid) / 1024
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--code", default=None, help="another checkout to run (PYTHONPATH)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    url = fresh_pg_database("bench_worker_idle")
    private = PrivateRedis()
    instance = tempfile.mkdtemp(prefix="worker-idle-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": private.url,
        "SECRET_KEY": "bench",
        "SWITCHBOARD_ENCRYPTION_KEY": "bench",
        "SWITCHBOARD_INSTANCE": instance,
        "SWITCHBOARD_DOTENV": "/nonexistent",
    }
    code = Path(args.code).resolve() if args.code else ROOT
    if args.code:
        env["PYTHONPATH"] = str(code)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = []
    try:
        for i in range(args.runs):
            load = os.getloadavg()[0]
            ready, cpu, rss = one_run(env, args.settle, code)
            rows.append((ready, cpu, rss, load))
            print(f"run {i + 1}: ready in {ready:.2f} s ({cpu:.2f} s CPU), idle RSS {rss:.0f} MiB, "
                  f"load {load:.1f}", flush=True)  # fmt: skip
    finally:
        private.close()
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    ready = statistics.median(r[0] for r in rows)
    cpu = statistics.median(r[1] for r in rows)
    rss = statistics.median(r[2] for r in rows)
    summary = (
        f"median of {len(rows)}: ready in {ready:.2f} s ({cpu:.2f} s CPU), idle RSS {rss:.0f} MiB "
        f"(min {min(r[2] for r in rows):.0f}, max {max(r[2] for r in rows):.0f})"
    )
    print(f"{summary}; load before {load_before}, after {load_after}")
    if args.write:
        table = "\n".join(
            f"| {n} | {r[0]:.2f} s | {r[1]:.2f} s | {r[2]:.0f} MiB | {r[3]:.1f} |"
            for n, r in enumerate(rows, 1)
        )
        write_section(
            "Idle worker: start-up and memory",
            f"""
`bench/worker_idle.py --runs {args.runs} --settle {args.settle:g}`: `switchboard worker` (one
process) against a fresh PostgreSQL database and a private redis-server, started {args.runs}
times in turn. "Ready" is exec → its ingest drainer running (the start-up check, imports,
runtime, threads); idle RSS is read {args.settle:g} s later with every thread waiting.

- Machine: {machine()}; load average before {load_before}, after {load_after} (a machine
  shared with other sessions' test suites).

| run | ready | CPU by then | idle RSS | 1-min load at start |
|---|---|---|---|---|
{table}

- {summary}.
""",
        )


if __name__ == "__main__":
    main()
