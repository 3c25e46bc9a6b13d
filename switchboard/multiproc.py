"""The shared metrics directory of prometheus_client's multiprocess mode (see metrics.py).

Kept apart from switchboard/metrics.py on purpose: prometheus_client picks its value store
from the environment when it is first imported, so this module must not import it at the
top, and `prepare` must run before anything else does.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger(__name__)


def directory_for(settings_dir: str, instance: Path) -> Path:
    return Path(settings_dir) if settings_dir else instance / "metrics"


def prepare(directory: Path) -> None:
    """Point this process and its children at `directory`, created, cleaned of dead pids."""
    if "prometheus_client" in sys.modules and os.environ.get(ENV) != str(directory):
        # Only when the command runs inside another Python program (the test suite's CLI
        # runner): that program's metrics stay its own, and its environment is left alone.
        log.warning("prometheus_client was imported first: this process's metrics stay its own")
        return
    directory.mkdir(parents=True, exist_ok=True)
    remove_dead(directory)
    os.environ[ENV] = str(directory)


def remove_dead(directory: Path) -> int:
    """Delete the files of processes that no longer run; how many were deleted.

    Files are named <kind>_<pid>.db (counter_123.db, gauge_livesum_123.db, ...). A dead
    process's counters then leave the totals, which Prometheus reads as a counter reset.
    """
    removed = 0
    for path in directory.glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def live_gauges_only(directory: Path) -> None:
    """Before a scrape: forget the live gauges of dead processes (their slots are free)."""
    from prometheus_client import multiprocess

    for path in directory.glob("gauge_live*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), str(directory))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process with that pid: leave its files alone
    return True
