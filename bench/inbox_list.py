"""Server-time p50/p95 of the inbox list and search, through the real Flask app.

    .venv/bin/python bench/seed_large.py            # once: 100k conversations, 1M messages
    .venv/bin/python bench/inbox_list.py [URL] [--runs 40] [--write] [--probe-limits 1000,5000]

URL defaults to postgresql://postgres@127.0.0.1:5432/bench_inbox. Every case is timed four
ways, each request in-process with Flask's test client (no network, so this is server time):
- `api`: GET /api/v1/conversations (Bearer token, JSON, 25 rows);
- `ui list`: GET /inbox/_list, the htmx fragment the list re-renders with (HTML, 25 rows
  with last-message previews);
- `ui page`: GET /inbox/, the full page: list plus the per-view counts;
- `query`: inbox.queries.list_conversations alone, in a fresh session (no HTTP, no JSON).
Each case runs twice to warm up and then --runs times; p50/p95 are nearest-rank. Search cases
also show how many messages contain the term (a count through the index, for context).
--write replaces the "## Inbox list and search" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
import sqlalchemy

import inbox.search
from bench._common import seeded_inbox_app, signed_in_client
from inbox.models import User
from inbox.queries import ConversationFilter, list_conversations
from web.api.auth import issue_token

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Inbox list and search"
LIST_HEADER = (
    "| list case | user | api p50 / p95 | ui list p50 / p95 | ui page p50 / p95 | query p50 / p95 |"
)
SEARCH_HEADER = (
    "| search case | q | messages containing it | api p50 / p95 | ui list p50 / p95 "
    "| query p50 / p95 | agent api p50 / p95 |"
)

# (label, user, query string). "admin" sees every inbox; "agent" (user 5) is a member of 3
# of the 6 inboxes, so the access filter really filters.
LIST_CASES: list[tuple[str, str, dict[str, str]]] = [
    ("all, newest first", "admin", {}),
    ("status=open", "admin", {"status": "open"}),
    ("unassigned (assignee=none)", "admin", {"assignee": "none"}),
    ("channel=email", "admin", {"channel": "email"}),
    ("label=VIP", "admin", {"label": "VIP"}),
    ("status=open, channel=instagram", "admin", {"status": "open", "channel": "instagram"}),
    ("page 20 (keyset cursor)", "admin", {"page": "20"}),
    ("agent: all of my inboxes", "agent", {}),
    ("agent: mine (assignee=me)", "agent", {"assignee": "me"}),
    ("agent: status=open", "agent", {"status": "open"}),
]

# (label, query): Korean and English, common and rare, 2 to 13 characters, names, handles.
SEARCH_CASES: list[tuple[str, str]] = [
    ("ko 2 chars, common", "환불"),
    ("ko 2 chars, common", "배송"),
    ("ko 2 chars, medium", "교환"),
    ("ko 2 chars, rare", "곰팡"),
    ("ko 2 chars, no match", "뷁뷁"),
    ("ko 2 chars, given name", "민호"),
    ("ko 3 chars, common", "환불해"),
    ("ko 3 chars, full name", "김민호"),
    ("ko 4 chars", "유통기한"),
    ("ko 5 chars, very common", "안녕하세요"),
    ("ko two terms", "환불 카드"),
    ("ko quoted phrase", '"배송지 변경"'),
    ("ko 2 chars + particle", "배송이"),
    ("ko 3 chars + particle", "배송지를"),
    ("ko quoted, particle kept", '"배송이"'),
    ("order number (13 digits)", "{order}"),
    ("en 6 chars, mixed case", "Refund"),
    ("en 5 chars", "Omega"),
    ("en two terms", "tracking number"),
    ("en no match", "zzqx"),
    ("handle", "@{handle}"),
    ("email fragment", "naver"),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    for _ in range(2):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return percentile(samples, 50), percentile(samples, 95)


def machine(url: str) -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line),
        platform.processor(),
    )
    with psycopg.connect(url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("shared_buffers", "work_mem", "effective_cache_size")
        }
        counts = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # type: ignore[index]
            for t in ("conversation", "message", "contact", "contact_identity")
        }
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]  # type: ignore[index]
        msg_size = conn.execute(
            "SELECT pg_size_pretty(pg_table_size('message')), "
            "pg_size_pretty(pg_relation_size('ix_message_text_trgm')), "
            "pg_size_pretty(pg_relation_size('ix_message_text_bigram'))"
        ).fetchone()
    return {
        "load": "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{mem_kib / 1024 / 1024:.0f} GiB",
        "python": platform.python_version(),
        "postgresql": pg,
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
        "pg_settings": ", ".join(f"{k}={v}" for k, v in settings.items()),
        "counts": ", ".join(f"{v:,} {k}" for k, v in counts.items()),
        "db_size": size,
        "message_sizes": "message table {}, its trigram index {}, its bigram index {}".format(
            *msg_size  # type: ignore[misc]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/bench_inbox"
    )
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--only", choices=["list", "search"], default=None)
    parser.add_argument(
        "--probe-limits", default="", help="also time search queries at these PROBE_LIMITs"
    )
    args = parser.parse_args()

    rt, app = seeded_inbox_app(args.url)
    users = {"admin": 1, "agent": 5}
    tokens = {}
    with rt.db.session() as session:
        for key, uid in users.items():
            user = session.get(User, uid)
            assert user is not None, "seed the database first: bench/seed_large.py"
            tokens[key] = issue_token(session, user, "bench")
        order = session.execute(
            sqlalchemy.text(
                "SELECT substring(text from '2026[0-9]{9}') FROM message "
                "WHERE text ~ '2026[0-9]{9}' ORDER BY id DESC LIMIT 1 OFFSET 777"
            )
        ).scalar_one()
        handle = session.execute(
            sqlalchemy.text(
                # LEAST: a smaller seed (--conversations 10000) has fewer than 4,322.
                "SELECT handle FROM contact_identity WHERE channel = 'instagram' "
                "ORDER BY id LIMIT 1 OFFSET LEAST(4321, (SELECT count(*) - 1 "
                "FROM contact_identity WHERE channel = 'instagram'))"
            )
        ).scalar_one()

    clients = {key: signed_in_client(app, uid) for key, uid in users.items()}

    def api(who: str, params: dict[str, str]) -> Callable[[], Any]:
        headers = {"Authorization": f"Bearer {tokens[who]}"}

        def call() -> Any:
            response = clients[who].get(
                "/api/v1/conversations", query_string=params, headers=headers
            )
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            return response.get_json()

        return call

    def ui(who: str, path: str, params: dict[str, str]) -> Callable[[], Any]:
        def call() -> Any:
            response = clients[who].get(path, query_string=params)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return call

    def query(who: str, flt: ConversationFilter, cursor: str | None) -> Callable[[], Any]:
        def call() -> Any:
            with rt.db.session() as session:
                user = session.get(User, users[who])
                assert user is not None
                return list_conversations(session, user, flt, cursor=cursor, limit=25)

        return call

    def cursor_for(who: str, params: dict[str, str], pages: int) -> str:
        cursor = ""
        for _ in range(pages - 1):
            body = api(who, {**params, **({"cursor": cursor} if cursor else {})})()
            cursor = body["next_cursor"]
        return cursor

    def ui_params(params: dict[str, str]) -> dict[str, str]:
        # The UI defaults to status=open; "any" shows every status like the API does.
        out = {"status": "any", **params}
        if out.get("assignee") == "me":
            out.pop("assignee")
            out["view"] = "mine"
        elif out.get("assignee") == "none":
            out.pop("assignee")
            out["view"] = "unassigned"
        return out

    rows: list[str] = []
    info = machine(args.url)
    print(info, flush=True)

    if args.only in (None, "list"):
        print("\n" + LIST_HEADER)
        for label, who, params in LIST_CASES:
            params = dict(params)
            cursor = None
            if "page" in params:
                cursor = cursor_for(who, {}, int(params.pop("page")))
                params["cursor"] = cursor
            flt = ConversationFilter(
                status=params.get("status"),
                channel=params.get("channel"),
                assignee=params.get("assignee"),
                label=params.get("label"),
            )
            a = timed(api(who, params), args.runs)
            u = timed(ui(who, "/inbox/_list", ui_params(params)), args.runs)
            p = timed(ui(who, "/inbox/", ui_params(params)), args.runs) if not cursor else None
            q = timed(query(who, flt, cursor), args.runs)
            row = (
                f"| {label} | {who} | {a[0]:.1f} / {a[1]:.1f} | {u[0]:.1f} / {u[1]:.1f} | "
                + (f"{p[0]:.1f} / {p[1]:.1f}" if p else "n/a")
                + f" | {q[0]:.1f} / {q[1]:.1f} |"
            )
            rows.append(row)
            print(row, flush=True)

    search_rows: list[str] = []
    if args.only in (None, "search"):
        print("\n" + SEARCH_HEADER)
        with psycopg.connect(args.url) as conn:
            for label, q in SEARCH_CASES:
                q = q.format(order=order, handle=handle)
                terms = inbox.search.parse_terms(q)
                where = " AND ".join(["text ILIKE %s"] * len(terms))
                likes = [f"%{t}%" for t in terms]
                n = conn.execute(f"SELECT count(*) FROM message WHERE {where}", likes).fetchone()[0]  # type: ignore[index]
                a = timed(api("admin", {"q": q}), args.runs)
                u = timed(ui("admin", "/inbox/_list", {"status": "any", "q": q}), args.runs)
                qq = timed(query("admin", ConversationFilter(q=q), None), args.runs)
                g = timed(api("agent", {"q": q}), args.runs)
                row = (
                    f"| {label} | `{q}` | {n:,} | {a[0]:.1f} / {a[1]:.1f} "
                    f"| {u[0]:.1f} / {u[1]:.1f} | "
                    f"{qq[0]:.1f} / {qq[1]:.1f} | {g[0]:.1f} / {g[1]:.1f} |"
                )
                search_rows.append(row)
                print(row, flush=True)

    probe_rows: list[str] = []
    if args.probe_limits:
        limits = [int(x) for x in args.probe_limits.split(",")]
        probe_rows.append("| q | " + " | ".join(f"PROBE_LIMIT={n}" for n in limits) + " |")
        probe_rows.append("|---|" + "---|" * len(limits))
        print("\n" + "\n".join(probe_rows))
        default = inbox.search.PROBE_LIMIT
        for _, q in SEARCH_CASES:
            q = q.format(order=order, handle=handle)
            cells = []
            for limit in limits:
                inbox.search.PROBE_LIMIT = limit
                r = timed(query("admin", ConversationFilter(q=q), None), args.runs)
                cells.append(f"{r[0]:.1f} / {r[1]:.1f}")
            inbox.search.PROBE_LIMIT = default
            row = f"| `{q}` | " + " | ".join(cells) + " |"
            probe_rows.append(row)
            print(row, flush=True)

    info["load_after"] = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print("load average after:", info["load_after"])
    rt.jobs.stop()
    rt.db.dispose()
    if args.write:
        write_section(info, rows, search_rows, probe_rows, args)


def write_section(
    info: dict[str, str],
    rows: list[str],
    search_rows: list[str],
    probe_rows: list[str],
    args: argparse.Namespace,
) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    body = SECTION.format(
        list_header=LIST_HEADER,
        search_header=SEARCH_HEADER,
        runs=args.runs,
        probe=inbox.search.PROBE_LIMIT,
        **info,
        list_rows="\n".join(rows),
        search_rows="\n".join(search_rows),
        probe_rows=("\n".join(probe_rows) if probe_rows else "(not run)"),
        date=time.strftime("%Y-%m-%d"),
    )
    if HEADING in text:
        start = text.index(HEADING)
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text)
    print(f"wrote {path}")


SECTION = """{HEADING}

