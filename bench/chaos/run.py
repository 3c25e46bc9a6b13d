"""Chaos proving ground (issue 14): production processes under faults; nothing lost or doubled.

    .venv/bin/python bench/chaos/run.py [--messages 600] [--replies 80] [--announcements 3]
        [--no-restart-exited] [--drain-timeout 600] [--keep] [--write (to BENCHMARKS.md)]

Starts a PRIVATE PostgreSQL cluster (initdb + pg_ctl in a temp dir, free port) and a PRIVATE
Redis (free port, no persistence), the Meta and X emulators (threads of this process, on
loopback), `switchboard web` (gunicorn) and two `switchboard worker` processes. Then, at once:

- a steady stream of signed Meta webhooks: distinct customer DMs, 30 % delivered twice, shuffled
  (out of order), each POST retried until it is answered 200, as Meta does;
- agent replies through POST /api/v1/conversations/{id}/messages (Idempotency-Key, retried with
  the same key on any error), and announcements to the FB page, the IG account and the X
  account through POST /api/v1/announcements (Idempotency-Key, retried the same way);
- faults: SIGKILL of workers, Redis restarted empty, PostgreSQL restarted, and the emulators
  answering "accept, then time out", 5xx (after accepting, and before), and rate limits.

It acts as the supervisor too: a worker that was killed, or that exited by itself, is started
again (and counted; `--no-restart-exited` leaves the latter dead). After the load it waits
until every inbound message, reply and post has an outcome, and prints sent / stored / lost /
duplicated for inbound, outbound and posts, with the drain time. Never touches the shared
5432/6379 servers. Not part of CI.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import hashlib
import hmac
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench._common import machine, write_section  # noqa: E402

BIN = Path(sys.executable).parent
APP_SECRET = "chaos-app-secret"
APP_ID = "880011223344556"
PAGE = "104857600012345"
IG = "17841400000012345"
PAGE_TOKEN = "sandbox-page-token"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# -- private stores --------------------------------------------------------------------------


class PrivatePostgres:
    """initdb + pg_ctl on a free port with a socket dir of our own; restartable."""

    def __init__(self, base: Path) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not found:
            raise SystemExit("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
        self.bin = found[-1].parent
        self.data = base / "pgdata"
        self.sock = base / "pgsock"
        self.sock.mkdir()
        self.data.mkdir()
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to `postgres`
            base.chmod(0o755)
            for path in (self.sock, self.data):
                shutil.chown(path, "postgres", "postgres")
            (base / "postgres.log").touch()
            shutil.chown(base / "postgres.log", "postgres", "postgres")
        self.port = free_port()
        self.log = base / "postgres.log"
        self.opts = (
            f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200"
        )
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "chaos")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/chaos"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(self._as_owner(tool, *args), check=True, capture_output=True)

    def _as_owner(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bin / tool), *args]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", self.opts, "-l", str(self.log), "-w", "start"
        )

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        time.sleep(1.0)  # down for a moment, as a real restart is
        self.start()

    def stop(self) -> None:
        subprocess.run(
            self._as_owner("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"),
            capture_output=True,
            check=False,
        )


class PrivateRedis:
    """redis-server on a free port, no persistence: a restart loses every queued job."""

    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.logfile = base / "redis.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

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
                "--logfile",
                str(self.logfile),
            ]
        )
        wait_port(self.port)

    def restart(self) -> None:
        self.stop()
        time.sleep(1.0)
        self.start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


# -- emulators (threads of this process) ---------------------------------------------------


def serve(app: Any) -> tuple[str, Any]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


# -- production processes ---------------------------------------------------------------------


@dataclass
class Processes:
    env: dict[str, str]
    logs: Path
    web_port: int
    web: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    killed: set[int] = field(default_factory=set)
    kills: int = 0
    exits: int = 0
    groups: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start_web(self) -> None:
        out = open(self.logs / "web.log", "ab")  # noqa: SIM115
        self.web = subprocess.Popen(
            [str(BIN / "switchboard"), "web", "--port", str(self.web_port), "--workers", "2"],
            env=self.env,
            stdout=out,
            stderr=out,
        )
        wait_port(self.web_port, 60)

    def start_worker(self, slot: int) -> subprocess.Popen[bytes]:
        out = open(self.logs / f"worker{slot}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [str(BIN / "switchboard"), "worker"],
            env=self.env,
            stdout=out,
            stderr=out,
            start_new_session=True,  # its own group: the cleanup also ends orphaned work horses
        )
        self.groups.append(proc.pid)
        return proc

    def kill_worker(self, slot: int) -> None:
        with self.lock:
            proc = self.workers[slot]
            self.killed.add(proc.pid)
            proc.send_signal(signal.SIGKILL)
            self.kills += 1

    def supervise(self, stop: threading.Event, restart_exited: bool) -> None:
        """Restart killed workers; count (and unless told not to, restart) those that exited.

        `--no-restart-exited` shows whether workers survive Redis/PostgreSQL restarts on
        their own (issue 14 item 4): a worker that exits then stays gone.
        """
        gone: set[int] = set()
        while not stop.is_set():
            with self.lock:
                for slot, proc in enumerate(self.workers):
                    if proc.poll() is None or proc.pid in gone:
                        continue
                    if proc.pid not in self.killed:
                        self.exits += 1
                        log(f"worker {slot} exited by itself (code {proc.returncode})")
                        if not restart_exited:
                            gone.add(proc.pid)
                            continue
                    self.workers[slot] = self.start_worker(slot)
            stop.wait(0.5)

    def stop_all(self) -> None:
        for proc in [*self.workers, *([self.web] if self.web else [])]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers, *([self.web] if self.web else [])]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        for pid in ours(self.env["REDIS_URL"]):  # work horses (own session) of killed workers
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def ours(redis_url: str) -> list[int]:
    """Processes started with this run's private REDIS_URL (found through /proc/*/environ)."""
    marker = f"REDIS_URL={redis_url}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Tally:
    deliveries_posted: int = 0
    webhook_retries: int = 0
    api_retries: int = 0
    replies_refused: int = 0
    reply_codes: Counter[int] = field(default_factory=Counter)
    mids: list[str] = field(default_factory=list)  # distinct customer messages sent
    replies: dict[str, str] = field(default_factory=dict)  # idempotency key -> text
    reply_ids: dict[str, int] = field(default_factory=dict)
    announcements: dict[str, str] = field(default_factory=dict)  # key -> text
    lock: threading.Lock = field(default_factory=threading.Lock)


