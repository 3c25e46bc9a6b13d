"""Can waiting requests stall the web tier? (issue 13 §1)

Starts the real `switchboard web` (gunicorn, 1 process, default WEB_THREADS) on PostgreSQL and
a private Redis, opens more chat long-polls (each from its own loopback address, like many
visitors) and SSE streams than there are threads, and times /healthz and signed webhooks while
they wait. Before the pools, 20 long-polls made /healthz take 23.6 s.

    .venv/bin/python bench/web_stall.py [--polls 40] [--streams 16] [--write]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import fresh_pg_database, machine, write_section
from connectors._meta.webhook import sign
from tests.support.servers import free_port

BIN = Path(sys.executable).parent
WIDGET = "widget-bench"
SECRET = "bench-meta-secret"


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    deadline = time.time() + 20
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.RedisError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def up(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def long_poll(port: int, source: str, token: str, out: list[int]) -> None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
        conn.request(
            "GET",
            f"/chat/{WIDGET}/messages?after=0&wait=25",
            headers={"Authorization": f"Bearer {token}"},
        )
        out.append(conn.getresponse().status)
    except OSError:
        out.append(-1)


def stream(agent: requests.Session, base: str, out: list[str]) -> None:
    try:
        with agent.get(base + "/live/stream", stream=True, timeout=60) as answer:
            out.append(next(answer.iter_lines(decode_unicode=True)))
            for _ in answer.iter_lines():
                pass
    except requests.RequestException:
        pass


def timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    status = call()
    assert status == 200, status
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polls", type=int, default=40)
    parser.add_argument("--streams", type=int, default=16)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-web-stall-"))
    redis_proc, redis_url = start_redis(folder)
    url = fresh_pg_database("bench_web_stall")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench",
        "SWITCHBOARD_ENCRYPTION_KEY": "bench",
        "SWITCHBOARD_INSTANCE": str(folder),
        "SWITCHBOARD_DOTENV": "/nonexistent",
        "META_APP_SECRET": SECRET,
        "RATE_LIMIT_CHAT_SESSIONS": "",  # the setup opens many sessions from one address
        "LIVE_STREAMS_PER_AGENT": "100",  # one bench agent stands for many agents' tabs
    }
    for argv in (
        ["channel", "add", "webchat", "--name", "Chat", "--external-id", WIDGET],
        ["user", "create", "boss@example.test", "--role", "admin", "--password", "bench-pass-1"],
    ):
        subprocess.run([BIN / "switchboard", *argv], env=env, check=True, capture_output=True)
    port = free_port()
    web = subprocess.Popen(
        [BIN / "switchboard", "web", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while not up(base):
            assert time.time() < deadline, "switchboard web did not start"
            time.sleep(0.3)
        tokens = [
            requests.post(f"{base}/chat/{WIDGET}/session", json={}, timeout=10).json()["token"]
            for _ in range(args.polls)
        ]
        agent = requests.Session()
        page = agent.get(base + "/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        agent.post(
            base + "/login",
            data={"email": "boss@example.test", "password": "bench-pass-1", "csrf_token": csrf[1]},
            timeout=10,
        )
        polls: list[int] = []
        streams: list[str] = []
        threads = [
            threading.Thread(
                target=long_poll, args=(port, f"127.0.0.{10 + n}", t, polls), daemon=True
            )
            for n, t in enumerate(tokens)
        ]
        threads += [
            threading.Thread(target=stream, args=(agent, base, streams), daemon=True)
            for _ in range(args.streams)
        ]
        opened = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(2)  # let every waiting request arrive (the answers below are what counts)
        body = json.dumps({"object": "page", "entry": []}).encode()
        hook_headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(SECRET, body),
        }
        health = [
            timed(lambda: requests.get(base + "/healthz", timeout=60).status_code)
            for _ in range(20)
        ]
        hooks = [
            timed(
                lambda: (
                    requests.post(
                        base + "/webhooks/meta", data=body, headers=hook_headers, timeout=60
                    ).status_code
                )
            )
            for _ in range(20)
        ]
        measured_within = time.perf_counter() - opened
        ended = sum(1 for p in polls if p != 429)  # must be 0: measured while all waited
        busy = polls.count(429)
        waiting_polls = args.polls - len(polls)
        live_open = streams.count("retry: 2000")
        live_busy = streams.count("retry: 10000")
    finally:
        os.killpg(web.pid, signal.SIGKILL)
        web.wait()
        redis_proc.terminate()
        redis_proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()
    lines = [
        f"- {args.polls} chat long-polls (`wait=25`, each from its own 127.0.0.x address) and "
        f"{args.streams} SSE streams against one gunicorn process with 32 threads (defaults: "
        f"12 long-poll slots, 12 SSE slots).",
        f"- Long-polls: {waiting_polls} waiting, {busy} answered `429 busy` at once. "
        f"SSE: {live_open} open, {live_busy} told to retry in 10 s.",
        f"- While they waited ({measured_within:.1f} s after opening; long-polls answered by "
        f"then other than 429: {ended}): `/healthz` median "
        f"{statistics.median(health) * 1000:.0f} ms, max "
        f"{max(health) * 1000:.0f} ms (20 sequential); signed `/webhooks/meta` median "
        f"{statistics.median(hooks) * 1000:.0f} ms, max {max(hooks) * 1000:.0f} ms (20).",
        "- Before the pools (issue 13): 20 long-polls held all 16 threads and `/healthz` took "
        "23.6 s.",
        f"- Machine: {machine()}; load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        "(shared with other work).",
        "- Command: `.venv/bin/python bench/web_stall.py --write`",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("Web tier under waiting requests", report)


if __name__ == "__main__":
    main()
