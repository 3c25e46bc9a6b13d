"""How the `switchboard` program ends after a `poll` (issue 12): once the work is committed and
reported it leaves without the interpreter's teardown, having run what a normal exit runs.

Real processes (os._exit would end the test process): an email account whose IMAP server is
a closed port polls 0 events and finishes cleanly; an unknown account fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from inbox.migrate import upgrade

# A handler registered at exit and an object whose finalizer runs only in the interpreter's
# teardown: the first must run either way, the second tells which way the process ended.
PROGRAM = """
import atexit, sys

class Teardown:
    def __del__(self):
        sys.stderr.write("torn down\\n")

kept = Teardown()
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
from cli.commands import {entry}
{entry}()
"""

ADD = [
    "channel", "add", "email", "--name", "exit", "--external-id", "m@exit.test",
    "--credential", "imap_password=x", "--option", "imap_host=127.0.0.1",
    "--option", "imap_port=1", "--option", "imap_tls=none", "--option", "imap_user=m",
    "--no-check",
]  # fmt: skip


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def switchboard(tmp_path: Path) -> Run:
    db = f"sqlite:///{tmp_path}/sb.db"
    upgrade(db)
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "REDIS_URL": "",
        "SWITCHBOARD_DOTENV": str(tmp_path / "no.env"),
        "SWITCHBOARD_INSTANCE": str(tmp_path / "instance"),
        "SECRET_KEY": "exit",
        "SWITCHBOARD_ENCRYPTION_KEY": "exit",
    }

    def run(*args: str, entry: str = "run") -> subprocess.CompletedProcess[str]:
        code = PROGRAM.format(entry=entry)
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run(*ADD).returncode == 0
    return run


def test_a_finished_poll_leaves_after_flushing_and_the_exit_handlers(switchboard: Run) -> None:
    done = switchboard("poll", "1")
    assert done.returncode == 0, done.stderr
    assert "polled account 1: 0 events" in done.stdout  # a pipe's buffer was flushed
    assert "atexit ran" in done.stderr
    assert "torn down" not in done.stderr  # no teardown


def test_without_run_or_after_a_failure_the_exit_is_the_ordinary_one(switchboard: Run) -> None:
    """The same probe can see a teardown: `main` alone (as tests call it) and a failed poll."""
    done = switchboard("poll", "1", entry="main")
    assert done.returncode == 0 and "torn down" in done.stderr
    failed = switchboard("poll", "999")
    assert failed.returncode == 1 and "no channel account 999" in failed.stderr
    assert "atexit ran" in failed.stderr and "torn down" in failed.stderr
