"""What one sidebar action costs the web process: SQL statements, CPU time, bytes (issue 21).

    .venv/bin/python bench/seed_large.py URL --conversations 100000 --messages 1000000  # once
    .venv/bin/python bench/action_cost.py URL [--runs 30] [--profile snooze]

In-process (Flask test client, no network, CSRF off in this process only), as the seeded agent
restricted to 3 of the 6 inboxes (agent5@bench.test), on the conversation bench/inbox_scale.py
uses (the newest open one in the agent's inboxes; reopened at the end, so the next run, or the
other checkout's, times the same one), or `--conversation ID`. Each of bench/inbox_scale.py's
five actions is posted the way htmx posts it from the sidebar, alternating between two values
so every run changes the conversation (and adds its event lines to the thread, as in real use).
The form carries `after`, the newest message id the page shows (web/static/app.js adds it),
taken from the previous answer as the browser would; code that ignores it answers as before.

Wall time on a shared machine follows the load; this process's CPU time and the statement
count are what a code change moves, so those are the columns to compare before/after.
`--profile NAME` prints cProfile's top functions (cumulative) for that action.
It writes to the database: run it on a benchmark database only.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy

from bench._common import percentile, seeded_inbox_app, signed_in_client

HX = {"HX-Request": "true"}
AGENT = "agent5@bench.test"
_MESSAGE_ID = re.compile(r'id="m(\d+)"')
ACTIONS: list[tuple[str, Callable[[int], dict[str, str]]]] = [
    ("assign", lambda i: {"assignee": "me" if i % 2 else ""}),
    ("priority", lambda i: {"priority": ("high", "low")[i % 2]}),
    ("status", lambda i: {"status": ("pending", "open")[i % 2]}),
    ("labels", lambda i: {"labels_form": "1", **({"label": "VIP"} if i % 2 else {})}),
    (
        "snooze",
        lambda i: {"status": "snoozed", "snooze": "1h"} if i % 2 else {"status": "open"},
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/bench_ui_1")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", default="", help="an action's name: print its profile")
    parser.add_argument(
        "--conversation", type=int, default=0, help="its id (default: the newest open one)"
    )
    args = parser.parse_args()
    rt, app = seeded_inbox_app(args.url)
    app.config["WTF_CSRF_ENABLED"] = False
    statements = [0]

    @sqlalchemy.event.listens_for(rt.db.engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        statements[0] += 1

    with rt.db.session() as session:
        agent_id, conv_id, last_id = session.execute(
            sqlalchemy.text(
                "SELECT u.id, c.id, (SELECT max(id) FROM message WHERE conversation_id = c.id) "
                "FROM conversation c, app_user u WHERE u.email = :agent "
                "AND (c.status = 'open' OR :conv <> 0) "
                "AND c.channel_account_id IN (SELECT channel_account_id FROM inbox_member "
                "WHERE user_id = u.id) AND (c.id = :conv OR :conv = 0) "
                "ORDER BY c.last_activity_at DESC LIMIT 1"
            ),
            {"agent": AGENT, "conv": args.conversation},
        ).one()
        thread_length = session.execute(
            sqlalchemy.text("SELECT count(*) FROM message WHERE conversation_id = :c"),
            {"c": conv_id},
        ).scalar_one()
    client = signed_in_client(app, agent_id)
    path = f"/inbox/c/{conv_id}"
    newest = [int(last_id)]

    def post(data: dict[str, str]) -> Any:
        response = client.post(
            f"{path}/update",
            data={**data, "back": path, "after": str(newest[0])},
            headers=HX,
        )
        assert response.status_code == 200, response.status_code
        ids = [int(x) for x in _MESSAGE_ID.findall(response.get_data(as_text=True))]
        newest[0] = max([newest[0], *ids])
        return response

    print(
        f"load average {'{:.1f} {:.1f} {:.1f}'.format(*os.getloadavg())}; conversation "
        f"{path} ({thread_length} messages)"
    )
    print("| action | wall p50 / p95 ms | CPU p50 / p95 ms | SQL statements | bytes |")
    print("|---|---|---|---|---|")
    for name, data in ACTIONS:
        for i in range(2):
            post(data(i))
        walls, cpus, counts, size = [], [], [], 0
        for i in range(args.runs):
            statements[0] = 0
            start, cpu = time.perf_counter(), time.process_time()
            size = len(post(data(i)).get_data())
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            counts.append(statements[0])
        print(
            f"| {name} | {percentile(walls, 50):.1f} / {percentile(walls, 95):.1f} "
            f"| {percentile(cpus, 50):.1f} / {percentile(cpus, 95):.1f} "
            f"| {max(counts)} | {size:,} |",
            flush=True,
        )
        if name == args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for i in range(10):
                post(data(i))
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    post({"status": "open"})  # as found: the next run times the same conversation
    print(f"load average after {'{:.1f} {:.1f} {:.1f}'.format(*os.getloadavg())}")
    rt.jobs.stop()
    rt.db.dispose()


if __name__ == "__main__":
    main()