Written by `bench/inbox_list.py --write` on data from `bench/seed_large.py` ({date}).

- Machine: {nproc} CPUs ({cpu}), {memory} RAM; Python {python}, PostgreSQL {postgresql}
  (stock settings: {pg_settings}), SQLAlchemy {sqlalchemy}, psycopg {psycopg}.
- Data: {counts}; database {db_size} ({message_sizes}). Mixed Korean / English
  customer-center text; message ids in time order, so one thread's messages are scattered.
- Load: the machine is shared with other sessions' test runs; 1/5/15-minute load average
  {load} before and {load_after} after this run.
- Method: in-process Flask test client, so times are server time without network; 2 warm-up
  runs then {runs} timed runs per case, nearest-rank p50 / p95 in milliseconds. `api` =
  `GET /api/v1/conversations` (25 rows, JSON); `ui list` = `GET /inbox/_list` (the htmx
  fragment); `ui page` = `GET /inbox/` (list plus per-view counts); `query` =
  `list_conversations()` alone. Search runs as admin (all inboxes) and, last column, as an
  agent who belongs to 3 of the 6 inboxes.

{list_header}
|---|---|---|---|---|---|
{list_rows}

{search_header}
|---|---|---|---|---|---|---|
{search_rows}

PROBE_LIMIT (rows per source above which a term walks newest-first instead of listing ids;
default {probe}), `query` p50 / p95:

