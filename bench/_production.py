"""A production stack for the whole-process benchmarks: a fresh PostgreSQL database, a
private redis-server on a free port (never the shared one), `switchboard web` (gunicorn) and
any number of `switchboard worker` processes, driven over loopback HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import redis
import requests

from bench._common import fresh_pg_database
from connectors.fake.connector import sign

BIN = Path(sys.executable).parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def message_event(external_id: str, customer: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": external_id,
        "from": {"id": customer, "name": "고객"},
        "text": text,
        "at": "2026-11-25T05:00:00+00:00",
    }


class PrivateRedis:
    """A redis-server of our own on a free loopback port (never the shared one), no disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.workdir = tempfile.mkdtemp(prefix="bench-redis-")
        self.proc = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


class Stack:
    def __init__(
        self,
        name: str,
        *,
        web_workers: int = 2,
        accounts: tuple[str, ...] = ("page-1",),
        env: dict[str, str] | None = None,
    ):
        self.name = name
        self.db_url = fresh_pg_database(name)
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        self.redis = PrivateRedis()
        self.redis_port = self.redis.port
        self.env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": "bench",
            "SWITCHBOARD_ENCRYPTION_KEY": "bench",
            "SWITCHBOARD_INSTANCE": str(self.tmp / "instance"),
            "SWITCHBOARD_DOTENV": "/nonexistent",
            "SWITCHBOARD_FAKE_CONNECTOR": "1",  # the test connector exists only when asked for
            "FAKE_WEBHOOK_SECRET": "fake-secret",
            **(env or {}),
        }
        self.account_ids = {}
        for external_id in accounts:
            out = self.cli("channel", "add", "facebook", "--name", external_id,
                           "--external-id", external_id, "--connector", "fake")  # fmt: skip
            self.account_ids[external_id] = int(out.split("account ")[1].split(":")[0])
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.web = subprocess.Popen(
            [BIN / "switchboard", "web", "--port", str(self.port), "--workers", str(web_workers)],
            env=self.env,
            stdout=open(self.tmp / "web.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers: list[subprocess.Popen[bytes]] = []
        self._wait_web()

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [BIN / "switchboard", *args], env=self.env, check=True, capture_output=True, text=True
        )
        return done.stdout

    def _wait_web(self) -> None:
        for _ in range(300):
            try:
                if requests.get(self.base + "/healthz", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("switchboard web did not start")

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = self.tmp / f"worker{len(self.workers)}.log"
        proc = subprocess.Popen(
            [BIN / "switchboard", "-v", "worker"],  # -v: INFO, the drainer's start line
            env=self.env,
            stdout=open(log, "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(proc)
        return proc

    def wait_ready(self, worker: subprocess.Popen[bytes]) -> float:
        """Wait until the worker's ingest drainer runs; the time it was seen ready."""
        log = self.tmp / f"worker{self.workers.index(worker)}.log"
        while "ingest drainer started" not in log.read_text(errors="replace"):
            if worker.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")[-3000:])
            time.sleep(0.02)
        return time.time()

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            return list(conn.execute(query, params).fetchall())

    def processed(self, min_id: int = 0) -> int:
        return int(
            self.sql(
                "SELECT count(*) FROM inbound_delivery WHERE status <> 'received' AND id > %s",
                min_id,
            )[0][0]
        )

    def backend_pids(self) -> list[int]:
        return [
            int(r[0])
            for r in self.sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                self.name,
            )
        ]

    def post(
        self, total: int, clients: int, event: Callable[[int], dict[str, Any]],
        account: str = "page-1",
    ) -> tuple[list[float], float]:  # fmt: skip
        """POST `total` signed single-message deliveries from `clients` threads."""
        latencies: list[float] = []
        lock = threading.Lock()
        counter = iter(range(total))

        def client() -> None:
            session = requests.Session()
            mine = []
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                body = json.dumps({"account": account, "events": [event(i)]}).encode()
                headers = {"X-Fake-Signature": sign("fake-secret", body)}
                started = time.perf_counter()
                response = session.post(self.base + "/webhooks/fake", data=body, headers=headers)
                mine.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(response.text)
            with lock:
                latencies.extend(mine)

        began = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return latencies, time.perf_counter() - began

    def close(self) -> None:
        for proc in [*self.workers, self.web]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers, self.web]:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        self.redis.close()