def retry_http(call: Callable[[], requests.Response], tally: Tally, ok: tuple[int, ...]) -> Any:
    """Repeat a request until it gets an answer in `ok` (what a well-behaved client does)."""
    delay = 0.2
    deadline = time.time() + 180
    while True:
        try:
            response = call()
            if response.status_code in ok:
                return response
            if response.status_code == 422:
                return response
        except requests.RequestException:
            pass
        if time.time() > deadline:
            raise RuntimeError("a request never succeeded within 180 s")
        with tally.lock:
            tally.api_retries += 1
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def signed(body: bytes) -> dict[str, str]:
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def webhook_stream(
    meta_url: str, web_url: str, count: int, customers: list[str], tally: Tally, rate: float
) -> None:
    """Distinct DMs from `customers`, 30 % redelivered, shuffled in windows of 20."""
    emu = requests.Session()
    items: list[bytes] = []
    for n in range(count):
        customer = customers[n % len(customers)]
        made = emu.post(
            f"{meta_url}/_emu/customers/dm",
            json={
                "customer_id": customer,
                "text": f"문의 #{n} 배송 언제 되나요?",
                "deliver": "none",
            },
            timeout=30,
        ).json()
        ms = int(time.time() * 1000)
        body = json.dumps(
            {
                "object": "page",
                "entry": [
                    {
                        "id": PAGE,
                        "time": ms,
                        "messaging": [
                            {
                                "sender": {"id": customer},
                                "recipient": {"id": PAGE},
                                "timestamp": ms,
                                "message": {
                                    "mid": made["mid"],
                                    "text": f"문의 #{n} 배송 언제 되나요?",
                                },
                            }
                        ],
                    }
                ],
            },
            ensure_ascii=True,
        ).encode()
        tally.mids.append(made["mid"])
        items.append(body)
        if random.random() < 0.30:
            items.append(body)  # a redelivery
    for start in range(0, len(items), 20):
        window = items[start : start + 20]
        random.shuffle(window)
        items[start : start + 20] = window
    session = requests.Session()
    interval = 1.0 / rate
    for body in items:
        started = time.time()

        def post(body: bytes = body) -> requests.Response:
            return session.post(
                f"{web_url}/webhooks/meta", data=body, headers=signed(body), timeout=10
            )

        retries_before = tally.api_retries
        retry_http(post, tally, (200,))
        with tally.lock:
            tally.deliveries_posted += 1
            tally.webhook_retries += tally.api_retries - retries_before
        time.sleep(max(0.0, interval - (time.time() - started)))


