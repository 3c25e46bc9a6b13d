"""Run one `switchboard` command in this process, counting the SQL statements it sends.

    .venv/bin/python bench/_counted_cli.py OUT.json poll 3

The command is the real CLI (cli.commands.main); around it this script only listens:
every statement any engine executes is counted (an executemany as one per parameter set,
the way the server sees it), and the times at which the process reached the CLI and at which
`workers.poll.poll_account` started and ended are written to OUT.json with the count.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# What the `switchboard` program does when its package is imported for `poll ACCOUNT_ID` (cli/
# __init__.py reads sys.argv, which here starts with OUT.json): fork the fetching child before
# SQLAlchemy and the models are imported. A checkout without cli/early.py starts nothing.
if __name__ == "__main__":
    try:
        from cli.early import begin
    except ImportError:
        pass
    else:
        begin(sys.argv[2:])

from sqlalchemy import event
from sqlalchemy.engine import Engine

FIGURES: dict[str, Any] = {"statements": 0, "poll_statements": 0, "poll_sql": {}}


@event.listens_for(Engine, "before_cursor_execute")
def _count(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    n = len(parameters) if executemany and parameters else 1
    FIGURES["statements"] += n
    if "poll_started" in FIGURES and "poll_finished" not in FIGURES:
        FIGURES["poll_statements"] += n
        conn.info["sql_began"] = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _timed(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    """Seconds per statement shape during the poll (a diagnosis: where a larger database's
    time goes), keyed by the statement's first words."""
    began = conn.info.pop("sql_began", None)
    if began is None:
        return
    shape = " ".join(statement.split())[:90]
    FIGURES["poll_sql"][shape] = FIGURES["poll_sql"].get(shape, 0.0) + time.perf_counter() - began


def _timed_poll() -> None:
    import workers.poll

    poll_account = workers.poll.poll_account

    def timed(account_id: int, *args: Any, **kwargs: Any) -> int:
        FIGURES["poll_started"] = time.time()
        try:
            seen = poll_account(account_id, *args, **kwargs)
        finally:
            FIGURES["poll_finished"] = time.time()
        FIGURES["seen"] = seen
        return seen

    workers.poll.poll_account = timed  # the CLI imports it when the command runs


def main() -> None:
    out = Path(sys.argv[1])
    _timed_poll()
    from cli import commands

    FIGURES["cli_started"] = time.time()
    try:
        commands.main(sys.argv[2:], standalone_mode=False)
    finally:
        FIGURES["cli_finished"] = time.time()
        out.write_text(json.dumps(FIGURES))
    if commands.Finished.cleanly:
        commands.leave()  # as the `switchboard` program does (cli.commands.run)


if __name__ == "__main__":
    main()