{probe_rows}

**How search is served** (details in `inbox/search.py`). Terms of 3+ characters go through
pg_trgm GIN indexes, 2-character terms through GIN indexes over `sb_bigrams(column)` (pg_trgm
extracts no trigram from 환불, so without them every 2-character query was a sequential scan
of a million messages); one-character terms are ignored. Each term is probed with a LIMIT:
a rare term becomes a list of conversation ids, a common one a correlated EXISTS evaluated
while walking conversations newest first. Findings while building it, from EXPLAIN ANALYZE on
this data set:

- `IN (SELECT conversation_id FROM message WHERE text ILIKE ...)` (or the planner's hashed
  subplan for `OR EXISTS`) materialises the whole match set: 0.1-0.2 s for a 3-character term,
  1.1-1.2 s for 환불 or 배송 (40,000-50,000 conversations). The newest-first walk needs about
  70 conversations for 환불 and runs in about 1 ms.
- After five executions psycopg prepares a statement and PostgreSQL may switch to a generic
  plan that cannot see the pattern; a 2-character term that matches nothing then took 2-3.5 s
  instead of 4 ms. The search transaction sets `plan_cache_mode = force_custom_plan`.
- A bigram index is about the size of the trigram one (63 vs 79 MB for 1M messages) but costs
  more to build (about 2 minutes vs 25 s here, `sb_bigrams` is a regexp SQL function).
- The list itself: without `ix_conversation_activity (last_activity_at, id)` the unfiltered
  list sorted all 100,000 rows (26 ms in EXPLAIN ANALYZE); with it, 0.05 ms. Filters on status,
  assignee, inbox and label use the existing indexes or walk this one; every list plan here
  reads at most a few hundred index entries, and keyset paging keeps page 20 as cheap as page 1.
- Wall times above are dominated by load from other work on this 2-CPU machine (see load
  average): the same query measured 4 ms and 30 ms a minute apart. Figures are an upper bound;
  re-run on an idle machine for clean numbers.
""".replace("{HEADING}", HEADING)


if __name__ == "__main__":
    main()
