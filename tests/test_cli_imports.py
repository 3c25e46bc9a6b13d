"""What a long-lived command loads (issue 12, `thru`): `switchboard worker` and `poll` must not
load the web app (Flask), the emulators, the demo data or alembic — each is memory the idle
worker keeps for weeks and start-up time every `poll` process pays.

Each case runs the real command in a fresh interpreter (the test process has imported half the
project already) up to the point where it would start working, and lists `sys.modules` there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inbox.migrate import upgrade
from tests.conftest import REDIS_TEST_URL

# The worker's start-up check runs, then run_worker would take over: we stop there instead.
WORKER = """
import json, sys
import workers.rq_worker
from cli.commands import main

def stop(settings, queues):
    print(json.dumps(sorted(sys.modules)))
    raise SystemExit(0)

workers.rq_worker.run_worker = stop
main(["worker"])
"""

# A poll of an account that does not exist: settings, runtime and database, then a clear error.
POLL = """
import json, sys
from cli.commands import main

try:
    main(["poll", "424242"], standalone_mode=False)
except Exception as exc:
    print("failed:", exc, file=sys.stderr)
print(json.dumps(sorted(sys.modules)))
"""

# Never in these processes: the web app and what only the demo, the emulators or a schema
# change need.
NEVER = ("flask", "werkzeug", "jinja2", "web", "cli.demo", "sandbox", "alembic", "mako")


def _loaded(code: str, tmp_path: Path) -> set[str]:
    db = f"sqlite:///{tmp_path}/sb.db"
    upgrade(db)
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "REDIS_URL": REDIS_TEST_URL,
        "SWITCHBOARD_DOTENV": str(tmp_path / "no.env"),
        "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
        "SECRET_KEY": "imports",
        "SWITCHBOARD_ENCRYPTION_KEY": "imports",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _offending(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in NEVER))


@pytest.mark.redis
def test_worker_loads_neither_the_web_app_nor_alembic(tmp_path: Path) -> None:
    modules = _loaded(WORKER, tmp_path)
    assert "workers.ingest" in modules  # it did get as far as the worker
    assert _offending(modules) == []


def test_poll_loads_neither_the_web_app_nor_rq(tmp_path: Path) -> None:
    modules = _loaded(POLL, tmp_path)
    assert "workers.poll" in modules
    assert _offending(modules) == []
    assert "rq" not in modules  # rq is imported on the first enqueue


def test_the_check_sees_a_loaded_module(tmp_path: Path) -> None:
    """The same probe, on a command that does load Flask: the check can fail."""
    modules = _loaded(
        WORKER.replace("import workers.rq_worker", "import web, workers.rq_worker"), tmp_path
    )
    assert "flask" in _offending(modules)
