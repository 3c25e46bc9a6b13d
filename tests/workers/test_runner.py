"""The embedded job runner: runs jobs, honours `at`, coalesces waiting duplicates."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from switchboard.runner import EmbeddedRunner, resolve

CALLS: list[tuple[str, float]] = []


def record(tag: str) -> None:
    CALLS.append((tag, time.time()))


def test_runs_now_later_and_coalesces(monkeypatch):
    import workers.sweep

    monkeypatch.setattr(workers.sweep, "test_record", record, raising=False)
    CALLS.clear()
    runner = EmbeddedRunner(threads=1)
    try:
        later = datetime.now(UTC) + timedelta(seconds=0.5)
        runner.enqueue("workers.sweep.test_record", "later", queue="send", at=later)
        runner.enqueue("workers.sweep.test_record", "now", queue="send", job_id="dup")
        runner.enqueue("workers.sweep.test_record", "now-again", queue="send", job_id="dup")
        assert runner.drain(timeout=5)
        assert [c[0] for c in CALLS] == ["now"]  # the duplicate waited and was coalesced
        assert [p[1] for p in runner.pending()] == ["workers.sweep.test_record"]
        deadline = time.time() + 10
        while len(CALLS) < 2 and time.time() < deadline:
            time.sleep(0.05)
        assert [c[0] for c in CALLS] == ["now", "later"]
        assert CALLS[1][1] >= later.timestamp()
    finally:
        runner.stop()


def test_a_failing_job_is_recorded_and_does_not_stop_the_runner(monkeypatch):
    import workers.sweep

    def boom() -> None:
        raise ValueError("bad job")

    monkeypatch.setattr(workers.sweep, "test_boom", boom, raising=False)
    monkeypatch.setattr(workers.sweep, "test_record", record, raising=False)
    CALLS.clear()
    runner = EmbeddedRunner(threads=1)
    try:
        runner.enqueue("workers.sweep.test_boom", queue="send")
        runner.enqueue("workers.sweep.test_record", "after", queue="send")
        assert runner.drain(timeout=5)
        assert runner.failures == [("workers.sweep.test_boom", "ValueError('bad job')")]
        assert [c[0] for c in CALLS] == ["after"]
    finally:
        runner.stop()


def test_only_functions_in_workers_can_be_jobs():
    import pytest

    with pytest.raises(ValueError):
        resolve("os.system")
