"""The list rows' previews (issue 21): the old "newest message" query against the new one
(the customer's newest message when the conversation waits), interleaved A/B on the same pages.

    .venv/bin/python bench/seed_large.py URL            # once
    .venv/bin/python bench/list_previews.py [URL] [--runs 60] [--write]

For each list case of bench/inbox_list.py, the first page's 25 conversations are read once
(admin's view, the keyset cursor for "page 20"); then the two preview queries run alternately
(old, new, old, new...), so whatever else loads the machine hits both alike. Times are the
query and the ORM rows in a fresh session, in ms, nearest-rank p50 / p95. `waiting` is how
many of the 25 rows wait for an answer (the new query's second branch). --write replaces the
"## List row previews (issue 21)" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from bench.inbox_list import LIST_CASES, machine, percentile
from inbox.database import Database
from inbox.models import Conversation, Message, User
from inbox.queries import ConversationFilter, last_messages, list_conversations

NOTES = [
    "The plan (EXPLAIN ANALYZE, first page, 13 of 25 waiting): both branches read each "
    "conversation's messages through `ix_message_conversation_id` (conversation_id, id), then "
    "20-25 primary-key lookups; 2.4 ms, ~170 shared buffers, no sequential scan. The new query "
    "costs 0-2 ms more at p50 (two grouped branches instead of one), within the list's "
    "budget. `bench/inbox_list.py --only list` was run too, before (the previous commit, "
    "from a `git archive` copy) and "
    "after, on the same data: `ui list` p50 37-124 ms before and 46-143 ms after, but its `api` "
    "column, whose code did not change, moved as much (16-53 vs 20-70 ms) with the load "
    "average at 12-16 on 2 CPUs, so that comparison measures the other sessions; the "
    "interleaved A/B above is the one to read.",
]
ROOT = Path(__file__).resolve().parent.parent
HEADING = "## List row previews (issue 21)"


def old_previews(session: Any, ids: list[int]) -> dict[int, Message]:
    """The query before issue 21: the newest message or note of each conversation."""
    newest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(ids), Message.kind != "event")
        .group_by(Message.conversation_id)
    )
    return {
        m.conversation_id: m for m in session.scalars(select(Message).where(Message.id.in_(newest)))
    }


def page_of(db: Database, user_id: int, params: dict[str, str]) -> list[Conversation]:
    with db.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        flt = ConversationFilter(
            status=params.get("status"),
            channel=params.get("channel"),
            label=params.get("label"),
            assignee=("me" if params.get("assignee") == "me" else params.get("assignee")),
        )
        cursor = None
        for _ in range(int(params.get("page", "1"))):
            page = list_conversations(session, user, flt, cursor=cursor, limit=25)
            cursor = page.next_cursor
        items = list(page.items)
        session.expunge_all()
        return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/bench_inbox"
    )
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    url = args.url.replace("postgresql://", "postgresql+psycopg://", 1)
    info = machine(args.url)
    db = Database(url)
    rows = []
    for label, who, params in LIST_CASES:
        user_id = 1 if who == "admin" else 5
        items = page_of(db, user_id, params)
        ids = [c.id for c in items]
        waiting = {c.id for c in items if c.waiting_since}
        samples: dict[str, list[float]] = {"old": [], "new": []}
        for run in range(args.runs + 2):
            for name in ("old", "new"):
                with db.session() as session:
                    start = time.perf_counter()
                    if name == "old":
                        found = old_previews(session, ids)
                    else:
                        found = last_messages(session, ids, waiting)
                    elapsed = (time.perf_counter() - start) * 1000
                assert len(found) <= len(ids)
                if run >= 2:
                    samples[name].append(elapsed)
        cells = [
            f"{percentile(samples[n], 50):.1f} / {percentile(samples[n], 95):.1f}"
            for n in ("old", "new")
        ]
        rows.append(f"| {label} | {len(waiting)} of {len(ids)} | {cells[0]} | {cells[1]} |")
        print(rows[-1], flush=True)
    info["load_after"] = "{:.1f} {:.1f} {:.1f}".format(*__import__("os").getloadavg())
    section = "\n".join(
        [
            HEADING,
            "",
            f"Written by `bench/list_previews.py --write` on data from `bench/seed_large.py` "
            f"({date.today().isoformat()}).",
            "",
            f"- Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM; Python "
            f"{info['python']}, PostgreSQL {info['postgresql']} ({info['pg_settings']}), "
            f"SQLAlchemy {info['sqlalchemy']}, psycopg {info['psycopg']}.",
            f"- Data: {info['counts']}; database {info['db_size']}; 15 % of conversations "
            "open and waiting for an answer.",
            f"- Load: other sessions' test runs shared the 2 CPUs; 1/5/15-minute load average "
            f"{info['load']} before and {info['load_after']} after this run.",
            f"- Method: per list case, the first page's 25 rows; the old and the new preview "
            f"query alternate {args.runs} times each after 2 warm-ups, each in a fresh "
            "session; ms, nearest-rank p50 / p95.",
            "",
            "| list case | rows waiting | old: newest message p50 / p95 | new: customer's "
            "newest when waiting p50 / p95 |",
            "|---|---|---|---|",
            *rows,
            "",
            *NOTES,
            "",
        ]
    )
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        text = path.read_text(encoding="utf-8")
        if HEADING in text:
            start = text.index(HEADING)
            end = text.find("\n## ", start + len(HEADING))
            text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        path.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
