"""Reports page latency over HTTP through `switchboard web`, on the bench_seed_large data set.

    .venv/bin/python bench/seed_large.py postgresql://postgres@127.0.0.1:5432/bench_reports
    .venv/bin/python bench/reports_page.py postgresql://postgres@127.0.0.1:5432/bench_reports \
        [--runs 60] [--write]

Builds the roll-up once (timed: the cost of the first view after an upgrade), starts
`switchboard web` (gunicorn, 2 workers, a private redis-server on a free port) against the
database, signs in as an admin with a real login form, and times GET /reports/ for the
default four weeks and for a whole year, the agents-and-teams page, the CSV download and
GET /api/v1/reports (an admin's API token): the cached build (unchanged data) and built afresh
(a new time zone per request is a new cache key, as a data change is a new version). Then the
incremental roll-up after 200 conversations change. Every request is a real HTTP round trip
on loopback. --write puts the figures into BENCHMARKS.md.

The sweeper's roll-up runs as in production: a process of its own (`--sweeper`) calls the
step the sweep runs (`workers.reports.roll_up_reports`) at every SWEEP_INTERVAL_SECONDS slot,
from the start to the incremental case, and prints what each run cost. Only that step: the
sweep's other steps would act on the seeded data (auto-assignment, CSAT surveys, polls of
the seeded accounts) and change what is measured. The busy inbox is measured twice: with the
sweeper rolling up (the web tier with the default REPORTS_STALE_SECONDS) and with a second
`switchboard web` at REPORTS_STALE_SECONDS=0, where every view rolls up as before; its views
are paced (--busy-pace) so they span several sweeps.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._production import BIN, free_port  # noqa: E402
from inbox.reports.rollup import LAG, refresh  # noqa: E402
from inbox.tokens import issue_token  # noqa: E402
from inbox.users import create_user, user_by_email  # noqa: E402
from switchboard.runtime import build_runtime  # noqa: E402
from switchboard.settings import Settings  # noqa: E402
from workers.context import set_runtime  # noqa: E402
from workers.reports import roll_up_reports  # noqa: E402

HEADING = "## Reports page (issue 20)"
EMAIL, PASSWORD = "reports-bench@example.test", "reports bench password"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, round(pct / 100 * len(ordered))) - 1]


def timed(
    session: requests.Session,
    url: str | list[str],
    runs: int,
    before: Callable[[], None] | None = None,
) -> tuple[float, float, int]:
    """p50/p95 of `runs` GETs after 3 warm-ups; a list of URLs is cycled through; `before`
    runs ahead of every request, outside the timing."""
    urls = [url] if isinstance(url, str) else url
    for i in range(3):
        response = session.get(urls[i % len(urls)], timeout=60)
        response.raise_for_status()
    samples = []
    for i in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        response = session.get(urls[(i + 3) % len(urls)], timeout=60)
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return percentile(samples, 50), percentile(samples, 95), len(response.content)


def sweeper(url: str, interval: int) -> None:
    """`--sweeper`: the sweep's roll-up step once per interval slot, as the worker's beat
    enqueues the sweep; one JSON line per run on stdout."""
    set_runtime(build_runtime(Settings.load({"DATABASE_URL": url})))  # the rest: the env
    slot = -1
    while True:
        now = time.time()
        if int(now // interval) != slot:
            slot = int(now // interval)
            started = time.perf_counter()
            hours = roll_up_reports()
            ms = (time.perf_counter() - started) * 1000
            print(json.dumps({"at": now, "hours": hours, "ms": round(ms, 1)}), flush=True)
        time.sleep(0.2)


def start_web(env: dict[str, str], tmp: Path, name: str, **extra: str) -> tuple[Any, str]:
    port = free_port()
    web = subprocess.Popen(
        [BIN / "switchboard", "web", "--port", str(port), "--workers", "2"],
        env={**env, **extra},
        stdout=open(tmp / f"{name}.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(base + "/healthz", timeout=5).ok:
                break
        except requests.RequestException:
            time.sleep(0.2)
    return web, base


def sign_in(base: str) -> requests.Session:
    agent = requests.Session()
    form = agent.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the login page"
    agent.post(f"{base}/login", data={"email": EMAIL, "password": PASSWORD,
                                      "csrf_token": token.group(1)}, timeout=30)  # fmt: skip
    return agent


def load() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/bench_reports"
    )
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument(
        "--busy", type=int, default=20, help="conversations changed before every busy view"
    )
    parser.add_argument(
        "--busy-pace", type=float, default=1.0, help="seconds between busy views (spans sweeps)"
    )
    parser.add_argument("--sweep-interval", type=int, default=30)
    parser.add_argument("--sweeper", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.sweeper:
        sweeper(args.url, args.sweep_interval)
        return
    with psycopg.connect(args.url) as conn:
        newest = conn.execute("SELECT now() - max(updated_at) FROM conversation").fetchone()[0]  # type: ignore[index]
    if newest is not None and newest < LAG:
        # A previous run's changes are still inside the roll-up's trailing window: every view
        # would roll them up again and the "unchanged data" rows would measure that instead.
        print(
            f"waiting {(LAG - newest).total_seconds():.0f} s for the last run's changes", flush=True
        )
        time.sleep((LAG - newest).total_seconds() + 1)
    load_before = load()
    tmp = Path(tempfile.mkdtemp(prefix="reports-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.url,
        "SECRET_KEY": "bench",
        "SWITCHBOARD_ENCRYPTION_KEY": "bench",
        "SWITCHBOARD_INSTANCE": str(tmp / "instance"),
        "SWITCHBOARD_DOTENV": "/nonexistent",
    }
    rt = build_runtime(Settings.load({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY",
                                                          "SWITCHBOARD_ENCRYPTION_KEY",
                                                          "SWITCHBOARD_INSTANCE")}))  # fmt: skip
    with rt.db.session() as session:
        admin = user_by_email(session, EMAIL)
        if admin is None:
            admin, _ = create_user(
                session, email=EMAIL, role="admin", name="Bench", password=PASSWORD
            )
        api_token = issue_token(session, admin, "reports-bench")
    started = time.perf_counter()
    with rt.db.session() as session:
        hours = refresh(session, full=True)
    full_s = time.perf_counter() - started
    with psycopg.connect(args.url) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                  for t in ("conversation", "message", "report_bucket")}  # fmt: skip
        pg = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    redis_port = free_port()
    redis_proc = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL)  # fmt: skip
    env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    sweeps_log = tmp / "sweeper.jsonl"
    sweeper_proc = subprocess.Popen(
        [sys.executable, __file__, args.url, "--sweeper", "--sweep-interval",
         str(args.sweep_interval)],
        env=env, stdout=open(sweeps_log, "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115  # fmt: skip
    web, base = start_web(env, tmp, "web")
    old_web, old_base = start_web(env, tmp, "web-stale0", REPORTS_STALE_SECONDS="0")
    rows: list[str] = []
    try:
        agent = sign_in(base)
        today = datetime.now(UTC).date()
        year = f"start={(today - timedelta(days=364)).isoformat()}&end={today.isoformat()}"
        # Built reports are cached per process under the roll-up's version; a time zone is
        # part of the key, so a new zone on every request measures the page built afresh.
        # Each case gets zones of its own, so one case never finds another's builds.
        zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z)
        used = 0

        def fresh(path: str) -> list[str]:
            nonlocal used
            joiner = "&" if "?" in path else "?"
            mine = [zones[(used + i) % len(zones)] for i in range(args.runs + 3)]
            used += args.runs + 3
            return [base + f"{path}{joiner}tz={zone}" for zone in mine]

        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {api_token}"
        cases: list[tuple[str, str | list[str], requests.Session]] = [
            ("page, last 28 days (default; unchanged data: the cached build)", "/reports/", agent),
            ("page, last 28 days, a new time zone per request (built afresh)",
             fresh("/reports/"), agent),
            ("page, last 365 days", f"/reports/?{year}", agent),
            ("page, last 365 days, built afresh", fresh(f"/reports/?{year}"), agent),
            ("agents and teams page (medians, p90, CSAT ratings), last 28 days",
             "/reports/people", agent),
            ("agents and teams page, last 28 days, built afresh", fresh("/reports/people"), agent),
            ("CSV agents, last 28 days", "/reports/export.csv?table=agents", agent),
            ("CSV agents, last 28 days, built afresh",
             fresh("/reports/export.csv?table=agents"), agent),
            ("GET /api/v1/reports, last 28 days, built afresh", fresh("/api/v1/reports"), api),
        ]  # fmt: skip
        for name, path, client in cases:
            target = base + path if isinstance(path, str) else path
            p50, p95, size = timed(client, target, args.runs)
            rows.append(f"| {name} | {p50:.1f} | {p95:.1f} | {size:,} |")
            print(rows[-1], flush=True)
        # A busy inbox: conversations of the last two weeks keep changing, and whatever rolls
        # up finds what changed in the last two minutes (rollup.LAG) again. The same ones are
        # touched before every request, so each roll-up finds exactly that many changed: the
        # sweeper's every sweep, or (REPORTS_STALE_SECONDS=0, as before this) every view.
        with psycopg.connect(args.url, autocommit=True) as conn:
            busy = [row[0] for row in conn.execute(
                "SELECT id FROM conversation WHERE created_at > "
                "(SELECT max(created_at) FROM conversation) - interval '14 days' "
                "ORDER BY random() LIMIT %s", (args.busy,))]  # fmt: skip

            def touch() -> None:
                conn.execute(
                    "UPDATE conversation SET updated_at = now() WHERE id = ANY(%s)", (busy,)
                )

            busy_hours = conn.execute(
                "SELECT count(DISTINCT date_trunc('hour', created_at)) FROM conversation "
                "WHERE id = ANY(%s)", (busy,)).fetchone()[0]  # type: ignore[index]  # fmt: skip
            label = (f"page, last 28 days, {args.busy} conversations of the last 14 days "
                     f"({busy_hours} hours) changed in the last 2 minutes, one view every "
                     f"{args.busy_pace:g} s")  # fmt: skip

            def paced() -> None:
                time.sleep(args.busy_pace)
                touch()

            busy_start = time.time()
            p50, p95, size = timed(agent, base + "/reports/", args.runs, before=paced)
            busy_end = time.time()
            rows.append(f"| {label}: the sweeper rolls up, the view reads | "
                        f"{p50:.1f} | {p95:.1f} | {size:,} |")  # fmt: skip
            print(rows[-1], flush=True)
            sweeper_proc.terminate()  # as before: no sweeper, every view rolls up
            sweeper_proc.wait(timeout=120)
            p50, p95, size = timed(sign_in(old_base), old_base + "/reports/", args.runs,
                                   before=paced)  # fmt: skip
            rows.append(f"| {label}: every view rolls up (REPORTS_STALE_SECONDS=0, as before) | "
                        f"{p50:.1f} | {p95:.1f} | {size:,} |")  # fmt: skip
            print(rows[-1], flush=True)
        sweeps = [json.loads(line) for line in sweeps_log.read_text().splitlines()
                  if line.startswith("{")]  # fmt: skip
        during = [s for s in sweeps if busy_start <= s["at"] <= busy_end]
        costs = ", ".join(f"{s['ms']:.0f} ms ({s['hours']} h)" for s in during) or "none ran"
        idle = [s["ms"] for s in sweeps if s["at"] < busy_start and s["hours"] == 0]
        sweep_line = (f"{len(sweeps)} sweeps' roll-ups every {args.sweep_interval} s; while the "
                      f"busy view with the sweeper was measured: {costs}; with nothing changed: "
                      f"p50 {percentile(idle, 50) if idle else 0:.0f} ms")  # fmt: skip
        print(sweep_line, flush=True)
        # Incremental roll-up: 200 conversations spread over the year change status.
        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(
                "UPDATE conversation SET updated_at = now() WHERE id IN "
                "(SELECT id FROM conversation ORDER BY random() LIMIT 200)"
            )
        started = time.perf_counter()
        with rt.db.session() as session:
            dirty = refresh(session)
        incremental_ms = (time.perf_counter() - started) * 1000
        first = agent.get(base + "/reports/", timeout=60)
        first.raise_for_status()
    finally:
        sweeper_proc.terminate()
        sweeper_proc.wait(timeout=120)
        for proc in (web, old_web):
            proc.terminate()
            proc.wait(timeout=30)
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
        rt.close()
    info = {
        "load_before": load_before,
        "load_after": load(),
        "counts": ", ".join(f"{v:,} {k}" for k, v in counts.items()),
        "full_s": f"{full_s:.1f}",
        "hours": f"{hours:,}",
        "incremental": f"{incremental_ms:.0f} ms for {dirty} dirty hours",
        "sweeps": sweep_line,
        "pg": pg,
        "nproc": str(os.cpu_count()),
        "runs": str(args.runs),
        "rows": "\n".join(rows),
        "date": time.strftime("%Y-%m-%d"),
    }
    print(info)
    if args.write:
        write(info)


SECTION = """{heading}

Written by `bench/reports_page.py --write` on data from `bench/seed_large.py` ({date}).

- Data: {counts} (conversations over two years, ~137 a day). PostgreSQL {pg}, {nproc} CPUs.
- Load average (1/5/15 min): {load_before} before, {load_after} after — the machine is shared
  with other sessions' test runs, so these are upper bounds.
- Method: `switchboard web` (gunicorn, 2 workers) on loopback, an admin signed in through the
  login form; 3 warm-up then {runs} timed requests per case; nearest-rank p50 / p95 in ms,
  client-side wall time. A view reads `report_bucket` only; a process beside the web tier
  runs the sweeper's roll-up step every sweep interval ({sweeps}).
- Roll-up: the full build (first view after the upgrade) took {full_s} s for {hours} hours;
  after 200 random conversations changed, the incremental roll-up took {incremental}.

| Request | p50 ms | p95 ms | bytes |
|---|---|---|---|
{rows}
"""


def write(info: dict[str, Any]) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    body = SECTION.format(heading=HEADING, **info)
    if HEADING in text:
        start = text.index(HEADING)
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
