"""Start-up of `switchboard poll` as a whole process (issue 12: email whole-process rate).

What a poll process spends before it polls: interpreter, imports, settings, runtime, the
database connection and the account. A fresh PostgreSQL database with one email account whose
IMAP server is a closed loopback port, so the poll fails at once and the process's CPU time is
its start-up; bench/_counted_cli.py stamps when the CLI was reached and when `poll_account`
was entered. --runs processes in turn, medians; `--code DIR` runs another checkout
(PYTHONPATH=DIR) for a before/after pair; `--write` replaces the section of BENCHMARKS.md.

  python bench/poll_startup.py [--runs 5] [--code DIR] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, byte_compile, fresh_pg_database, machine, write_section


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--code", default=None, help="another checkout to run (PYTHONPATH)")
    parser.add_argument("--source", action="store_true", help="no byte-compiling first")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    code = Path(args.code).resolve() if args.code else ROOT
    if not args.source:
        byte_compile(code)  # as scripts/bootstrap does for an installation
    env = {
        **os.environ,
        "DATABASE_URL": fresh_pg_database("bench_poll_startup"),
        "REDIS_URL": "",
        "SECRET_KEY": "bench",
        "SWITCHBOARD_ENCRYPTION_KEY": "bench",
        "SWITCHBOARD_INSTANCE": tempfile.mkdtemp(prefix="poll-startup-"),
        "SWITCHBOARD_DOTENV": "/nonexistent",
    }
    if args.code:
        env["PYTHONPATH"] = str(code)
    cli = [sys.executable, "-c", "from cli.commands import main; main()"]
    added = subprocess.run(
        [*cli, "channel", "add", "email", "--name", "bench", "--external-id", "m@bench.test",
         "--credential", "imap_password=x", "--option", "imap_host=127.0.0.1",
         "--option", "imap_port=1", "--option", "imap_tls=none", "--option", "imap_user=m",
         "--no-check"],
        env=env, cwd=code, capture_output=True, text=True, check=True,
    )  # fmt: skip
    account = added.stdout.split("account ")[1].split(":")[0]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        for _ in range(args.runs):
            load = os.getloadavg()[0]
            began, cpu = time.time(), os.times()
            counted = str(code / "bench" / "_counted_cli.py")
            subprocess.run(
                [sys.executable, counted, str(out), "poll", account],
                env=env, cwd=code, capture_output=True,
            )  # fmt: skip
            after = os.times()
            figures = json.loads(out.read_text())
            entered = figures.get("poll_started", figures["cli_finished"]) - began
            used = after.children_user + after.children_system - cpu.children_user
            used -= cpu.children_system
            rows.append((entered, used, load))
            print(f"poll entered after {entered:.2f} s, process CPU {used:.2f} s, load {load:.1f}",
                  flush=True)  # fmt: skip
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    entered = statistics.median(r[0] for r in rows)
    used = statistics.median(r[1] for r in rows)
    summary = (
        f"median of {len(rows)}: `poll_account` entered {entered:.2f} s after exec, "
        f"{used:.2f} s of CPU for the whole process"
    )
    print(f"{summary}; load before {load_before}, after {load_after}")
    if args.write:
        table = "\n".join(
            f"| {n} | {r[0]:.2f} s | {r[1]:.2f} s | {r[2]:.1f} |" for n, r in enumerate(rows, 1)
        )
        write_section(
            "`switchboard poll` start-up",
            f"""
`bench/poll_startup.py --runs {args.runs}`: what a `switchboard poll` process spends before it
polls (interpreter, imports, settings, runtime, database, account), the fixed part of the
whole-process email figure. The account's IMAP server is a closed port, so the poll fails at
once and the process's CPU is its start-up.

- Machine: {machine()}; load average before {load_before}, after {load_after} (a machine
  shared with other sessions' test suites: the wall times move with it, the CPU much less).

| run | poll entered after | process CPU | 1-min load at start |
|---|---|---|---|
{table}

- {summary}.
""",
        )


if __name__ == "__main__":
    main()
