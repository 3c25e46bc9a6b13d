"""The inbox pages and sidebar actions over HTTP through a whole `switchboard web` process, at
the size of a big centre (issue 21: 1M conversations / 10M messages).

    .venv/bin/python bench/seed_large.py URL --conversations 1000000 --messages 10000000
    .venv/bin/python bench/inbox_scale.py URL [--runs 40] [--workers 2] [--write]
        [--label after] [--web-python /path/to/other/checkout/.venv/bin/python]

It gives the seeded admin (admin@bench.test) and one agent restricted to 3 of the 6 inboxes
(agent5@bench.test) a password, starts `switchboard web` (gunicorn, production settings, a
private redis-server on a free port) on the database, signs both in through /login, and times
with one client, one request at a time (2 warm-up runs, then --runs; nearest-rank p50/p95 of
the wall time the client sees):
- the inbox page GET /inbox/ for several list cases (the default open queue, every status,
  unassigned, a channel, a label, the agent's inboxes and own queue);
- the inbox page with a search (Korean common/rare/particle forms, an order number, English);
- opening a thread: the whole page (GET /inbox/c/<id>, a link or a reload) and in place, as a
  row click does (the same GET with HX-Request and HX-Target: conversation);
- each sidebar action as htmx posts it (HX-Request, and `after`, the newest message the page
  shows, as web/static/app.js adds it: the answer is the changed parts; code that ignores it
  answers with the whole thread parts): assign to me, priority, status, labels, snooze (each
  run alternates between two values, so every run really changes the conversation).
The actions write: run it on a benchmark database only.

--web-python runs gunicorn with the same arguments from another checkout's interpreter (the
"before" figures: code from before a change, on the same database; `switchboard web` itself
would refuse a schema newer than it knows). --write replaces the section
"Inbox pages at scale (issue 21, <label>)" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
import requests

from bench._common import machine, percentile, seeded_inbox_app, signed_in_client, write_section
from bench._production import BIN, PrivateRedis, children, cpu_seconds, free_port
from cli.commands import gunicorn_argv
from inbox.users import generate_password_hash
from switchboard.settings import Settings

PASSWORD = "bench-password-1"  # the seeded users have none
USERS = {"admin": "admin@bench.test", "agent": "agent5@bench.test"}
HX = {"HX-Request": "true"}
HEADER = "| what | case | user | p50 ms | p95 ms | web CPU ms (mean) |\n|---|---|---|---|---|---|"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
_MESSAGE_ID = re.compile(r'id="m(\d+)"')

# (label, who, query string of /inbox/)
PAGE_CASES: list[tuple[str, str, dict[str, str]]] = [
    ("open queue (the default)", "admin", {}),
    ("every status", "admin", {"status": "any"}),
    ("unassigned", "admin", {"view": "unassigned"}),
    ("channel=email", "admin", {"channel": "email"}),
    ("label=VIP", "admin", {"label": "VIP"}),
    ("team view", "admin", {"view": "team:1"}),
    ("agent: my inboxes", "agent", {}),
    ("agent: mine", "agent", {"view": "mine"}),
]
SEARCH_CASES: list[tuple[str, str, str]] = [
    ("ko common", "admin", "배송"),
    ("ko common, particle", "admin", "배송이"),
    ("ko medium", "admin", "환불"),
    ("ko full name", "admin", "김민호"),
    ("ko rare", "admin", "곰팡"),
    ("order number", "admin", "{order}"),
    ("en", "admin", "Refund"),
    ("en two terms", "admin", "tracking number"),
    ("no match", "admin", "zzqx"),
    ("agent: ko common", "agent", "배송"),
    ("agent: order number", "agent", "{order}"),
]


def prepare(url: str, conversation: int = 0) -> tuple[int, str]:
    """Passwords for the two users; the conversation the actions use (the newest open one in
    one of the agent's inboxes, or `conversation`) and an order number the search looks for."""
    with psycopg.connect(url) as conn:
        pw = generate_password_hash(PASSWORD)
        for email in USERS.values():
            found = conn.execute(
                "UPDATE app_user SET password_hash = %s WHERE email = %s RETURNING id", (pw, email)
            ).fetchone()
            assert found, f"{email} missing: seed the database first (bench/seed_large.py)"
        conv = conn.execute(
            "SELECT c.id FROM conversation c WHERE (c.status = 'open' OR c.id = %s) "
            "AND (c.id = %s OR %s = 0) AND c.channel_account_id "
            "IN (SELECT channel_account_id FROM inbox_member m JOIN app_user u "
            "ON u.id = m.user_id WHERE u.email = %s) ORDER BY c.last_activity_at DESC LIMIT 1",
            (conversation, conversation, conversation, USERS["agent"]),
        ).fetchone()
        order = conn.execute(
            "SELECT substring(text from '2026[0-9]{9}') FROM message "
            "WHERE text ~ '2026[0-9]{9}' ORDER BY id DESC LIMIT 1 OFFSET 777"
        ).fetchone()
    assert conv and order
    return int(conv[0]), str(order[0])


class Web:
    """`switchboard web` (or the same gunicorn command under --web-python) on `url`."""

    def __init__(self, url: str, workers: int, web_python: str | None) -> None:
        self.redis = PrivateRedis()
        self.tmp = Path(tempfile.mkdtemp(prefix="sb-scale-"))
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": "bench-secret",
            "SWITCHBOARD_ENCRYPTION_KEY": "bench-key",
            "SWITCHBOARD_INSTANCE": str(self.tmp / "instance"),
            "SWITCHBOARD_DOTENV": "/nonexistent",
            "LOGIN_RATE_LIMIT": "1000/5min",
        }
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        if web_python:
            argv = [
                web_python,
                *gunicorn_argv(Settings.load(env), "127.0.0.1", self.port, workers)[1:],
            ]
        else:
            argv = [
                str(BIN / "switchboard"),
                "web",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ]
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=str(Path(web_python).parent.parent.parent) if web_python else None,
            stdout=open(self.tmp / "web.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(300):
            try:
                if requests.get(self.base + "/healthz", timeout=5).ok:
                    return
            except requests.RequestException:
                if self.proc.poll() is not None:
                    raise RuntimeError((self.tmp / "web.log").read_text()[-3000:]) from None
                time.sleep(0.2)
        raise RuntimeError("switchboard web did not start")

    def login(self, email: str) -> tuple[requests.Session, str]:
        client = requests.Session()
        page = client.get(self.base + "/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        done = client.post(
            self.base + "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert done.ok and "/login" not in done.url, done.url
        inbox = client.get(self.base + "/inbox/").text
        csrf = _CSRF.search(inbox)
        assert csrf
        return client, csrf.group(1)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.redis.close()


def newest_message(url: str, conv_id: int, *, count: bool = False) -> int:
    """The conversation's newest message id (or, with `count`, how many it has)."""
    query = (
        "SELECT count(*) FROM message WHERE conversation_id = %s"
        if count
        else "SELECT max(id) FROM message WHERE conversation_id = %s"
    )
    with psycopg.connect(url) as conn:
        row = conn.execute(query, (conv_id,)).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def timed(fn: Callable[[int], Any], runs: int, pids: list[int]) -> tuple[float, float, float]:
    """Wall p50 and p95 as the client sees them, and the web workers' mean CPU per request
    (ms; the kernel counts CPU in 10 ms ticks, so a mean over the runs, not a percentile):
    the CPU time does not grow with the machine's load the way the wall time does."""
    for i in range(2):
        fn(i)
    walls = []
    cpu = sum(cpu_seconds(p) for p in pids)
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        walls.append((time.perf_counter() - start) * 1000)
    used = (sum(cpu_seconds(p) for p in pids) - cpu) * 1000 / runs
    return percentile(walls, 50), percentile(walls, 95), used


def _snooze(i: int) -> dict[str, str]:
    return {"status": "snoozed", "snooze": "1h"} if i % 2 else {"status": "open"}


def statement_times(url: str, conv_id: int, order: str, runs: int) -> list[str]:
    """Per request, the summed time of its SQL statements (in-process test client, admin),
    and the per-view counts alone: COUNT over the rows (before) and the deltas (after)."""
    import sqlalchemy

    from inbox.models import Team, User
    from web.ui.inbox import ListArgs, _counted, _counts

    rt, app = seeded_inbox_app(url)
    spent: list[float] = []
    started: list[float] = []

    @sqlalchemy.event.listens_for(rt.db.engine, "before_cursor_execute")
    def _before(*_: Any) -> None:
        started.append(time.perf_counter())

    @sqlalchemy.event.listens_for(rt.db.engine, "after_cursor_execute")
    def _after(*_: Any) -> None:
        spent.append((time.perf_counter() - started.pop()) * 1000)

    client = signed_in_client(app, 1)

    def measure(label: str, fn: Callable[[], Any]) -> str:
        totals, counts = [], []
        for i in range(runs + 2):
            spent.clear()
            fn()
            if i >= 2:
                totals.append(sum(spent))
                counts.append(len(spent))
        row = (
            f"| {label} | {max(counts)} | {percentile(totals, 50):.1f} "
            f"| {percentile(totals, 95):.1f} |"
        )
        print(row, flush=True)
        return row

    rows = [
        measure("inbox page, open queue", lambda: client.get("/inbox/")),
        measure("inbox page, every status", lambda: client.get("/inbox/?status=any")),
        measure("inbox page + search `배송`", lambda: client.get("/inbox/?q=배송")),
        measure(f"inbox page + search `{order}`", lambda: client.get(f"/inbox/?q={order}")),
        measure("inbox page + search `Refund`", lambda: client.get("/inbox/?q=Refund")),
        measure("thread page", lambda: client.get(f"/inbox/c/{conv_id}")),
    ]
    with rt.db.session() as db:
        admin = db.get(User, 1)
        assert admin is not None
        teams = list(db.scalars(sqlalchemy.select(Team)))
        for view in ({"status": "open"}, {"status": "any"}, {"status": "open", "label": "VIP"}):
            args = ListArgs.from_args(view)
            where = "&".join(f"{k}={v}" for k, v in view.items())
            for name, fn in (("COUNT over rows (before)", _counted), ("deltas (after)", _counts)):
                rows.append(
                    measure(
                        f"counts, {where}: {name}",
                        lambda fn=fn, args=args: fn(db, admin, args, teams),  # type: ignore[misc]
                    )
                )
    rt.jobs.stop()
    rt.db.dispose()
    return rows


def data_size(url: str) -> str:
    with psycopg.connect(url) as conn:
        counts = [
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("conversation", "message")
        ]
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]  # type: ignore[index]
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]  # type: ignore[index]
    return (
        f"{counts[0]:,} conversations, {counts[1]:,} messages, database {size}, schema {revision}"
    )


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/bench_large"
    )
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--label", default="after")
    parser.add_argument("--web-python", default=None)
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--conversation",
        type=int,
        default=0,
        help="the thread and actions' conversation (default: the newest open one of the agent's)",
    )
    parser.add_argument(
        "--only",
        default="pages,search,thread,actions,sql",
        help="comma-separated parts to run (default: all)",
    )
    args = parser.parse_args()

    conv_id, order = prepare(args.url, args.conversation)
    size = data_size(args.url)
    web = Web(args.url, args.workers, args.web_python)
    rows: list[str] = []
    load_before = load()
    try:
        clients = {who: web.login(email) for who, email in USERS.items()}

        def get(
            who: str,
            path: str,
            params: dict[str, str] | None = None,
            headers: dict[str, str] | None = None,
        ) -> Callable[[int], Any]:
            client = clients[who][0]

            def call(_: int) -> Any:
                response = client.get(web.base + path, params=params, headers=headers)
                assert response.status_code == 200, (path, response.status_code)
                return response

            return call

        # The newest message the page shows: app.js sends it with every sidebar action (the
        # answer then carries only the changed parts); each answer's lines move it on.
        newest = [newest_message(args.url, conv_id)]

        def action(data: Callable[[int], dict[str, str]]) -> Callable[[int], Any]:
            client, csrf = clients["agent"]
            path = f"/inbox/c/{conv_id}"

            def call(i: int) -> Any:
                response = client.post(
                    web.base + path + "/update",
                    data={**data(i), "back": path, "after": str(newest[0])},
                    headers={**HX, "X-CSRFToken": csrf},
                )
                assert response.status_code == 200, response.status_code
                shown = [int(x) for x in _MESSAGE_ID.findall(response.text)]
                newest[0] = max([newest[0], *shown])
                return response

            return call

        pids = children(web.proc.pid)

        def emit(section: str, label: str, who: str, timing: tuple[float, float, float]) -> None:
            row = (
                f"| {section} | {label} | {who} | {timing[0]:.1f} | {timing[1]:.1f} "
                f"| {timing[2]:.0f} |"
            )
            rows.append(row)
            print(row, flush=True)

        thread_length = newest_message(args.url, conv_id, count=True)
        print(size, f"\nconversation {conv_id} ({thread_length} messages)", flush=True)
        print("load average", load_before, flush=True)
        print(HEADER, flush=True)
        parts = set(args.only.split(","))
        for label, who, params in PAGE_CASES if "pages" in parts else []:
            emit("inbox page", label, who, timed(get(who, "/inbox/", params), args.runs, pids))
        for label, who, q in SEARCH_CASES if "search" in parts else []:
            q = q.format(order=order)
            timing = timed(get(who, "/inbox/", {"q": q}), args.runs, pids)
            emit("inbox page + search", f"{label}: `{q}`", who, timing)
        if "thread" in parts:
            thread = timed(get("agent", f"/inbox/c/{conv_id}"), args.runs, pids)
            emit("thread", "open (whole page: a link, a reload)", "agent", thread)
            in_place = {**HX, "HX-Target": "conversation"}
            swap = timed(get("agent", f"/inbox/c/{conv_id}", headers=in_place), args.runs, pids)
            emit("thread", "open from the list (htmx: thread and details only)", "agent", swap)
        actions: list[tuple[str, Callable[[int], dict[str, str]]]] = [
            ("assign to me / unassign", lambda i: {"assignee": "me" if i % 2 else ""}),
            ("priority", lambda i: {"priority": ("high", "low")[i % 2]}),
            ("status pending / open", lambda i: {"status": ("pending", "open")[i % 2]}),
            ("labels", lambda i: {"labels_form": "1", **({"label": "VIP"} if i % 2 else {})}),
            ("snooze 1 h / reopen", lambda i: _snooze(i)),
        ]
        for label, data in actions if "actions" in parts else []:
            emit("sidebar action (htmx)", label, "agent", timed(action(data), args.runs, pids))
    finally:
        web.close()
    load_after = load()
    print("load average after", load_after)
    sql = "sql" in args.only.split(",") and not args.web_python
    sql_rows = [] if not sql else statement_times(args.url, conv_id, order, args.runs)
    if args.write:
        command = (
            f"bench/inbox_scale.py {args.url} --runs {args.runs} --label {shlex.quote(args.label)}"
        )
        command += f" --only {args.only}"
        if args.web_python:
            command += f" --web-python {args.web_python}"
        body = (
            f"`.venv/bin/python {command} --write` "
            f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n"
            f"Machine: {machine()}. Data: {size}. Web: gunicorn, {args.workers} processes; one "
            f"client, one request at a time over loopback HTTP, {args.runs} timed runs after 2 "
            f"warm-ups. Load average {load_before} before, {load_after} after (2 CPUs shared "
            "with other helpers' test runs: wall times follow that load; the web workers' "
            "CPU per request much less).\n\n" + HEADER + "\n" + "\n".join(rows)
        )
        if sql_rows:
            body += (
                "\n\nStatement time (the SQL of one request, summed; in-process with this "
                "checkout's code, so less sensitive to the load than the wall time above):\n\n"
                "| request | statements | SQL p50 ms | SQL p95 ms |\n|---|---|---|---|\n"
                + "\n".join(sql_rows)
            )
        write_section(f"Inbox pages at scale (issue 21, {args.label})", body)


if __name__ == "__main__":
    main()