def conversation_ids(engine: sa.Engine) -> dict[str, int]:
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT participant_key, id FROM conversation WHERE kind = 'dm'")
            ).all()
        return {str(k): int(v) for k, v in rows}
    except sa.exc.SQLAlchemyError:
        return {}


def reply_stream(
    web_url: str, token: str, engine: sa.Engine, count: int, tally: Tally, pace: float
) -> None:
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    while n < count:
        conversations = conversation_ids(engine)
        if not conversations:
            time.sleep(0.5)
            continue
        _, conversation_id = random.choice(sorted(conversations.items()))
        key = f"chaos-reply-{n}"
        text = f"답변 #{n}: 확인 후 바로 안내드리겠습니다."

        def post(key: str = key, text: str = text, cid: int = conversation_id) -> requests.Response:
            return session.post(
                f"{web_url}/api/v1/conversations/{cid}/messages",
                json={"text": text},
                headers={**headers, "Idempotency-Key": key},
                timeout=10,
            )

        response = retry_http(post, tally, (200, 201, 202))
        with tally.lock:
            tally.reply_codes[response.status_code] += 1
            if response.status_code == 422:
                tally.replies_refused += 1
            else:
                tally.replies[key] = text
                tally.reply_ids[key] = int(response.json()["id"])
        n += 1
        time.sleep(pace)


def announce(web_url: str, token: str, accounts: list[int], count: int, tally: Tally) -> None:
    session = requests.Session()
    image = base64.b64encode(JPEG).decode()
    for n in range(count):
        key = f"chaos-announcement-{n}"
        text = f"카오스 테스트 공지 #{n} — 겨울 한정 20% 할인"
        body = {
            "text": text,
            "targets": [{"channel_account_id": a} for a in accounts],
            "images": [{"data": image, "filename": "winter.jpg"}],
            "publish": "now",
        }

        def post(body: dict[str, Any] = body, key: str = key) -> requests.Response:
            return session.post(
                f"{web_url}/api/v1/announcements",
                json=body,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                timeout=20,
            )

        retry_http(post, tally, (200, 201, 202))
        tally.announcements[key] = text
        time.sleep(3)


def faults(
    meta: str, x: str, pg: PrivatePostgres, rds: PrivateRedis, procs: Processes, done: list[str]
) -> None:
    """The fault schedule (seconds after the load starts); each step is logged and reported.

    Emulator faults are armed for a number of matching calls and stay armed until those calls
    come (during the load or the drain); the report lists any that never found one.
    """
    emu = requests.Session()

    def meta_fault(**body: Any) -> Callable[[], Any]:
        return lambda: emu.post(f"{meta}/_emu/fault", json=body, timeout=10)

    def x_fault(**body: Any) -> Callable[[], Any]:
        return lambda: emu.post(f"{x}/_emu/fault", json=body, timeout=10)

    plan: list[tuple[float, str, Callable[[], Any]]] = [
        (
            4,
            "Meta: accept, then time out (5 sends)",
            meta_fault(mode="timeout", path_contains="/messages", count=5, hang_seconds=4),
        ),
        (7, "SIGKILL worker 0", lambda: procs.kill_worker(0)),
        (
            8,
            "X: accept, then time out (2 tweets)",
            x_fault(endpoint="tweets_create", mode="timeout", count=2, hang_seconds=4),
        ),
        (
            8.5,
            "Meta: accept, then time out (2 photo posts)",
            meta_fault(mode="timeout", path_contains="/photos", count=2, hang_seconds=4),
        ),
        (
            10,
            "Meta: 500 after accepting (3 sends)",
            meta_fault(mode="5xx", path_contains="/messages", count=3, accept=True),
        ),
        (
            12,
            "Meta: 500 before accepting (3 sends)",
            meta_fault(mode="5xx", path_contains="/messages", count=3, accept=False),
        ),
        (
            13,
            "X: 503 after accepting (1 tweet)",
            x_fault(endpoint="tweets_create", mode="5xx", accept=True, count=1),
        ),
        (15, "Redis restarted (every queued job lost)", rds.restart),
        (24, "PostgreSQL restarted", pg.restart),
        (28, "SIGKILL worker 1", lambda: procs.kill_worker(1)),
        (
            31,
            "Meta: rate limit (code 4, 1 send; pauses the app 60 s)",
            meta_fault(mode="429", path_contains="/messages"),
        ),
        (36, "Redis restarted again", rds.restart),
        (40, "SIGKILL worker 0 again", lambda: procs.kill_worker(0)),
    ]
    began = time.time()
    for at, what, action in sorted(plan, key=lambda step: step[0]):
        time.sleep(max(0.0, at - (time.time() - began)))
        log(f"fault: {what}")
        action()
        done.append(what)


