"""A light webhook load generator: one process per client, raw keep-alive HTTP/1.1.

Why not `requests` in threads (bench/_production.py `Stack.post`): on this 2-CPU machine the
load generator shares the CPUs with the web processes, the worker and PostgreSQL, and what it
measures is its own scheduling too. `requests` costs about a millisecond of Python per POST
(building the request, parsing the response), and its client threads share one GIL with each
other: a response that has arrived waits until its thread holds the GIL again. Here every
request's bytes (body, signature, headers) are built before the clock starts, each client is
a process of its own that only writes its request and reads the answer, and the clock runs
from the write to the answer's last byte. The client processes' own CPU time is returned, so
a report can say what the generator cost.

Run as a module by `post_light`; as a script it is that client (`python bench/_loadgen.py
PORT FILE`): it reads its requests from FILE, waits for a line on stdin, sends them one
after another on one connection and writes its latencies and CPU seconds to stdout.
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def request_bytes(port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Connection: keep-alive",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _read_response(sock: socket.socket, buf: bytearray) -> tuple[int, bytearray]:
    """Read one response (Content-Length framed); its status and whatever followed it."""
    while (end := buf.find(b"\r\n\r\n")) < 0:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buf += chunk
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    length = 0
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    total = end + 4 + length
    while len(buf) < total:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buf += chunk
    return status, buf[total:]


def _client(port: int, file: str) -> None:
    requests = pickle.loads(Path(file).read_bytes())
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sys.stdout.buffer.write(b"ready\n")
    sys.stdout.flush()
    sys.stdin.readline()  # go
    latencies, starts, bad = [], [], 0
    buf = bytearray()
    clock = time.perf_counter
    for data in requests:
        started = clock()
        sock.sendall(data)
        status, buf = _read_response(sock, buf)
        latencies.append(clock() - started)
        starts.append(started)
        bad += status != 200
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out = {
        "latencies": latencies,
        "starts": starts,  # CLOCK_MONOTONIC: comparable with other processes' perf_counter
        "bad": bad,
        "cpu": usage.ru_utime + usage.ru_stime,
    }
    sys.stdout.buffer.write(pickle.dumps(out))


def post_light(
    port: int,
    total: int,
    clients: int,
    event: Callable[[int], dict[str, Any]],
    sign: Callable[[bytes], dict[str, str]],
    account: str = "page-1",
    path: str = "/webhooks/fake",
    tag: str = "",
) -> dict[str, Any]:
    """POST `total` signed single-message deliveries from `clients` processes.

    Returns latencies (s), the wall time, the clients' CPU seconds (requests built before
    the clock are not counted: they are the platform's work, not the measurement's) and the
    send times, for lining up with what the server saw (`tag`: each request also carries
    `X-Bench-Id: <tag><i>`, for a server-side probe to name it). The wall time runs from the first
    request sent to the last answer read."""
    tmp = Path(tempfile.mkdtemp(prefix="loadgen-"))
    procs = []
    try:
        for k in range(clients):
            mine = []
            for i in range(k, total, clients):
                body = json.dumps({"account": account, "events": [event(i)]}).encode()
                headers = {**sign(body), **({"X-Bench-Id": f"{tag}{i}"} if tag else {})}
                mine.append(request_bytes(port, path, body, headers))
            file = tmp / f"client{k}.pickle"
            file.write_bytes(pickle.dumps(mine))
            procs.append(
                subprocess.Popen(
                    [sys.executable, __file__, str(port), str(file)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            )
        for proc in procs:  # started and connected before the clock runs
            assert proc.stdout is not None
            if proc.stdout.readline() != b"ready\n":
                raise RuntimeError("load generator client did not start")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, _ = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"load generator client failed ({proc.returncode})")
            results.append(pickle.loads(out))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for file in tmp.iterdir():
            file.unlink()
        os.rmdir(tmp)
    ids = [i for k in range(clients) for i in range(k, total, clients)]
    starts = [x for r in results for x in r["starts"]]
    ends = [s + x for r in results for s, x in zip(r["starts"], r["latencies"], strict=True)]
    bad = sum(r["bad"] for r in results)
    if bad:
        raise RuntimeError(f"{bad} deliveries were not answered 200")
    return {
        "latencies": [x for r in results for x in r["latencies"]],
        "starts": starts,
        "ids": ids,
        "wall": max(ends) - min(starts),
        "cpu": sum(r["cpu"] for r in results),
    }


if __name__ == "__main__":
    _client(int(sys.argv[1]), sys.argv[2])
