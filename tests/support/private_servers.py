"""Private Redis and PostgreSQL servers that a test may kill and restart.

The shared servers on 6379/5432 are never touched: these run on free ports in temp dirs and
are removed afterwards. PostgreSQL refuses to run as root, so its commands run as the
`postgres` system user when the tests run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from glob import glob
from pathlib import Path

import redis

from tests.support.servers import free_port


@dataclass
class PrivateRedis:
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.time() + 30
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        """Die without saving: everything in it is lost, as after a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _pg_bin(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found under /usr/lib/postgresql")
    return found[-1]


@dataclass
class PrivatePostgres:
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/switchboard"

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *argv], check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.root / "data"), "-o", options, "-w", "start",
            "-l", str(self.root / "log"),
        )  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: every connection is cut at once, as when the server crashes."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.root / "data"), "-m", mode, "-w", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    root = Path(tempfile.mkdtemp(prefix="sb-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = PrivatePostgres(root, free_port())
    server._run(
        _pg_bin("initdb"), "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"
    )
    server.start()
    try:
        server._run(
            _pg_bin("createdb"), "-h", str(root), "-p", str(server.port), "-U", "postgres",
            "switchboard",
        )  # fmt: skip
        yield server
    finally:
        try:
            server.stop("fast")
        finally:
            shutil.rmtree(root, ignore_errors=True)