def settled(engine: sa.Engine, tally: Tally) -> tuple[bool, str]:
    """Every sent mid stored; every reply and post target with a final status."""
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                sa.text("SELECT count(DISTINCT external_id) FROM message WHERE direction='inbound'")
            ).scalar_one()
            open_replies = conn.execute(
                sa.text(
                    "SELECT count(*) FROM message WHERE direction='outbound' "
                    "AND status IN ('pending','sending')"
                )
            ).scalar_one()
            open_targets = conn.execute(
                sa.text(
                    "SELECT count(*) FROM announcement_target "
                    "WHERE status IN ('scheduled','publishing')"
                )
            ).scalar_one()
            permalinks = conn.execute(
                sa.text(
                    "SELECT count(*) FROM announcement_target "
                    "WHERE status='published' AND permalink IS NULL"
                )
            ).scalar_one()
    except sa.exc.SQLAlchemyError as exc:
        return False, f"database unavailable ({exc.__class__.__name__})"
    state = (
        f"inbound {stored}/{len(tally.mids)}, replies open {open_replies}, "
        f"targets open {open_targets}, permalinks missing {permalinks}"
    )
    return stored >= len(tally.mids) and open_replies == 0 and open_targets == 0, state


def report(
    engine: sa.Engine, meta_world: Any, x_world: Any, tally: Tally, brand: str
) -> dict[str, Any]:
    with engine.connect() as conn:
        inbound = Counter(
            str(r[0])
            for r in conn.execute(
                sa.text("SELECT external_id FROM message WHERE direction='inbound'")
            )
        )
        replies = {
            str(k): (str(s), e)
            for k, s, e in conn.execute(
                sa.text(
                    "SELECT idempotency_key, status, external_id FROM message "
                    "WHERE direction='outbound' AND idempotency_key LIKE 'chaos-reply-%'"
                )
            )
        }
        targets = list(
            conn.execute(
                sa.text(
                    "SELECT a.idempotency_key, ca.channel, t.status, t.external_id, t.permalink "
                    "FROM announcement_target t JOIN announcement a ON a.id = t.announcement_id "
                    "JOIN channel_account ca ON ca.id = t.channel_account_id"
                )
            )
        )
        announcement_rows = conn.execute(sa.text("SELECT count(*) FROM announcement")).scalar_one()
        stuck_announcements = conn.execute(
            sa.text("SELECT count(*) FROM announcement WHERE status NOT IN ('done','cancelled')")
        ).scalar_one()
    sent = set(tally.mids)
    stored_in = {m for m in sent if inbound.get(m)}
    # Outbound: what the customer actually received, per reply text.
    with meta_world.lock:
        received = Counter(
            m.text
            for t in meta_world.threads.values()
            for m in t.messages
            if m.from_id == t.owner_id
        )
        fb_posts = Counter(p.text for p in meta_world.posts.values() if p.platform == "facebook")
        ig_posts = Counter(p.text for p in meta_world.posts.values() if p.platform == "instagram")
    with x_world.lock:
        tweets = Counter(t.raw_text for t in x_world.tweets.values() if t.author_id == brand)
    statuses = Counter(status for status, _ in replies.values())
    delivered = [k for k, text in tally.replies.items() if received.get(text)]
    dup_out = sum(max(0, received.get(text, 0) - 1) for text in tally.replies.values())
    unknown = [k for k, (s, _) in replies.items() if s == "unknown"]
    failed = [k for k, (s, _) in replies.items() if s == "failed"]
    lost_out = [
        k
        for k, text in tally.replies.items()
        if not received.get(text) and replies.get(k, ("?", None))[0] not in ("failed",)
    ]
    expected_posts = []
    for key, text in tally.announcements.items():
        for channel, counter in (("facebook", fb_posts), ("instagram", ig_posts), ("x", tweets)):
            found = sum(n for body, n in counter.items() if body.startswith(text))
            expected_posts.append((key, channel, found))
    return {
        "inbound": {
            "sent": len(sent),
            "deliveries posted (with duplicates)": tally.deliveries_posted,
            "stored": len(stored_in),
            "lost": len(sent - stored_in),
            "duplicated": sum(max(0, inbound[m] - 1) for m in sent),
        },
        "outbound": {
            "sent (accepted by the API)": len(tally.replies),
            "stored": len(replies),
            "received by the customer": len(delivered),
            "lost": len(lost_out),
            "duplicated": dup_out,
            "statuses": dict(statuses),
            "unknown (agent checks)": len(unknown),
            "failed": len(failed),
            "refused 422": tally.replies_refused,
            "API answers": dict(tally.reply_codes),
        },
        "posts": {
            "sent (targets)": len(expected_posts),
            "stored (targets)": len(targets),
            "announcements stored": announcement_rows,
            "published": sum(1 for t in targets if t[2] == "published"),
            "on the platforms": sum(1 for _, _, n in expected_posts if n >= 1),
            "lost": sum(1 for _, _, n in expected_posts if n == 0),
            "duplicated": sum(max(0, n - 1) for _, _, n in expected_posts),
            "permalinks": sum(1 for t in targets if t[4]),
            "announcements not done": stuck_announcements,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--customers", type=int, default=30)
    parser.add_argument("--replies", type=int, default=80)
    parser.add_argument("--announcements", type=int, default=3)
    parser.add_argument("--rate", type=float, default=15.0, help="webhook POSTs per second")
    parser.add_argument(
        "--no-restart-exited",
        dest="restart_exited",
        action="store_false",
        help="leave a worker that exited by itself dead (shows whether workers recover alone)",
    )
    parser.add_argument("--drain-timeout", type=float, default=600.0, help="seconds")
    parser.add_argument("--write", action="store_true", help="write BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulators' access logs

    from sandbox.meta import create_app as create_meta
    from sandbox.x import World as XWorld
    from sandbox.x import create_app as create_x
    from sandbox.x.world import BRAND, CONSUMER_KEY, CONSUMER_SECRET

    base = Path(tempfile.mkdtemp(prefix="switchboard-chaos-"))
    log(f"work dir {base}")
    pg = PrivatePostgres(base)
    atexit.register(pg.stop)  # also when something below fails: never leave a cluster running
    rds = PrivateRedis(base)
    atexit.register(rds.stop)
    log(f"private PostgreSQL on {pg.port}, private Redis on {rds.port}")
    web_port = free_port()
    web_url = f"http://127.0.0.1:{web_port}"
    meta_app = create_meta(
        {
            "APP_SECRET": APP_SECRET,
            "APP_ID": APP_ID,
            "WEBHOOK_URL": f"{web_url}/webhooks/meta",
            "DELIVERY_RECEIPTS": False,
            "SEED": True,
        }
    )
    meta_url, meta_server = serve(meta_app)
    x_world = XWorld()
    x_url, x_server = serve(create_x(x_world))
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL")},
        "DATABASE_URL": pg.url,
        "REDIS_URL": rds.url,
        "SECRET_KEY": "chaos-secret-key",
        "SWITCHBOARD_ENCRYPTION_KEY": "chaos-encryption-key",
        "SWITCHBOARD_INSTANCE": str(base / "instance"),
        "SWITCHBOARD_DOTENV": str(base / "no.env"),
        "META_GRAPH_URL": meta_url,
        "META_APP_SECRET": APP_SECRET,
        "META_APP_ID": APP_ID,
        "META_HTTP_TIMEOUT": "2",
        "META_IG_CONTAINER_WAIT": "0.2",
        "X_API_URL": x_url,
        "X_CONSUMER_KEY": CONSUMER_KEY,
        "X_CONSUMER_SECRET": CONSUMER_SECRET,
        "X_HTTP_TIMEOUT": "2",
        "PUBLIC_BASE_URL": web_url,
        "SWEEP_INTERVAL_SECONDS": "3",
        "SWEEP_STALE_SECONDS": "6",
        "PUBLISH_STALE_SECONDS": "20",
        "SEND_MAX_ATTEMPTS": "8",
        "PUBLISH_MAX_ATTEMPTS": "8",
    }
    subprocess.run([str(BIN / "switchboard"), "db", "upgrade"], env=env, check=True)
    token, accounts = setup(env)
    procs = Processes(env=env, logs=base, web_port=web_port)
    atexit.register(procs.stop_all)
    procs.start_web()
    procs.workers = [procs.start_worker(0), procs.start_worker(1)]
    engine = sa.create_engine(pg.url, pool_pre_ping=True)
    customers = [
        requests.post(
            f"{meta_url}/_emu/customers/dm",
            json={"text": "안녕하세요", "deliver": "none"},
            timeout=30,
        ).json()["customer_id"]
        for _ in range(args.customers)
    ]
    tally = Tally()
    stop = threading.Event()
    threading.Thread(target=procs.supervise, args=(stop, args.restart_exited), daemon=True).start()
    done_faults: list[str] = []
    load_start = time.time()
    load_avg_before = os.getloadavg()
    threads = [
        threading.Thread(
            target=webhook_stream,
            args=(meta_url, web_url, args.messages, customers, tally, args.rate),
        ),
        threading.Thread(
            target=reply_stream, args=(web_url, token, engine, args.replies, tally, 0.4)
        ),
        threading.Thread(
            target=announce, args=(web_url, token, accounts, args.announcements, tally)
        ),
        threading.Thread(target=faults, args=(meta_url, x_url, pg, rds, procs, done_faults)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load_end = time.time()
    log(f"load and faults done in {load_end - load_start:.1f} s; draining")
    state = ""
    while time.time() - load_end < args.drain_timeout:
        ok, state = settled(engine, tally)
        if ok:
            break
        time.sleep(0.5)
    drain = time.time() - load_end
    log(f"settled: {state} after {drain:.1f} s")
    meta_world = meta_app.extensions["meta_sandbox"]
    with meta_world.lock:
        unfired = [f"Meta {f.mode} {f.path_contains} x{f.count}" for f in meta_world.faults]
    with x_world.lock:
        unfired += [f"X {f.mode} {name} x{f.count}" for name, f in x_world.faults.items()]
    requests.delete(f"{meta_url}/_emu/fault", timeout=10)
    requests.delete(f"{x_url}/_emu/fault", timeout=10)
    time.sleep(8)  # permalink enrichment jobs, late echoes: not part of the outcome
    results = report(engine, meta_world, x_world, tally, BRAND[0])
    results["drain_seconds"] = round(drain, 1)
    results["load_seconds"] = round(load_end - load_start, 1)
    results["faults"] = done_faults
    results["faults not triggered (no matching call came)"] = unfired
    results["workers"] = {
        "killed": procs.kills,
        "exited by themselves": procs.exits,
        "exited workers restarted by the harness": args.restart_exited,
        "alive at the end": sum(1 for p in procs.workers if p.poll() is None),
    }
    results["retries"] = {"webhook POSTs": tally.webhook_retries, "API calls": tally.api_retries}
    results["load_average"] = [round(v, 2) for v in (*load_avg_before, *os.getloadavg())]
    print(json.dumps(results, ensure_ascii=False, indent=2))
    stop.set()
    procs.stop_all()
    engine.dispose()
    rds.stop()
    pg.stop()
    meta_server.shutdown()
    x_server.shutdown()
    if args.write:
        write_section("Chaos", render(results, args))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


def setup(env: dict[str, str]) -> tuple[str, list[int]]:
    """An admin (also marketer-capable) with a token, and the FB, IG and X accounts."""
    from inbox.channels import add_account
    from inbox.users import create_user, set_inboxes
    from sandbox.x.world import BRAND
    from switchboard.runner import RqRunner
    from switchboard.runtime import build_runtime
    from switchboard.settings import Settings
    from web.api.auth import issue_token

    rt = build_runtime(Settings.load(env), jobs=RqRunner(env["REDIS_URL"]))
    with rt.db.session() as session:
        fb = add_account(
            session,
            channel="facebook",
            connector="facebook",
            name="Chaos page",
            external_id=PAGE,
            sealed_credentials=rt.seal({"page_token": PAGE_TOKEN}),
            options={"poll": False},
        )
        ig = add_account(
            session,
            channel="instagram",
            connector="instagram",
            name="Chaos IG",
            external_id=IG,
            sealed_credentials=rt.seal({"page_token": PAGE_TOKEN}),
            options={"page_id": PAGE, "poll": False},
        )
        x = add_account(
            session,
            channel="x",
            connector="x",
            name="Chaos X",
            external_id=BRAND[0],
            sealed_credentials=rt.seal(
                {"access_token": "brand-access-token", "access_token_secret": "brand-access-secret"}
            ),
            options={"username": BRAND[1], "poll": False},
        )
        admin, _ = create_user(
            session, email="chaos@example.test", role="admin", name="Chaos", password="x" * 12
        )
        set_inboxes(session, admin, {fb.id, ig.id, x.id})
        token = issue_token(session, admin, "chaos")
        ids = [fb.id, ig.id, x.id]
    rt.db.dispose()
    return token, ids


def render(results: dict[str, Any], args: argparse.Namespace) -> str:
    inbound, outbound, posts = results["inbound"], results["outbound"], results["posts"]
    rows = [
        ("inbound DMs", inbound["sent"], inbound["stored"], inbound["lost"], inbound["duplicated"]),
        (
            "outbound replies",
            outbound["sent (accepted by the API)"],
            outbound["received by the customer"],
            outbound["lost"],
            outbound["duplicated"],
        ),
        (
            "posts (targets)",
            posts["sent (targets)"],
            posts["on the platforms"],
            posts["lost"],
            posts["duplicated"],
        ),
    ]
    table = "\n".join(
        ["| | sent | stored / delivered | lost | duplicated |", "|---|---:|---:|---:|---:|"]
        + [f"| {name} | {a} | {b} | {c} | {d} |" for name, a, b, c, d in rows]
    )
    load = results["load_average"]
    command = (
        f"bench/chaos/run.py --messages {args.messages} --replies {args.replies} "
        f"--announcements {args.announcements} --write"
    )
    posted = inbound["deliveries posted (with duplicates)"]
    accepted = outbound["sent (accepted by the API)"]
    workers = results["workers"]
    retries = results["retries"]
    unfired = results["faults not triggered (no matching call came)"] or "none"
    return f"""`.venv/bin/python {command}` (issue 14).
`switchboard web` (gunicorn, 2 processes) and two `switchboard worker` processes on a private
PostgreSQL cluster and a private Redis (free ports), the Meta and X emulators on loopback.
{posted} signed webhook POSTs for {inbound["sent"]} distinct DMs (30 % redelivered, shuffled in
windows of 20), {accepted} agent replies through the API and {args.announcements} announcements
(FB page, IG account, X account each) while these faults ran: {"; ".join(results["faults"])}.

{table}

- Replies: statuses {outbound["statuses"]}; "unknown — check": {outbound["unknown (agent checks)"]};
  API answers {outbound["API answers"]} (202: stored while Redis was down; the sweeper sent it).
- Posts: {posts["published"]} targets published, {posts["permalinks"]} permalinks filled in
  afterwards; announcements not `done`: {posts["announcements not done"]}.
- Workers: {workers["killed"]} SIGKILLed by the harness, {workers["exited by themselves"]} exited
  by themselves when Redis restarted (issue 14 item 4, reconnecting workers, is `thru`'s); the
  harness restarted both kinds, as a supervisor would.
- Emulator faults that never found a matching call: {unfired}.
- Client retries: webhook POSTs {retries["webhook POSTs"]}, API calls {retries["API calls"]}.
- Load {results["load_seconds"]} s; drain after the load {results["drain_seconds"]} s (until
  every message, reply and post had an outcome; a Meta code-4 pause alone holds sends 60 s).
- Machine: {machine()}; load average before {load[:3]}, after {load[3:]} (2 cores shared
  with other sessions).
"""


if __name__ == "__main__":
    main()
