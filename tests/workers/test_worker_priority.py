"""`switchboard worker` lowers its own CPU priority (WORKER_NICE), in every thread it runs.

Where web and worker share CPUs, a draining worker otherwise delays webhook
acknowledgements (issue 12). Linux keeps nice values per thread, so the value must be set
before the worker starts its drainer, scheduler and beat threads: the test reads each
thread of real worker processes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from switchboard.settings import Settings
from tests.conftest import REDIS_TEST_URL
from tests.support.production import production, wait_for
from workers.rq_worker import lower_priority

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

# main, two ingest drainers, the fresh lane, beat and scheduler
WORKER_THREADS = 6


def _threads(proc: subprocess.Popen[bytes]) -> list[int]:
    try:
        return [int(tid) for tid in os.listdir(f"/proc/{proc.pid}/task")]
    except FileNotFoundError:
        return []


def _nice_values(proc: subprocess.Popen[bytes]) -> set[int]:
    return {os.getpriority(os.PRIO_PROCESS, tid) for tid in _threads(proc)}


def test_every_thread_of_the_worker_runs_at_the_configured_nice_value(
    pg_url: str, tmp_path: Path
) -> None:
    ours = os.getpriority(os.PRIO_PROCESS, 0)  # the workers inherit it, then add theirs
    with production(pg_url, tmp_path, REDIS_TEST_URL) as prod:
        niced = prod.start_worker(WORKER_NICE="7")
        unchanged = prod.start_worker(WORKER_NICE="0")
        defaulted = prod.start_worker()
        workers = (niced, unchanged, defaulted)
        wait_for(
            lambda: all(len(_threads(w)) >= WORKER_THREADS for w in workers),
            what="the workers' threads",
        )
        assert all(w.poll() is None for w in workers)
        assert _nice_values(niced) == {min(19, ours + 7)}
        assert _nice_values(unchanged) == {ours}
        default = int(Settings.load({}).get("WORKER_NICE"))
        assert _nice_values(defaulted) == {min(19, ours + default)}


@pytest.mark.parametrize("value", ["-5", "20"])
def test_a_nice_value_outside_0_to_19_is_refused_before_anything_changes(value: str) -> None:
    before = os.getpriority(os.PRIO_PROCESS, 0)
    with pytest.raises(SystemExit, match="WORKER_NICE"):
        lower_priority(Settings.load({"WORKER_NICE": value}))
    assert os.getpriority(os.PRIO_PROCESS, 0) == before
