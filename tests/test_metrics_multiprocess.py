"""/metrics adds up every process on the machine: `switchboard web` with two gunicorn
processes and a `switchboard worker`, sharing PROMETHEUS_MULTIPROC_DIR (PostgreSQL, Redis)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
import requests
from rq import Queue

from connectors.fake.connector import sign
from switchboard.multiproc import remove_dead
from tests.conftest import ENCRYPTION_KEY, REDIS_TEST_URL, _truncate_all
from tests.support.production import serving, wait_for
from tests.support.servers import free_port

BIN = Path(sys.executable).parent


def _value(text: str, name: str, **labels: str) -> float | None:
    """One sample's value from Prometheus text, or None when the sample is absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(match.group(2))
    return None


@pytest.mark.postgres
@pytest.mark.redis
def test_a_counter_bumped_in_the_worker_shows_in_the_webs_metrics(pg_url, tmp_path):
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999999.db").write_bytes(b"left by a process long gone")
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": REDIS_TEST_URL,
        "SECRET_KEY": "metrics-test",
        "SWITCHBOARD_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SWITCHBOARD_INSTANCE": str(tmp_path),
        "SWITCHBOARD_DOTENV": str(tmp_path / "none"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    env.pop("prometheus_multiproc_dir", None)
    subprocess.run(
        [BIN / "switchboard", "channel", "add", "facebook", "--name", "page",
         "--external-id", "page-m", "--connector", "fake"],
        env=env, check=True,
    )  # fmt: skip
    port = free_port()
    procs = [
        subprocess.Popen(
            [BIN / "switchboard", "web", "--port", str(port), "--workers", "2"],
            env=env,
            start_new_session=True,
        ),
        subprocess.Popen([BIN / "switchboard", "worker"], env=env, start_new_session=True),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: serving(base), 60, "switchboard web")
        assert not (metrics_dir / "counter_999999999.db").exists()  # a dead pid's file
        body = json.dumps(
            {
                "account": "page-m",
                "events": [
                    {"type": "message", "id": "m-metrics", "from": {"id": "c1"},
                     "text": "지표 테스트", "at": "2026-12-05T05:00:00+00:00"}
                ],
            }
        ).encode()  # fmt: skip
        sent = requests.post(
            base + "/webhooks/fake",
            data=body,
            headers={"X-Fake-Signature": sign("fake-secret", body)},
            timeout=10,
        )
        assert sent.status_code == 200
        # A job that raises in the worker: the failure counter is the worker's.
        Queue("maintenance", connection=redis.Redis.from_url(REDIS_TEST_URL)).enqueue(
            "workers.privacy.erase", 987654
        )

        def scrape() -> str:
            return requests.get(base + "/metrics", timeout=10).text

        def counted() -> bool:
            text = scrape()
            return (
                _value(text, "switchboard_ingested_events_total", channel="facebook",
                       outcome="created") == 1.0
                and _value(text, "switchboard_job_failures_total",
                           job="workers.privacy.erase") == 1.0
            )  # fmt: skip

        wait_for(counted, 60, "the worker's counters in /metrics")
        # Whichever gunicorn process answers, it reports every process's counters.
        for _ in range(6):
            text = scrape()
            assert (
                _value(
                    text, "switchboard_ingested_events_total", channel="facebook", outcome="created"
                )
                == 1.0
            )
            assert (
                _value(
                    text, "switchboard_webhook_deliveries_total", endpoint="fake", outcome="stored"
                )
                == 1.0
            )
            assert _value(text, "switchboard_ingest_lag_seconds_count") == 1.0
        pids = {p.stem.rsplit("_", 1)[-1] for p in metrics_dir.glob("*.db")}
        assert len(pids) >= 2  # the worker and at least one web process wrote files
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        _truncate_all(pg_url)


def test_files_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f"counter_{gone.pid}.db"
    mine = tmp_path / f"counter_{os.getpid()}.db"
    gauge = tmp_path / f"gauge_livesum_{gone.pid}.db"
    for path in (dead, mine, gauge):
        path.write_bytes(b"x")
    assert remove_dead(tmp_path) == 2
    assert mine.exists() and not dead.exists() and not gauge.exists()


def test_an_empty_multiproc_setting_means_per_process_metrics(tmp_path):
    """Test envs and copied settings files pass PROMETHEUS_MULTIPROC_DIR= (empty): that must
    not turn multiprocess mode on and scatter metric files into the working directory."""
    code = (
        "import switchboard.metrics as m, prometheus_client.values as v;"
        "m.SENDS.labels('x', 'sent').inc();"
        "print(v.ValueClass.__name__)"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": ""}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "MutexValue"
    assert list(tmp_path.iterdir()) == []
