"""Server-time p50/p95 of the thread page and of one sidebar action, through the real Flask app.

    .venv/bin/python bench/seed_large.py URL              # once
    .venv/bin/python bench/sidebar_actions.py [URL] [--runs 30]

Same method as bench/inbox_list.py (in-process test client, so server time without network;
2 warm-up runs, then --runs timed, nearest-rank percentiles), as admin, on the newest open
conversation of the seeded data:
- `thread page`: GET /inbox/c/<id> (list, counts, thread, sidebar, contact);
- `action, no JS`: POST /inbox/c/<id>/update (priority) → 302, then GET of the thread page
  it redirects to: what every action cost before issue 21, and still costs without JS;
- `action, htmx`: the same POST with HX-Request: the thread parts and the sidebar in one answer;
- `view switch, htmx`: GET /inbox/?view=unassigned with HX-Request (list + sidebar counts);
- `next page, htmx`: the same with a cursor (list only).
The script also runs on a checkout from before issue 21 (the htmx rows then time full pages,
since that code ignores HX-Request). CSRF is switched off in this process only (its check is
a constant-time compare, not what is measured). It writes: the timed actions change that one
conversation's priority (and add its event lines), so run it on a benchmark database only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy

from bench._common import seeded_inbox_app, signed_in_client

HX = {"HX-Request": "true"}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, round(pct / 100 * len(ordered))) - 1]


STATEMENTS = [0]


def timed(fn: Callable[[int], Any], runs: int) -> tuple[float, float, float, int]:
    """Wall p50, p95, this process's CPU p50 (ms) and SQL statements per call.

    Wall time on a shared machine follows the load; CPU time of this process (template
    rendering, ORM) and the statement count are what a code change moves."""
    for i in range(2):
        fn(i)
    walls, cpus, statements = [], [], []
    for i in range(runs):
        STATEMENTS[0] = 0
        start, cpu = time.perf_counter(), time.process_time()
        fn(i)
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        statements.append(STATEMENTS[0])
    return (
        percentile(walls, 50),
        percentile(walls, 95),
        percentile(cpus, 50),
        max(statements),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/bench_inbox"
    )
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rt, app = seeded_inbox_app(args.url)
    app.config["WTF_CSRF_ENABLED"] = False

    @sqlalchemy.event.listens_for(rt.db.engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        STATEMENTS[0] += 1

    with rt.db.session() as session:
        conv_id = session.execute(
            sqlalchemy.text(
                "SELECT id FROM conversation WHERE status = 'open' "
                "ORDER BY last_activity_at DESC LIMIT 1"
            )
        ).scalar_one()
    client = signed_in_client(app, 1)
    path = f"/inbox/c/{conv_id}"
    priorities = ("low", "medium", "high", "urgent")  # every run changes something

    def ok(response: Any, status: int = 200) -> Any:
        assert response.status_code == status, (response.status_code, response.location)
        return response

    first = ok(client.get("/inbox/?view=unassigned")).get_data(as_text=True)
    cursor = first.split("cursor=", 1)[1].split('"', 1)[0].split("&", 1)[0]

    cases: list[tuple[str, Callable[[int], Any]]] = [
        ("inbox page (/inbox/)", lambda i: ok(client.get("/inbox/"))),
        ("thread page", lambda i: ok(client.get(path))),
        (
            "action, no JS (POST → 302 → GET)",
            lambda i: ok(
                client.post(
                    f"{path}/update",
                    data={"priority": priorities[i % 4], "back": path},
                    follow_redirects=True,
                )
            ),
        ),
        (
            "action, htmx",
            lambda i: ok(
                client.post(
                    f"{path}/update",
                    data={"priority": priorities[i % 4], "back": path},
                    headers=HX,
                )
            ),
        ),
        ("view switch, htmx", lambda i: ok(client.get("/inbox/?view=unassigned", headers=HX))),
        (
            "next page, htmx",
            lambda i: ok(client.get(f"/inbox/?view=unassigned&cursor={cursor}", headers=HX)),
        ),
    ]
    print(f"load average {'{:.1f} {:.1f} {:.1f}'.format(*os.getloadavg())}; conversation {path}")
    print("| case | wall p50 / p95 ms | CPU p50 ms | SQL statements | bytes |")
    print("|---|---|---|---|---|")
    probe = client.post(f"{path}/update", data={"priority": "none", "back": path}, headers=HX)
    if probe.status_code != 200:  # code from before issue 21: no htmx answer to time
        cases = [c for c in cases if c[0] != "action, htmx"]
    for label, fn in cases:
        p50, p95, cpu, statements = timed(fn, args.runs)
        size = len(fn(0).get_data())
        print(f"| {label} | {p50:.1f} / {p95:.1f} | {cpu:.1f} | {statements} | {size:,} |")
    print(f"load average after {'{:.1f} {:.1f} {:.1f}'.format(*os.getloadavg())}")
    rt.jobs.stop()
    rt.db.dispose()


if __name__ == "__main__":
    main()
